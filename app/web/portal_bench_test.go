package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/escalations"
	"github.com/kedja/kedja/app/domain/inquiries"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// seedOrders bulk-loads n orders spread over n/10 customers (multi-row
// inserts, 1,000 rows a statement) owned by 20 staff members, and gives the
// customer it returns 60 orders and 12 inquiries of their own, a few
// escalated: a full first dashboard page and a second one.
func seedOrders(tb testing.TB, s *store.Store, n int, now time.Time) (*model.Customer, *model.Order) {
	tb.Helper()
	ctx := context.Background()
	if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
		tb.Fatal(err)
	}
	db := s.IDB()
	boss := &model.Staff{Email: "boss@shop.example", FullName: "Birgit Lund", Title: "Store manager", Active: true, IsAdmin: true}
	if _, err := s.SaveStaff(ctx, boss); err != nil {
		tb.Fatal(err)
	}
	staff := []*model.Staff{boss}
	for i := 1; i < 20; i++ {
		st := &model.Staff{Email: fmt.Sprintf("s%d@shop.example", i), FullName: fmt.Sprintf("Staff Member%d", i),
			Title: "Florist", Phone: "+45 12 34 56 78", ManagerID: &boss.ID, Active: true}
		if _, err := s.SaveStaff(ctx, st); err != nil {
			tb.Fatal(err)
		}
		staff = append(staff, st)
	}
	nCust := n/10 + 1
	custs := make([]*model.Customer, 0, nCust)
	for i := 0; i < nCust; i++ {
		custs = append(custs, &model.Customer{Email: fmt.Sprintf("c%d@example.com", i), Name: fmt.Sprintf("Customer %d", i),
			Locale: "da", CreatedAt: now, UpdatedAt: now})
	}
	for i := 0; i < len(custs); i += 1000 {
		chunk := custs[i:min(i+1000, len(custs))]
		if _, err := db.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	me := custs[0]
	items := []model.Item{{Name: "Condolence bouquet, white", Quantity: 1}, {Name: "Card", Quantity: 2}}
	orders := make([]*model.Order, 0, 1000)
	flush := func() {
		if len(orders) == 0 {
			return
		}
		if _, err := db.NewInsert().Model(&orders).Exec(ctx); err != nil {
			tb.Fatal(err)
		}
		orders = orders[:0]
	}
	var mine *model.Order
	for i := 0; i < n; i++ {
		c := custs[1+i%(nCust-1)]
		if i < 60 {
			c = me
		}
		status := model.OrderStatuses[i%len(model.OrderStatuses)]
		at := now.Add(-time.Duration(i%5000) * time.Minute)
		placed := at.Add(-48 * time.Hour)
		o := &model.Order{Ref: fmt.Sprintf("BQ-%07d", i), CustomerID: c.ID, OwnerID: staff[i%20].ID, Status: status,
			IsOpen: model.OrderIsOpen(status), PlacedAt: &placed, ExpectedDelivery: "2026-11-24", Items: items,
			Total: "1250.00", Currency: "DKK", Carrier: "PostNord", TrackingNumber: "00370712345",
			TrackingURL: "https://tracking.example/00370712345", RecipientName: "Birthe Hansen",
			LastActivityAt: at, CreatedAt: at, UpdatedAt: at}
		if status == model.OrderDelivered {
			o.DeliveredAt, o.DeliveryConfirmedBy = &at, "Staff Member1"
		}
		orders = append(orders, o)
		if i == 0 {
			flush()
			mine = o
		}
		if len(orders) == 1000 {
			flush()
		}
	}
	flush()
	for i := 0; i < 12; i++ {
		q, err := inquiriesAt(s, nil, now.Add(-time.Duration(i)*time.Hour)).Open(ctx, me.ID,
			inquiries.Question{Subject: fmt.Sprintf("Question %d", i), Body: "Where is my order?"},
			model.Actor{Kind: model.ActorCustomer, Name: me.Name})
		if err != nil {
			tb.Fatal(err)
		}
		if i%4 == 0 {
			if _, _, err := escalationsAt(s, nil, now).Escalate(ctx, me.ID, escalations.Subject{InquiryID: q.ID}, "", model.Actor{Kind: model.ActorCustomer}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for i := 0; i < 5; i++ {
		ev := &model.Event{CustomerID: me.ID, OrderID: &mine.ID, Kind: model.EventStatusChanged, ActorKind: model.ActorStaff,
			ActorName: "Staff Member1", Data: map[string]string{"status": model.OrderStatuses[i]}, CustomerVisible: true, CreatedAt: now}
		if err := s.InsertEvent(ctx, ev); err != nil {
			tb.Fatal(err)
		}
	}
	if _, _, err := escalationsAt(s, nil, now).Escalate(ctx, me.ID, escalations.Subject{OrderRef: mine.Ref}, "", model.Actor{Kind: model.ActorCustomer}); err != nil {
		tb.Fatal(err)
	}
	return me, mine
}

// benchRequest is a signed-in customer's GET, replayed on the handler.
func benchRequest(b *testing.B, a *testApp, c *client, path string) *http.Request {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, ck := range c.hc.Jar.Cookies(mustURL(a.http.URL)) {
		req.AddCookie(ck)
	}
	return req
}

// BenchmarkPortal measures a signed-in customer's dashboard and order page
// on a database of 100,000 orders (KEDJA_BENCH_ORDERS overrides), served
// from the page cache ("cached", what a reload costs) and rendered afresh
// after every change ("fresh": each iteration publishes a change first).
func BenchmarkPortal(b *testing.B) {
	n := 100000
	if v := os.Getenv("KEDJA_BENCH_ORDERS"); v != "" {
		fmt.Sscan(v, &n)
	}
	a := newTestApp(b, "sqlite")
	me, mine := seedOrders(b, a.store, n, model.Normalize(a.clock.Now()))
	c := a.client()
	c.signIn(me.Email, false)
	h := a.srv.Handler()
	topic := live.CustomerTopic(me.ID)
	for _, page := range []struct{ name, path string }{{"dashboard", "/"}, {"order", "/orders/" + mine.Ref}} {
		for _, fresh := range []bool{false, true} {
			name := page.name + "/cached"
			if fresh {
				name = page.name + "/fresh"
			}
			b.Run(name, func(b *testing.B) {
				req := benchRequest(b, a, c, page.path)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if fresh {
						a.hub.Publish(topic, live.Event{Name: "dashboard"})
					}
					w := &discardWriter{h: http.Header{}}
					h.ServeHTTP(w, req)
					if w.code != http.StatusOK || w.n == 0 {
						b.Fatalf("%s: %d, %d bytes", page.path, w.code, w.n)
					}
				}
			})
		}
	}
}

// discardWriter is a ResponseWriter that counts the body and keeps nothing,
// as a network connection would: the benchmark measures the server, not a
// recorder's buffer.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestPortalLoadDatabase builds a database for load tests with wrk when
// KEDJA_LOAD_DB names a file (KEDJA_BENCH_ORDERS orders, default one
// million); it prints the customer to sign in as. Skipped otherwise.
func TestPortalLoadDatabase(t *testing.T) {
	path := os.Getenv("KEDJA_LOAD_DB")
	if path == "" {
		t.Skip("set KEDJA_LOAD_DB to build a load-test database")
	}
	n := 1000000
	if v := os.Getenv("KEDJA_BENCH_ORDERS"); v != "" {
		fmt.Sscan(v, &n)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	me, mine := seedOrders(t, s, n, model.Now())
	t.Logf("sign in as %s; an order of theirs is %s", me.Email, mine.Ref)
}
