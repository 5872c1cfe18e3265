// Package metrics is Kedja's operations surface beside /healthz: GET
// /metrics in the Prometheus text format (CONTRACT.md, "HTTP: operations";
// every name starts with kedja_) and GET /readyz. It uses the official
// client library with its own registry, built by New: no global registry,
// no package-level state, so tests can build as many as they like.
//
// What it measures:
//   - kedja_http_request_duration_seconds{route, method, status}: a
//     histogram by route pattern (echo's c.Path(), never the raw URL, so
//     sign-in tokens and order references stay out) — Middleware;
//   - kedja_event_streams_open: open event streams (StreamOpened and
//     StreamClosed, for the SSE handlers);
//   - kedja_promise_breaches_total: missed promises (PromiseBreached, for
//     the automatic checks);
//   - kedja_outbox_messages{state}, kedja_outbox_depth and
//     kedja_outbox_oldest_unsent_age_seconds: read from the outbox table at
//     scrape time, so they count every instance's mail and the mailer
//     reports nothing itself;
//   - kedja_go_sql_*{db_name}: the database pools (the client's DB stats
//     collector), plus the Go runtime and process collectors under kedja_.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kedja/kedja/app/store"
)

// Heartbeat is what the outbox worker reports through: when its loop last
// showed it was alive. Readiness fails when that is older than
// Options.WorkerStale.
type Heartbeat interface {
	LastBeat() time.Time
}

// Options is what New needs.
type Options struct {
	Store *store.Store
	// Worker is the outbox worker's heartbeat; nil: readiness does not
	// check a worker (an instance that sends no mail).
	Worker Heartbeat
	// WorkerStale is how old the last beat may be; 0: one minute.
	WorkerStale time.Duration
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Metrics holds the registry and the instruments. A nil *Metrics is
// valid: its middleware passes requests through and its instruments do
// nothing, so servers built without one (tests) work unchanged.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	streams  prometheus.Gauge
	breaches prometheus.Counter
	ready    *readiness
	serve    http.Handler
}

// New builds the registry with every collector. It fails only if two
// collectors clash, which is a programming error.
func New(o Options) (*Metrics, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.WorkerStale <= 0 {
		o.WorkerStale = time.Minute
	}
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kedja_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern, method and status (event streams: how long they stayed open).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kedja_event_streams_open",
			Help: "Event streams (Server-Sent Events) open on this instance.",
		}),
		breaches: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kedja_promise_breaches_total",
			Help: "Promises found missed by the automatic checks on this instance.",
		}),
		ready: &readiness{store: o.Store, worker: o.Worker, stale: o.WorkerStale, now: o.Now},
	}
	prefixed := prometheus.WrapRegistererWithPrefix("kedja_", reg)
	cs := []prometheus.Collector{m.requests, m.streams, m.breaches, newOutboxCollector(o.Store, o.Now)}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	if o.Store != nil {
		for name, db := range o.Store.Pools() {
			if err := prefixed.Register(collectors.NewDBStatsCollector(db, name)); err != nil {
				return nil, err
			}
		}
	}
	for _, c := range []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := prefixed.Register(c); err != nil {
			return nil, err
		}
	}
	m.serve = promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return m, nil
}

// Registry is the registry, for tests and for registering more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Middleware observes every request's duration under its route pattern
// and final status. Put it outermost (before the request logger, which
// turns errors into responses), so the status is the one sent.
func (m *Metrics) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	if m == nil {
		return next
	}
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			// Nothing outside wrote the answer yet: let echo's error handler
			// write it now, so its status is what is counted.
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "(unmatched)"
		}
		m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(c.Response().Status)).
			Observe(time.Since(start).Seconds())
		return nil
	}
}

// Serve answers GET /metrics in the Prometheus text format.
func (m *Metrics) Serve(c echo.Context) error {
	if m == nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	m.serve.ServeHTTP(c.Response(), c.Request())
	return nil
}

// StreamOpened counts an event stream opening; call StreamClosed when it ends.
func (m *Metrics) StreamOpened() {
	if m != nil {
		m.streams.Inc()
	}
}

// StreamClosed counts an event stream ending.
func (m *Metrics) StreamClosed() {
	if m != nil {
		m.streams.Dec()
	}
}

// PromiseBreached counts one missed promise.
func (m *Metrics) PromiseBreached() {
	if m != nil {
		m.breaches.Inc()
	}
}

// outboxCollector reads the outbox table at scrape time.
type outboxCollector struct {
	store                   *store.Store
	now                     func() time.Time
	messages, depth, oldest *prometheus.Desc
}

func newOutboxCollector(s *store.Store, now func() time.Time) *outboxCollector {
	return &outboxCollector{store: s, now: now,
		messages: prometheus.NewDesc("kedja_outbox_messages",
			"Outbox rows by state (sent rows are purged 30 days after sending).", []string{"state"}, nil),
		depth: prometheus.NewDesc("kedja_outbox_depth",
			"Mail waiting to be sent: outbox rows pending or being sent.", nil, nil),
		oldest: prometheus.NewDesc("kedja_outbox_oldest_unsent_age_seconds",
			"Age of the oldest mail not yet sent; 0 when none waits.", nil, nil),
	}
}

// outboxStates are reported even when no row is in them, so a series never
// disappears.
func outboxStates() []string { return []string{"pending", "sending", "sent", "failed"} }

func (oc *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- oc.messages
	ch <- oc.depth
	ch <- oc.oldest
}

func (oc *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	if oc.store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := oc.store.OutboxStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(oc.depth, err)
		return
	}
	for _, state := range outboxStates() {
		ch <- prometheus.MustNewConstMetric(oc.messages, prometheus.GaugeValue, float64(st.ByState[state]), state)
	}
	ch <- prometheus.MustNewConstMetric(oc.depth, prometheus.GaugeValue, float64(st.ByState["pending"]+st.ByState["sending"]))
	age := 0.0
	if st.OldestUnsent != nil {
		age = max(oc.now().Sub(*st.OldestUnsent).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(oc.oldest, prometheus.GaugeValue, age)
}

// Ready answers GET /readyz: 200 "ready" when this instance can serve —
// the database answers, no migration of this binary is pending and the
// outbox worker's heartbeat is fresh — else 503 with what is wrong, one
// reason a line.
func (m *Metrics) Ready(c echo.Context) error {
	if m == nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if probs := m.ready.check(ctx); len(probs) > 0 {
		out := "not ready\n"
		for _, p := range probs {
			out += p + "\n"
		}
		return c.String(http.StatusServiceUnavailable, out)
	}
	return c.String(http.StatusOK, "ready")
}
