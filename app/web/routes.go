package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/web/admin"
	"github.com/kedja/kedja/app/web/api"
	"github.com/kedja/kedja/static"
)

// routes is the whole route table, readable top to bottom, with each group's
// middleware in sight: the customer portal (p), the staff admin view (a) and
// the JSON API v1 (v1), with the sign-in and session routes between them.
func (s *Server) routes(a *admin.Handlers, v1 *api.Handlers) {
	e := s.echo
	e.Use(s.logRequests, s.recoverPanics, s.securityHeaders, s.limitBody)

	// Operations and assets: no session, no CSRF.
	e.GET("/healthz", s.healthz)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static.FS))))

	// JSON API v1: API key, no cookies, no CSRF.
	apiV1 := e.Group("/api/v1")
	// -- api routes --
	apiV1.GET("/openapi.json", v1.OpenAPI)
	keyed := apiV1.Group("", v1.RequireKey)
	keyed.PUT("/orders/:ref", v1.OrderPut)
	keyed.GET("/orders/:ref", v1.OrderGet)
	keyed.POST("/orders/:ref/status", v1.OrderStatus)
	keyed.RouteNotFound("/*", v1.NoRoute)

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
	staff.GET("", a.Home)
	// -- admin routes --
	staff.GET("/counts", a.Counts)
	staff.GET("/events", a.Events)
	staff.GET("/inquiries/:id", a.Inquiry)
	staff.POST("/inquiries/:id/reply", a.InquiryReply)
	staff.POST("/inquiries/:id/notes", a.InquiryNote)
	staff.POST("/inquiries/:id/reassign", a.InquiryReassign)
	staff.POST("/inquiries/:id/third-party", a.InquiryThirdParty)
	staff.POST("/inquiries/:id/resolve", a.InquiryResolve)
	staff.GET("/customers", a.Customers)
	staff.GET("/customers/:id", a.Customer)
	staff.POST("/customers/:id/facts", a.FactAdd)
	staff.POST("/customers/:id/facts/:fact", a.FactUpdate)
	staff.GET("/escalations", a.Escalations)
	staff.GET("/orders", a.Orders)
	staff.GET("/orders/:ref", a.Order)
	staff.POST("/orders/:ref/status", a.OrderStatus)
	staff.POST("/orders/:ref/delivered", a.OrderDelivered)
	staff.POST("/orders/:ref/expected", a.OrderExpected)
	staff.POST("/orders/:ref/reassign", a.OrderReassign)
	staff.POST("/escalations/:id/acknowledge", a.EscalationAcknowledge)
	staff.POST("/escalations/:id/resolve", a.EscalationResolve)
	staff.POST("/escalations/:id/reassign", a.EscalationReassign)
	staff.POST("/customers/:id/inquiries", a.CustomerInquiry)
	admin := staff.Group("", s.requireAdmin)
	_ = admin
	// -- admin-only routes --
	admin.GET("/import", a.ImportForm)
	admin.POST("/import", a.Import) // streams its upload (limitBody allows 256 MiB here)
	admin.GET("/api-keys", a.APIKeys)
	admin.POST("/api-keys", a.APIKeyCreate)
	admin.POST("/api-keys/:id/revoke", a.APIKeyRevoke)
	admin.GET("/staff", a.StaffList)
	admin.GET("/staff/new", a.StaffNew)
	admin.POST("/staff", a.StaffCreate)
	admin.GET("/staff/:id", a.StaffEdit)
	admin.POST("/staff/:id", a.StaffUpdate)
	admin.POST("/staff/:id/deactivate", a.StaffDeactivate)
	admin.POST("/staff/:id/activate", a.StaffActivate)
	admin.GET("/settings", a.Settings)
	admin.POST("/settings", a.SettingsSave)
	admin.GET("/outbox", a.Outbox)
	admin.POST("/outbox/:id/retry", a.OutboxRetry)
}
