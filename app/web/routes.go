package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/web/admin"
	"github.com/kedja/kedja/app/web/api"
	"github.com/kedja/kedja/app/web/portal"
	"github.com/kedja/kedja/static"
)

// routes is the whole route table, readable top to bottom, with each group's
// middleware in sight: the customer portal (p), the staff admin view (a) and
// the JSON API v1 (v1), with the sign-in and session routes between them.
func (s *Server) routes(p *portal.Handlers, a *admin.Handlers, v1 *api.Handlers) {
	e := s.echo
	e.Use(s.metrics.Middleware) // outermost: it times the whole request and counts the status sent
	e.Use(s.logRequests, s.recoverPanics, s.securityHeaders, s.limitBody)

	// Operations and assets: no session, no CSRF.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.metrics.Ready)
	e.GET("/metrics", s.metrics.Serve)
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
	browser := e.Group("", s.csrf, s.loadSessions)

	// Customer sign-in (anonymous).
	browser.GET("/login", s.loginForm)
	browser.POST("/login", s.loginRequest, s.limitSignIn)
	browser.GET("/auth/:token", s.authConfirm)
	browser.HEAD("/auth/:token", s.authConfirm)
	browser.POST("/auth/:token", s.authConsume, s.limitSignIn)
	browser.POST("/logout", s.logout)
	// -- customer sign-in routes --
	browser.POST("/login/code", s.loginCode, s.limitSignIn)
	browser.POST("/signout-everywhere", s.signOutEverywhere, s.requireCustomer)

	// Customer portal: a customer session.
	customerPages := browser.Group("", s.requireCustomer)
	customerPages.GET("/", p.Dashboard, s.cachePage)
	// -- portal routes --
	customerPages.GET("/orders/:ref", p.Order, s.cachePage)
	customerPages.POST("/orders/:ref/escalate", p.OrderEscalate)
	customerPages.GET("/inquiries/new", p.InquiryNew)
	customerPages.POST("/inquiries", p.InquiryCreate)
	customerPages.GET("/inquiries/:id", p.Inquiry, s.cachePage)
	customerPages.POST("/inquiries/:id/messages", p.InquiryReply)
	customerPages.POST("/inquiries/:id/escalate", p.InquiryEscalate)
	customerPages.POST("/inquiries/:id/reopen", p.InquiryReopen)
	customerPages.GET("/inquiries/:id/feedback", p.FeedbackConfirm) // a mail link: GET only asks
	customerPages.POST("/inquiries/:id/feedback", p.Feedback)
	customerPages.GET("/orders/:ref/not-arrived", p.NotArrivedConfirm) // a mail link: GET only asks
	customerPages.POST("/orders/:ref/not-arrived", p.NotArrived)
	customerPages.GET("/me", p.Me)
	customerPages.POST("/me", p.MeSave)
	customerPages.POST("/me/facts/:id", p.MeFact)
	customerPages.GET("/events", p.Events)
	browser.POST("/lang", p.SetLanguage)

	// Staff sign-in (anonymous).
	browser.GET("/admin/login", s.staffLoginForm)
	browser.POST("/admin/login", s.staffLoginRequest, s.limitSignIn)
	browser.GET("/admin/auth/:token", s.staffAuthConfirm)
	browser.HEAD("/admin/auth/:token", s.staffAuthConfirm)
	browser.POST("/admin/auth/:token", s.staffAuthConsume, s.limitSignIn)
	browser.POST("/admin/logout", s.staffLogout)
	// -- staff sign-in routes --
	browser.POST("/admin/login/code", s.staffLoginCode, s.limitSignIn)

	// Staff admin view: a staff session; admin-only parts need the admin flag.
	staffPages := browser.Group("/admin", s.requireStaff)
	staffPages.GET("", a.Home)
	// -- admin routes --
	staffPages.GET("/counts", a.Counts)
	staffPages.GET("/events", a.Events)
	staffPages.GET("/inquiries/:id", a.Inquiry)
	staffPages.POST("/inquiries/:id/reply", a.InquiryReply)
	staffPages.POST("/inquiries/:id/notes", a.InquiryNote)
	staffPages.POST("/inquiries/:id/reassign", a.InquiryReassign)
	staffPages.POST("/inquiries/:id/third-party", a.InquiryThirdParty)
	staffPages.POST("/inquiries/:id/resolve", a.InquiryResolve)
	staffPages.POST("/inquiries/:id/move", a.InquiryMove)
	staffPages.GET("/promises", a.Promises)
	staffPages.GET("/late-orders", a.LateOrders)
	staffPages.GET("/customers", a.Customers)
	staffPages.GET("/customers/:id", a.Customer)
	staffPages.POST("/customers/:id/facts", a.FactAdd)
	staffPages.POST("/customers/:id/facts/:fact", a.FactUpdate)
	staffPages.GET("/escalations", a.Escalations)
	staffPages.GET("/orders", a.Orders)
	staffPages.GET("/orders/:ref", a.Order)
	staffPages.POST("/orders/:ref/status", a.OrderStatus)
	staffPages.POST("/orders/:ref/delivered", a.OrderDelivered)
	staffPages.POST("/orders/:ref/expected", a.OrderExpected)
	staffPages.POST("/orders/:ref/reassign", a.OrderReassign)
	staffPages.POST("/escalations/:id/acknowledge", a.EscalationAcknowledge)
	staffPages.POST("/escalations/:id/resolve", a.EscalationResolve)
	staffPages.POST("/escalations/:id/reassign", a.EscalationReassign)
	staffPages.POST("/customers/:id/inquiries", a.CustomerInquiry)
	adminPages := staffPages.Group("", s.requireAdmin)
	// -- admin-only routes --
	adminPages.GET("/import", a.ImportForm)
	adminPages.POST("/import", a.Import) // streams its upload (limitBody allows 256 MiB here)
	adminPages.GET("/api-keys", a.APIKeys)
	adminPages.POST("/api-keys", a.APIKeyCreate)
	adminPages.POST("/api-keys/:id/revoke", a.APIKeyRevoke)
	adminPages.GET("/staff", a.StaffList)
	adminPages.GET("/staff/new", a.StaffNew)
	adminPages.POST("/staff", a.StaffCreate)
	adminPages.GET("/staff/:id", a.StaffEdit)
	adminPages.POST("/staff/:id", a.StaffUpdate)
	adminPages.POST("/staff/:id/deactivate", a.StaffDeactivate)
	adminPages.POST("/staff/:id/activate", a.StaffActivate)
	adminPages.GET("/settings", a.Settings)
	adminPages.POST("/settings", a.SettingsSave)
	adminPages.GET("/outbox", a.Outbox)
	adminPages.POST("/outbox/:id/retry", a.OutboxRetry)
}
