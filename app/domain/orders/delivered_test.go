package orders_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestHistoryMailsNoOne: a backfill of 10,000 orders delivered long ago
// (CSV, with delivered_at) queues no delivery confirmation and no order
// confirmation; a delivery in the last 48 hours, or one without
// delivered_at (now), is confirmed once.
func TestHistoryMailsNoOne(t *testing.T) {
	n := 10_000
	if raceDetector {
		n = 1_000
	}
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		sh := newCSVShop(t, s)
		pr, pw := io.Pipe()
		go func() {
			bw := bufio.NewWriter(pw)
			fmt.Fprintln(bw, "order_ref,customer_email,customer_locale,status,placed_at,delivered_at,owner_email")
			for i := 0; i < n; i++ {
				placed := sh.now.AddDate(-1, 0, -i%300)
				fmt.Fprintf(bw, "H-%05d,h%04d@example.com,sv,delivered,%s,%s,anna@shop.example\n", i, i%3000,
					placed.Format(time.RFC3339), placed.Add(26*time.Hour).Format(time.RFC3339))
			}
			pw.CloseWithError(bw.Flush())
		}()
		sum, err := sh.loadFrom(t, pr)
		if err != nil || sum != (orders.Summary{Rows: n, Created: n}) {
			t.Fatalf("%#v %v %v", sum, err, sh.errs)
		}
		if m := sh.count(t, "outbox"); m != 0 {
			t.Fatalf("%d historical delivered orders queued %d emails, want none", n, m)
		}
		o := sh.order(t, "H-00007")
		want := sh.now.AddDate(-1, 0, -7).Add(26 * time.Hour)
		if o.DeliveredAt == nil || !o.DeliveredAt.Equal(want) || o.Status != model.OrderDelivered {
			t.Fatalf("H-00007 delivered at %v, want %v", o.DeliveredAt, want)
		}

		recent := sh.now.Add(-3 * time.Hour).Format(time.RFC3339)
		sh.mustLoad(t, "order_ref,customer_email,customer_locale,status,delivered_at\n"+
			"F-1,fresh@example.com,da,delivered,"+recent+"\n"+
			"F-2,fresh@example.com,da,delivered,\n"+
			"F-3,fresh@example.com,da,delivered,"+sh.now.Add(-49*time.Hour).Format(time.RFC3339)+"\n",
			orders.Summary{Rows: 3, Created: 3})
		if m := sh.countWhere(t, "outbox", "template = ? AND locale = 'da'", notify.DeliveryConfirmation); m != 2 {
			t.Fatalf("%d delivery confirmations for deliveries 3 hours ago, now and 49 hours ago; want 2", m)
		}
		if m := sh.count(t, "outbox"); m != 2 {
			t.Fatalf("%d emails in all, want the 2 confirmations", m)
		}
		if o := sh.order(t, "F-2"); o.DeliveredAt == nil || !o.DeliveredAt.Equal(sh.now) {
			t.Fatalf("F-2 without delivered_at: delivered at %v, want now", o.DeliveredAt)
		}
	})
}

// TestDeliveredAt: the API body's delivered_at is stored; it is refused on
// an order that is not delivered and in the future; a new time on a
// delivered order is a correction in the timeline, with no second email.
func TestDeliveredAt(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		decode := func(body string) (*orders.Input, error) {
			in, err := orders.DecodeJSON([]byte(body), "BQ-7")
			if err == nil {
				err = in.Normalize()
			}
			return in, err
		}
		var fe *orders.FieldError
		if _, err := decode(`{"customer": {"email": "ann@example.com"}, "status": "shipped", "delivered_at": "2026-11-20T10:00:00Z"}`); !errors.As(err, &fe) || fe.Field != "delivered_at" {
			t.Fatalf("delivered_at on a shipped order: %v", err)
		}
		if _, err := decode(`{"customer": {"email": "ann@example.com"}, "status": "delivered", "delivered_at": "yesterday"}`); !errors.As(err, &fe) || fe.Field != "delivered_at" {
			t.Fatalf("delivered_at not a time: %v", err)
		}
		in, err := decode(`{"customer": {"email": "ann@example.com"}, "status": "delivered", "delivered_at": "2026-11-24T12:00:00Z"}`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := orders.Upsert(ctx, s, f.hub, in, shop, f.now); !errors.As(err, &fe) || fe.Field != "delivered_at" {
			t.Fatalf("a delivery 3 hours in the future: %v", err)
		}
		if n := f.count(t, "orders", "1 = 1"); n != 0 {
			t.Fatalf("%d orders after a refused body", n)
		}

		in, err = decode(`{"customer": {"email": "ann@example.com", "locale": "nl"}, "status": "delivered", "delivered_at": "2026-11-24T07:30:00+01:00"}`)
		if err != nil {
			t.Fatal(err)
		}
		r, err := orders.Upsert(ctx, s, f.hub, in, shop, f.now)
		if err != nil || !r.Created {
			t.Fatalf("%+v %v", r, err)
		}
		at := time.Date(2026, 11, 24, 6, 30, 0, 0, time.UTC)
		if o := r.Order; o.DeliveredAt == nil || !o.DeliveredAt.Equal(at) || o.DeliveryConfirmedBy != "Blomsterhuset" {
			t.Fatalf("delivered at %v by %q", o.DeliveredAt, o.DeliveryConfirmedBy)
		}
		if n := f.count(t, "outbox", "template = ? AND locale = 'nl'", notify.DeliveryConfirmation); n != 1 {
			t.Fatalf("%d confirmations of a delivery 2.5 hours ago", n)
		}
		events := f.count(t, "timeline_events", "1 = 1")
		in, _ = decode(`{"customer": {"email": "ann@example.com", "locale": "nl"}, "status": "delivered", "delivered_at": "2026-11-24T08:00:00Z"}`)
		r, err = orders.Upsert(ctx, s, f.hub, in, shop, f.now)
		if err != nil || !r.Changed || r.Order.DeliveredAt == nil || !r.Order.DeliveredAt.Equal(at.Add(90*time.Minute)) {
			t.Fatalf("correction: %+v %v", r, err)
		}
		if n := f.count(t, "timeline_events", "1 = 1"); n != events+1 {
			t.Fatalf("the correction wrote %d events, want 1", n-events)
		}
		if n := f.count(t, "outbox", "template = ?", notify.DeliveryConfirmation); n != 1 {
			t.Fatalf("%d confirmations after a correction, want still 1", n)
		}
		// An old time on the status API: recorded, not mailed.
		f.upsert(t, input("BQ-8", model.OrderShipped))
		old := f.now.Add(-72 * time.Hour)
		if _, _, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-8", orders.Change{Status: model.OrderDelivered, At: &old}, shop, f.now); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "outbox", "template = ?", notify.DeliveryConfirmation); n != 1 {
			t.Fatalf("a delivery 72 hours ago was mailed: %d confirmations", n)
		}
	})
}

