// Package web is Kedja's HTTP server: New wires the customer portal
// (package portal), the staff admin view (admin) and the JSON API v1 (api)
// over their shared kit, into one route table (routes.go) with the
// middleware, the sessions and their guards, the CSRF check, the page cache,
// the central error handler, the sign-in pages and the health check.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/metrics"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web/admin"
	"github.com/kedja/kedja/app/web/api"
	"github.com/kedja/kedja/app/web/kit"
	"github.com/kedja/kedja/app/web/portal"
	"github.com/kedja/kedja/views"
)

// Deps is what the server needs, built in main (or a test).
type Deps struct {
	Config  config.Config
	Store   *store.Store
	Catalog *i18n.Catalog
	Bus     live.Bus
	Logger  *slog.Logger
	Now     func() time.Time // the clock; tests pass a controllable one
	Demo    bool             // demo data loaded: the sign-in pages say where links appear

	// The domain's services, built once in main and shared.
	Inquiries   *inquiries.Service
	Escalations *escalations.Service
	Staff       *staff.Service
	Settings    *settings.Service
	Orders      *orders.Service  // nil: one on Store, Bus and Now in the configured time zone
	Metrics     *metrics.Metrics // /metrics, /readyz and request timing; nil: none
}

// Server is the HTTP server.
type Server struct {
	cfg      config.Config
	store    *store.Store
	bus      live.Bus
	log      *slog.Logger
	now      func() time.Time
	views    *kit.Renderer
	layout   *kit.Layout
	echo     *echo.Echo
	cookies  *cookies
	limits   *kit.RateLimiter
	pages    *pageCache
	sessions *sessionCache
	metrics  *metrics.Metrics
}

// New builds the server and its route table. Templates are parsed here, so a
// broken template stops the program at start.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Bus == nil {
		d.Bus = live.NewHub()
	}
	if d.Inquiries == nil || d.Escalations == nil || d.Staff == nil || d.Settings == nil {
		return nil, errors.New("web: the domain services (Deps.Inquiries, Escalations, Staff, Settings) are required")
	}
	if d.Orders == nil {
		d.Orders = &orders.Service{Store: d.Store, Bus: d.Bus, Now: d.Now, Location: d.Config.Location}
	}
	s := &Server{cfg: d.Config, store: d.Store, bus: d.Bus, log: d.Logger, now: d.Now}
	loc := kit.Location(d.Config.Location) // the business's time zone
	s.metrics = d.Metrics
	var err error
	if s.views, err = kit.NewRenderer(views.FS, s.funcs()); err != nil {
		return nil, err
	}
	s.layout = &kit.Layout{Catalog: d.Catalog, BusinessName: d.Config.BusinessName, Demo: d.Demo}
	business, err := d.Store.EnsureSettings(context.Background(), d.Config.BusinessName)
	if err != nil {
		return nil, err
	}
	key := d.Config.SessionKey
	if key == "" {
		key = business.SessionKey
	}
	s.cookies = newCookies(key, d.Config.Secure())
	s.limits = kit.NewRateLimiter(d.Now)
	s.pages = newPageCache(d.Now, d.Bus)
	s.sessions = newSessionCache(d.Bus)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(d.Config.TrustedProxies)
	e.HTTPErrorHandler = s.handleError
	s.echo = e
	customerPages := portal.New(portal.Deps{Reads: d.Store, Writes: d.Store, Inquiries: d.Inquiries, Escalations: d.Escalations,
		Bus: d.Bus, Views: s.views, Layout: s.layout, Location: loc, Now: d.Now, Secure: d.Config.Secure(),
		SessionLive: s.customerSessionLive})
	staffPages := admin.New(admin.Deps{Store: d.Store, Inquiries: d.Inquiries, Escalations: d.Escalations, Staff: d.Staff, Orders: d.Orders,
		Settings: d.Settings, Bus: d.Bus, Views: s.views, Layout: s.layout, Location: loc, Now: d.Now, Log: d.Logger,
		SessionLive: s.staffSessionLive})
	apiV1 := api.New(api.Deps{Store: d.Store, Orders: d.Orders, Bus: d.Bus, Layout: s.layout, Location: loc, Now: d.Now})
	s.routes(customerPages, staffPages, apiV1)
	return s, nil
}

// Handler is the whole HTTP handler, for httptest.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the router, for tests that walk the route table.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Serve answers on ln until ctx is done, then shuts down gracefully: requests
// in flight get up to 10 seconds to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      0, // the event stream stays open; handlers bound their own work
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err2 := <-errc; err2 != nil && !errors.Is(err2, http.ErrServerClosed) && err == nil {
		err = err2
	}
	return err
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"add": func(a, b int) int { return a + b },
	}
}
