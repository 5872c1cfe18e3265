package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/domain/settings"
	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/metrics"
	kmodel "github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/app/web"
)

// clock is a controllable clock, and a heartbeat that beats when told.
type clock struct {
	mu   sync.Mutex
	t    time.Time
	beat time.Time
}

func (c *clock) now() time.Time         { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration)    { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) LastBeat() time.Time    { c.mu.Lock(); defer c.mu.Unlock(); return c.beat }
func (c *clock) beatNow()               { c.mu.Lock(); c.beat = c.t; c.mu.Unlock() }
func (c *clock) set(t time.Time) *clock { c.t, c.beat = t, t; return c }

// server is the real web server (route table, middleware, error handler)
// with metrics built on s.
func server(t *testing.T, s *store.Store, clk *clock) (*metrics.Metrics, http.Handler) {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"KEDJA_BASE_URL": "http://portal.test"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	m, err := metrics.New(metrics.Options{Store: s, Worker: clk, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	inq := &inquiries.Service{Store: s, Now: clk.now}
	srv, err := web.New(web.Deps{Config: cfg, Store: s, Catalog: cat, Now: clk.now, Metrics: m,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Inquiries: inq, Escalations: &escalations.Service{Store: s, Now: clk.now, Inquiries: inq},
		Staff: &staff.Service{Store: s, Now: clk.now}, Settings: &settings.Service{Store: s}})
	if err != nil {
		t.Fatal(err)
	}
	return m, srv.Handler()
}

func do(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader("{}")))
	return rec
}

func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := do(t, h, http.MethodGet, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("the Prometheus text parser refuses /metrics: %v", err)
	}
	return fams
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// value is the one value of a family without labels, or of the series
// whose label k has value v.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, kv ...string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no %s in /metrics", name)
	}
	for _, m := range f.GetMetric() {
		if len(kv) == 2 && label(m, kv[0]) != kv[1] {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("%s%v: no such series", name, kv)
	return 0
}

// TestMetricsScrape makes requests through the real router, then scrapes
// /metrics and reads it with the Prometheus text parser.
func TestMetricsScrape(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := (&clock{}).set(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
		m, h := server(t, s, clk)
		// Mail: two waiting (the oldest queued 90 s ago), one sent, one failed.
		for i, st := range []string{kmodel.MailPending, kmodel.MailPending, kmodel.MailSent, kmodel.MailFailed} {
			msg := &kmodel.OutboxMessage{IdempotencyKey: "k" + string(rune('a'+i)), Template: "order_shipped", Locale: "en",
				ToEmail: "ann@example.com", CreatedAt: clk.now().Add(-time.Duration(90-i) * time.Second)}
			if _, err := s.Enqueue(ctx, msg); err != nil {
				t.Fatal(err)
			}
			if _, err := s.IDB().NewUpdate().Model((*kmodel.OutboxMessage)(nil)).Set("state = ?", st).Where("id = ?", msg.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range []struct {
			method, path string
			status       int
		}{
			{http.MethodGet, "/healthz", 200},
			{http.MethodGet, "/healthz", 200},
			{http.MethodPut, "/api/v1/orders/SECRET-REF-1", 401},
			{http.MethodGet, "/orders/SECRET-REF-2", 303},
			{http.MethodGet, "/no/such/page", 303}, // no route: the portal's catch-all sends to sign-in
		} {
			if rec := do(t, h, r.method, r.path); rec.Code != r.status {
				t.Fatalf("%s %s: %d, want %d", r.method, r.path, rec.Code, r.status)
			}
		}
		m.StreamOpened()
		m.StreamOpened()
		m.StreamClosed()
		m.PromiseBreached()

		fams := scrape(t, h)
		for name := range fams {
			if !strings.HasPrefix(name, "kedja_") {
				t.Errorf("metric %s does not start with kedja_", name)
			}
		}
		want := map[string]uint64{"GET /healthz 200": 2, "PUT /api/v1/orders/:ref 401": 1, "GET /orders/:ref 303": 1}
		got := map[string]uint64{}
		for _, sm := range fams["kedja_http_request_duration_seconds"].GetMetric() {
			key := label(sm, "method") + " " + label(sm, "route") + " " + label(sm, "status")
			got[key] = sm.GetHistogram().GetSampleCount()
			if strings.Contains(key, "SECRET") || strings.Contains(key, "/no/such") {
				t.Errorf("a raw URL reached a label: %q", key)
			}
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("requests %q: %d observed, want %d (all: %v)", k, got[k], n, got)
			}
		}
		var total uint64
		for _, n := range got {
			total += n
		}
		if total != 5 {
			t.Errorf("%d requests observed, want 5: %v", total, got)
		}
		checks := []struct {
			name string
			kv   []string
			want float64
		}{
			{"kedja_outbox_depth", nil, 2},
			{"kedja_outbox_messages", []string{"state", "pending"}, 2},
			{"kedja_outbox_messages", []string{"state", "sent"}, 1},
			{"kedja_outbox_messages", []string{"state", "failed"}, 1},
			{"kedja_outbox_messages", []string{"state", "sending"}, 0},
			{"kedja_outbox_oldest_unsent_age_seconds", nil, 90},
			{"kedja_event_streams_open", nil, 1},
			{"kedja_promise_breaches_total", nil, 1},
		}
		for _, c := range checks {
			if v := value(t, fams, c.name, c.kv...); v != c.want {
				t.Errorf("%s%v = %v, want %v", c.name, c.kv, v, c.want)
			}
		}
		pool := "main"
		if s.Dialect() == "sqlite" {
			pool = "writer"
		}
		if v := value(t, fams, "kedja_go_sql_max_open_connections", "db_name", pool); v < 1 {
			t.Errorf("pool %s: max open connections %v", pool, v)
		}
		// The outbox is read at scrape time: a mail sent elsewhere shows.
		if _, err := s.IDB().NewUpdate().Model((*kmodel.OutboxMessage)(nil)).Set("state = 'sent'").Where("state = 'pending'").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		fams = scrape(t, h)
		if d, a := value(t, fams, "kedja_outbox_depth"), value(t, fams, "kedja_outbox_oldest_unsent_age_seconds"); d != 0 || a != 0 {
			t.Errorf("after sending: depth %v, oldest age %v", d, a)
		}
	})
}

func TestReadyz(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := (&clock{}).set(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
		_, h := server(t, s, clk)
		ready := func(want int, says string) {
			t.Helper()
			rec := do(t, h, http.MethodGet, "/readyz")
			if rec.Code != want || !strings.Contains(rec.Body.String(), says) {
				t.Fatalf("GET /readyz: %d %q, want %d with %q", rec.Code, rec.Body, want, says)
			}
		}
		ready(200, "ready")
		clk.add(2 * time.Minute) // the worker has not beaten since
		ready(503, "outbox worker: last seen 2m0s ago")
		clk.beatNow()
		ready(200, "ready")

		// A database behind this binary: a migration not applied.
		var last string
		if err := s.RIDB().NewRaw("SELECT name FROM bun_migrations ORDER BY name DESC LIMIT 1").Scan(ctx, &last); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IDB().NewRaw("DELETE FROM bun_migrations WHERE name = ?", last).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		_, h2 := server(t, s, clk)
		if rec := do(t, h2, http.MethodGet, "/readyz"); rec.Code != 503 || !strings.Contains(rec.Body.String(), "migrations: 1 pending ("+last) {
			t.Fatalf("with a migration pending: %d %q", rec.Code, rec.Body)
		}
		// The database gone.
		s.Close()
		ready(503, "database:")
	})
}