// TestOrderConfirmation: a new order mails its customer one confirmation in
// their language, naming its owner; not for orders created delivered,
// cancelled or returned, nor placed more than 48 hours ago, nor when the
// business turned it off.
func TestOrderConfirmation(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		confirmations := func() []*model.OutboxMessage {
			t.Helper()
			var list []*model.OutboxMessage
			if err := s.RIDB().NewSelect().Model(&list).Where("template = ?", notify.OrderConfirmation).Order("id").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			return list
		}
		in := input("C-1", model.OrderConfirmed)
		in.CustomerLocale = "sv"
		in.Items = []model.Item{{Name: "Roses", Quantity: 2}, {Name: "Card", Quantity: 1}}
		f.upsert(t, in)
		list := confirmations()
		if len(list) != 1 {
			t.Fatalf("%d order confirmations, want 1", len(list))
		}
		m := list[0]
		if m.Locale != "sv" || m.ToEmail != "ann.jensen@example.com" || m.Data["owner_name"] != "Anna Holm" ||
			m.Data["items"] != "2× Roses\n1× Card" || m.Data["total"] != "499.00 DKK" || m.Data["path"] != "/orders/C-1" {
			t.Fatalf("confirmation %+v", m)
		}
		// Again, and a change of status: no second confirmation.
		in = input("C-1", model.OrderConfirmed)
		in.CustomerLocale = "sv"
		in.Items = []model.Item{{Name: "Roses", Quantity: 2}, {Name: "Card", Quantity: 1}}
		f.upsert(t, in)
		f.upsert(t, input("C-1", model.OrderShipped))
		if n := len(confirmations()); n != 1 {
			t.Fatalf("%d confirmations after a repeat and a change", n)
		}

		shipped := input("C-2", model.OrderShipped)
		f.upsert(t, shipped)
		if n := len(confirmations()); n != 2 || f.count(t, "outbox", "template = ? AND data LIKE ?", notify.OrderShipped, "%C-2%") != 1 {
			t.Fatalf("a new shipped order: %d confirmations in all, want 2, and its notice", n)
		}
		for _, st := range []string{model.OrderDelivered, model.OrderCancelled, model.OrderReturned} {
			f.upsert(t, input("C-"+st, st))
		}
		old := input("C-old", model.OrderReceived)
		placed := f.now.Add(-49 * time.Hour)
		old.PlacedAt = &placed
		f.upsert(t, old)
		recent := input("C-recent", model.OrderReceived)
		placed2 := f.now.Add(-47 * time.Hour)
		recent.PlacedAt = &placed2
		f.upsert(t, recent)
		var refs []string
		for _, m := range confirmations() {
			refs = append(refs, m.Data["order_ref"])
		}
		if strings.Join(refs, " ") != "C-1 C-2 C-recent" {
			t.Fatalf("confirmations for %v, want C-1 C-2 C-recent", refs)
		}

		if err := s.SetOrderConfirmation(ctx, false); err != nil {
			t.Fatal(err)
		}
		f.upsert(t, input("C-off", model.OrderReceived))
		if n := len(confirmations()); n != 3 {
			t.Fatalf("with the setting off: %d confirmations, want still 3", n)
		}
		st, err := s.Settings(ctx)
		if err != nil || st.OrderConfirmation {
			t.Fatalf("settings %+v %v", st, err)
		}
	})
}
