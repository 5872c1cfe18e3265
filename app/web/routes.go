package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/static"
)

// routes is the whole route table, readable top to bottom, with each group's
// middleware in sight.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.metrics.Middleware) // outermost: it times the whole request and counts the status sent
	e.Use(s.logRequests, s.recoverPanics, s.securityHeaders, s.limitBody)

	// Operations and assets: no session, no CSRF.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.metrics.Ready)
	e.GET("/metrics", s.metrics.Serve)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static.FS))))

	// JSON API v1: API key, no cookies, no CSRF.
	api := e.Group("/api/v1")
	_ = api
	// -- api routes --
	api.GET("/openapi.json", s.apiOpenAPI)
	keyed := api.Group("", s.requireAPIKey)
	keyed.PUT("/orders/:ref", s.apiOrderPut)
	keyed.GET("/orders/:ref", s.apiOrderGet)
	keyed.POST("/orders/:ref/status", s.apiOrderStatus)
	keyed.RouteNotFound("/*", s.apiNoRoute)

	// Everything a browser uses: CSRF on every state change, sessions loaded.
	web := e.Group("", s.csrf, s.loadSessions)

	// Customer sign-in (anonymous).
	web.GET("/login", s.loginForm)
	web.POST("/login", s.loginRequest, s.limitSignIn)
	web.GET("/auth/:token", s.authConfirm)
	web.HEAD("/auth/:token", s.authConfirm)
	web.POST("/auth/:token", s.authConsume, s.limitSignIn)
	web.POST("/logout", s.logout)
	// -- customer sign-in routes --
	web.POST("/login/code", s.loginCode, s.limitSignIn)
	web.POST("/signout-everywhere", s.signOutEverywhere, s.requireCustomer)

	// Customer portal: a customer session.
	portal := web.Group("", s.requireCustomer)
	portal.GET("/", s.dashboard, s.cachePage)
	// -- portal routes --
	portal.GET("/orders/:ref", s.order, s.cachePage)
	portal.POST("/orders/:ref/escalate", s.orderEscalate)
	portal.GET("/inquiries/new", s.inquiryNew)
	portal.POST("/inquiries", s.inquiryCreate)
	portal.GET("/inquiries/:id", s.inquiry, s.cachePage)
	portal.POST("/inquiries/:id/messages", s.inquiryReply)
	portal.POST("/inquiries/:id/escalate", s.inquiryEscalate)
	portal.GET("/me", s.me)
	portal.POST("/me", s.meSave)
	portal.POST("/me/facts/:id", s.meFact)
	portal.GET("/events", s.events)
	web.POST("/lang", s.setLanguage)

	// Staff sign-in (anonymous).
	web.GET("/admin/login", s.staffLoginForm)
	web.POST("/admin/login", s.staffLoginRequest, s.limitSignIn)
	web.GET("/admin/auth/:token", s.staffAuthConfirm)
	web.HEAD("/admin/auth/:token", s.staffAuthConfirm)
	web.POST("/admin/auth/:token", s.staffAuthConsume, s.limitSignIn)
	web.POST("/admin/logout", s.staffLogout)
	// -- staff sign-in routes --
	web.POST("/admin/login/code", s.staffLoginCode, s.limitSignIn)

	// Staff admin view: a staff session; admin-only parts need the admin flag.
	staff := web.Group("/admin", s.requireStaff)
	staff.GET("", s.adminHome)
	// -- admin routes --
	staff.GET("/counts", s.adminCounts)
	staff.GET("/events", s.adminEvents)
	staff.GET("/inquiries/:id", s.adminInquiry)
	staff.POST("/inquiries/:id/reply", s.adminInquiryReply)
	staff.POST("/inquiries/:id/notes", s.adminInquiryNote)
	staff.POST("/inquiries/:id/reassign", s.adminInquiryReassign)
	staff.POST("/inquiries/:id/third-party", s.adminInquiryThirdParty)
	staff.POST("/inquiries/:id/resolve", s.adminInquiryResolve)
	staff.GET("/customers", s.adminCustomers)
	staff.GET("/customers/:id", s.adminCustomer)
	staff.POST("/customers/:id/facts", s.adminFactAdd)
	staff.POST("/customers/:id/facts/:fact", s.adminFactUpdate)
	staff.GET("/escalations", s.adminEscalations)
	staff.GET("/orders", s.adminOrders)
	staff.GET("/orders/:ref", s.adminOrder)
	staff.POST("/orders/:ref/status", s.adminOrderStatus)
	staff.POST("/orders/:ref/delivered", s.adminOrderDelivered)
	staff.POST("/orders/:ref/expected", s.adminOrderExpected)
	staff.POST("/orders/:ref/reassign", s.adminOrderReassign)
	staff.POST("/escalations/:id/acknowledge", s.adminEscalationAcknowledge)
	staff.POST("/escalations/:id/resolve", s.adminEscalationResolve)
	staff.POST("/escalations/:id/reassign", s.adminEscalationReassign)
	staff.POST("/customers/:id/inquiries", s.adminCustomerInquiry)
	admin := staff.Group("", s.requireAdmin)
	_ = admin
	// -- admin-only routes --
	admin.GET("/import", s.adminImportForm)
	admin.POST("/import", s.adminImport) // streams its upload (limitBody allows 256 MiB here)
	admin.GET("/api-keys", s.adminAPIKeys)
	admin.POST("/api-keys", s.adminAPIKeyCreate)
	admin.POST("/api-keys/:id/revoke", s.adminAPIKeyRevoke)
	admin.GET("/staff", s.adminStaffList)
	admin.GET("/staff/new", s.adminStaffNew)
	admin.POST("/staff", s.adminStaffCreate)
	admin.GET("/staff/:id", s.adminStaffEdit)
	admin.POST("/staff/:id", s.adminStaffUpdate)
	admin.POST("/staff/:id/deactivate", s.adminStaffDeactivate)
	admin.POST("/staff/:id/activate", s.adminStaffActivate)
	admin.GET("/settings", s.adminSettings)
	admin.POST("/settings", s.adminSettingsSave)
	admin.GET("/outbox", s.adminOutbox)
	admin.POST("/outbox/:id/retry", s.adminOutboxRetry)
}
