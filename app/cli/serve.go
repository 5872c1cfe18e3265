package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/demo"
	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/metrics"
	"github.com/kedja/kedja/app/retention"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/web"
	"github.com/kedja/kedja/mailer"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs, load := flagSet(env, "serve", "serve [--demo] [configuration flags]")
	withDemo := fs.Bool("demo", false, "load the demo data first (idempotent)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	start := time.Now()
	lw := newLogWriter(env.Stderr)
	defer lw.Close()
	log := newLogger(lw)
	cfg, s, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer s.Close()
	defer retention.Start(ctx, s, time.Now, log)() // expired sessions, old tokens and sent mail
	if *withDemo {
		if err := demo.Load(ctx, s, time.Now()); err != nil {
			return err
		}
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	worker, err := mailer.New(cfg, s, log)
	if err != nil {
		return err
	}
	s.OnEnqueue(worker.Wake)
	// With PostgreSQL several instances may run side by side: live events
	// (and the page-cache invalidations they drive) travel by LISTEN/NOTIFY.
	var bus live.Bus = live.NewHub()
	if s.Dialect() == "postgres" {
		pg, err := live.NewPGBus(ctx, cfg.DatabaseURL, "kedja_events", log)
		if err != nil {
			return err
		}
		defer pg.Close()
		bus = pg
	}
	workerLive := metrics.NewRunning(time.Now) // until the worker reports its own heartbeat
	met, err := metrics.New(metrics.Options{Store: s, Worker: workerLive})
	if err != nil {
		return err
	}
	deps := wire(cfg, s, cat, bus, log)
	deps.Demo = *withDemo || cfg.SMTPURL == nil
	deps.Metrics = met
	deps.Escalations.OnBreach = met.PromiseBreached // kedja_promise_breaches_total
	srv, err := web.New(deps)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (KEDJA_ADDR): %w", cfg.Addr, err)
	}
	log.Info("kedja listening", "addr", ln.Addr().String(), "url", cfg.BaseURL.String(), "database", s.Dialect(),
		"smtp", cfg.SMTPURL != nil, "startup", time.Since(start).Round(time.Millisecond))
	if *withDemo && cfg.SMTPURL == nil {
		log.Info("demo: sign in at " + cfg.BaseURL.String() + "/login as ann.jensen@example.com (or /admin/login as mette@blomsterhuset.example); the link appears in this log")
	}
	if env.Ready != nil {
		env.Ready(ln.Addr().String())
	}
	inboundDone := startInbound(ctx, cfg, s, bus, log) // replies and new mail, when configured
	workerDone := make(chan error, 1)
	go func() { workerDone <- workerLive.Run(func() error { return worker.Run(ctx) }) }()
	// A missed promise (a reply, a staff member's own, a third party's
	// date, an expected delivery, a manager's answer) escalates by itself,
	// up the chain while no one answers; safe with several instances.
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		deps.Escalations.Watch(ctx, time.Minute, log)
	}()
	err = srv.Serve(ctx, ln)
	if werr := <-workerDone; err == nil {
		err = werr
	}
	<-watchDone
	inboundDone()
	log.Info("kedja stopped")
	return err
}

// wire builds the domain's services once, over one store, bus and clock,
// and the web server's dependencies around them: the web handlers and the
// overdue watch share the same services.
func wire(cfg config.Config, s *store.Store, cat *i18n.Catalog, bus live.Bus, log *slog.Logger) web.Deps {
	inq := &inquiries.Service{Store: s, Bus: bus, Now: time.Now, Location: cfg.Location, Catalog: cat}
	return web.Deps{Config: cfg, Store: s, Catalog: cat, Bus: bus, Logger: log, Now: time.Now,
		Inquiries:   inq,
		Escalations: &escalations.Service{Store: s, Bus: bus, Now: time.Now, Location: cfg.Location, Inquiries: inq},
		Staff:       &staff.Service{Store: s, Bus: bus, Now: time.Now},
		Settings:    &settings.Service{Store: s, Bus: bus},
		Orders:      &orders.Service{Store: s, Bus: bus, Now: time.Now, Location: cfg.Location},
	}
}
