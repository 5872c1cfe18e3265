package orders_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

var shop = model.Actor{Kind: model.ActorSystem, Name: "API key web-shop"}

// fixture is a shop with two florists and a manager.
type fixture struct {
	s                  *store.Store
	hub                *live.Hub
	mette, anna, jonas *model.Staff
	now                time.Time
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := s.EnsureSettings(ctx, "Blomsterhuset"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, hub: live.NewHub(), now: model.Normalize(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))}
	add := func(email, name, title string, mgr *model.Staff) *model.Staff {
		st := &model.Staff{Email: email, FullName: name, Title: title, Active: true}
		if mgr != nil {
			st.ManagerID = &mgr.ID
		}
		if _, err := s.SaveStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	f.mette = add("mette@shop.example", "Mette Lund", "Store manager", nil)
	f.anna = add("anna@shop.example", "Anna Holm", "Florist", f.mette)
	f.jonas = add("jonas@shop.example", "Jonas Kristensen", "Courier", f.mette)
	return f
}

func input(ref, status string) *orders.Input {
	in := &orders.Input{Ref: ref, CustomerEmail: "ann.jensen@example.com", CustomerName: "Ann Jensen", CustomerLocale: "da",
		Status: status, ExpectedDelivery: "2026-11-26", Items: []model.Item{{Name: "Condolence bouquet, white", Quantity: 1}},
		Total: "499.00", Currency: "DKK", OwnerEmail: "anna@shop.example", Carrier: "PostNord", TrackingNumber: "00370712345",
		TrackingURL: "https://tracking.postnord.example/?id=00370712345", RecipientName: "Birthe Hansen"}
	return in
}

func (f *fixture) upsert(t *testing.T, in *orders.Input) *orders.Result {
	t.Helper()
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
	r, err := orders.Upsert(context.Background(), f.s, f.hub, in, shop, f.now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// count is the number of rows of table matching where.
func (f *fixture) count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := f.s.RIDB().NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (f *fixture) events(t *testing.T, o *model.Order) []*model.Event {
	t.Helper()
	list, err := f.s.OrderEvents(context.Background(), o.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func kinds(list []*model.Event) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Kind+":"+e.Data["status"])
	}
	return out
}

func TestUpsertCreatesAndRepeatsChangeNothing(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ch, cancel := f.hub.Subscribe(live.CustomerTopic(1))
		defer cancel()
		r := f.upsert(t, input("BQ-1001", model.OrderShipped))
		if !r.Created || !r.Changed || r.OwnerAssigned {
			t.Fatalf("first upsert: %+v", r)
		}
		o, err := s.OrderByRef(context.Background(), "BQ-1001")
		if err != nil {
			t.Fatal(err)
		}
		if o.OwnerID != f.anna.ID || o.Status != model.OrderShipped || !o.IsOpen || o.Total != "499.00" || o.Customer.Name != "Ann Jensen" {
			t.Fatalf("stored order: %+v", o)
		}
		if got := kinds(f.events(t, o)); len(got) != 2 || got[0] != "order_placed:received" || got[1] != "status_changed:shipped" {
			t.Fatalf("timeline %v", got)
		}
		if n := f.count(t, "outbox", "template = ?", notify.OrderShipped); n != 1 {
			t.Fatalf("%d shipped notices, want 1", n)
		}
		select {
		case ev := <-ch:
			if ev.Name != live.OrderEvent("BQ-1001") {
				t.Errorf("live event %q", ev.Name)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no live event after the upsert")
		}

		events, mail := f.count(t, "timeline_events", "1 = 1"), f.count(t, "outbox", "1 = 1")
		again := f.upsert(t, input("BQ-1001", model.OrderShipped))
		if again.Created || again.Changed {
			t.Fatalf("second upsert changed something: %+v", again)
		}
		if f.count(t, "timeline_events", "1 = 1") != events || f.count(t, "outbox", "1 = 1") != mail {
			t.Fatal("the same body twice wrote events or mail")
		}
	})
}

func TestUpsertReplaces(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		f.upsert(t, input("BQ-1002", model.OrderConfirmed))

		in := input("BQ-1002", model.OrderProcessing)
		in.ExpectedDelivery, in.TrackingNumber, in.OwnerEmail = "2026-11-27", "00370799999", "jonas@shop.example"
		r := f.upsert(t, in)
		if r.Created || !r.Changed {
			t.Fatalf("replace: %+v", r)
		}
		o, _ := s.OrderByRef(ctx, "BQ-1002")
		if o.Status != model.OrderProcessing || o.ExpectedDelivery != "2026-11-27" || o.TrackingNumber != "00370799999" || o.OwnerID != f.jonas.ID {
			t.Fatalf("replaced order: %+v", o)
		}
		got := kinds(f.events(t, o))
		want := []string{"order_placed:received", "status_changed:confirmed", "status_changed:processing", "expected_changed:", "order_updated:", "handoff:"}
		if len(got) != len(want) {
			t.Fatalf("timeline %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("timeline %v, want %v", got, want)
			}
		}
		for _, e := range f.events(t, o) {
			if e.Kind == orders.KindUpdated && (e.CustomerVisible || e.Data["fields"] != "tracking") {
				t.Errorf("detail change event: %+v", e)
			}
			if e.Kind == "handoff" && (e.Data["from"] != "Anna Holm" || e.Data["to"] != "Jonas Kristensen" || !e.CustomerVisible) {
				t.Errorf("handoff event: %+v", e)
			}
		}
		if n := f.count(t, "outbox", "template = ? AND to_email = ?", notify.Handoff, "jonas@shop.example"); n != 1 {
			t.Errorf("%d handoff mails to the new owner, want 1", n)
		}

		// An unknown owner on replacement keeps the owner, and says so.
		in = input("BQ-1002", model.OrderProcessing)
		in.ExpectedDelivery, in.TrackingNumber, in.OwnerEmail = "2026-11-27", "00370799999", "ghost@shop.example"
		if r := f.upsert(t, in); !r.OwnerAssigned || r.Order.OwnerID != f.jonas.ID {
			t.Errorf("unknown owner_email: %+v", r)
		}
	})
}

func TestUpsertRefusesAndChangesNothing(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		f.upsert(t, input("BQ-1003", model.OrderDelivered))
		events, mail := f.count(t, "timeline_events", "1 = 1"), f.count(t, "outbox", "1 = 1")
		before, _ := s.OrderByRef(ctx, "BQ-1003")

		back := input("BQ-1003", model.OrderShipped)
		other := input("BQ-1003", model.OrderDelivered)
		other.CustomerEmail = "erik@example.se"
		for _, tc := range []struct {
			in    *orders.Input
			field string
		}{{back, "status"}, {other, "customer.email"}} {
			if err := tc.in.Normalize(); err != nil {
				t.Fatal(err)
			}
			_, err := orders.Upsert(ctx, s, f.hub, tc.in, shop, f.now)
			var fe *orders.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("got %v, want a FieldError on %s", err, tc.field)
			}
		}
		after, _ := s.OrderByRef(ctx, "BQ-1003")
		if after.Status != before.Status || after.PayloadHash != before.PayloadHash || after.CustomerID != before.CustomerID {
			t.Error("a refused upsert changed the order")
		}
		if f.count(t, "timeline_events", "1 = 1") != events || f.count(t, "outbox", "1 = 1") != mail {
			t.Error("a refused upsert wrote events or mail")
		}
		if _, err := s.CustomerByEmail(ctx, "erik@example.se"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused upsert created its customer: %v", err)
		}
	})
}

func TestUnknownOwnerGetsTheOwnerRule(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.upsert(t, input("A-1", model.OrderConfirmed)) // anna has one open order
		in := input("A-2", model.OrderConfirmed)
		in.OwnerEmail = "nobody@shop.example"
		r := f.upsert(t, in)
		if !r.OwnerAssigned || r.Order.OwnerID == f.anna.ID || r.Order.Owner == nil || r.Order.Owner.FullName == "" {
			t.Errorf("unknown owner: assigned %v to %+v", r.OwnerAssigned, r.Order.Owner)
		}
	})
}

func TestDeliveredRecordsAndConfirmsOnce(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		f.upsert(t, input("BQ-1004", model.OrderOutForDelivery))
		at := f.now.Add(-2 * time.Hour)
		staff := model.StaffActor(f.jonas)
		for i := 0; i < 2; i++ {
			_, changed, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-1004",
				orders.Change{Status: model.OrderDelivered, At: &at, RecipientName: "Birthe Hansen"}, staff, f.now)
			if err != nil || changed != (i == 0) {
				t.Fatalf("delivery %d: changed %v, %v", i, changed, err)
			}
		}
		o, _ := s.OrderByRef(ctx, "BQ-1004")
		if o.Status != model.OrderDelivered || o.IsOpen || o.DeliveredAt == nil || !o.DeliveredAt.Equal(at) ||
			o.RecipientName != "Birthe Hansen" || o.DeliveryConfirmedBy != "Jonas Kristensen" {
			t.Fatalf("delivered order: %+v", o)
		}
		if n := f.count(t, "outbox", "template = ? AND to_email = ? AND locale = ?", notify.DeliveryConfirmation, "ann.jensen@example.com", "da"); n != 1 {
			t.Fatalf("%d delivery confirmations, want 1", n)
		}
		// The delivery's status event (a kept delivery promise follows it).
		var last *model.Event
		for _, e := range f.events(t, o) {
			if e.Kind == orders.KindStatusChanged {
				last = e
			}
		}
		if last == nil || last.ActorName != "Jonas Kristensen" || last.ActorStaffID == nil || last.Data["recipient_name"] != "Birthe Hansen" {
			t.Errorf("delivery event: %+v", last)
		}

		// Backwards needs a note; with one it is recorded and the delivery undone.
		_, _, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-1004", orders.Change{Status: model.OrderShipped}, staff, f.now)
		if !errors.Is(err, orders.ErrNeedsNote) {
			t.Fatalf("backwards without a note: %v", err)
		}
		o, _, err = orders.ChangeStatus(ctx, s, f.hub, "BQ-1004",
			orders.Change{Status: model.OrderShipped, Note: "Delivered to the wrong address; the driver collects it."}, staff, f.now)
		if err != nil || o.Status != model.OrderShipped || o.DeliveredAt != nil || o.DeliveryConfirmedBy != "" {
			t.Fatalf("backwards with a note: %+v, %v", o, err)
		}
		// A real second delivery is confirmed again.
		if _, _, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-1004", orders.Change{Status: model.OrderDelivered}, staff, f.now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "outbox", "template = ?", notify.DeliveryConfirmation); n != 2 {
			t.Errorf("%d delivery confirmations after a second delivery, want 2", n)
		}
		if _, _, err := orders.ChangeStatus(ctx, s, f.hub, "NOPE", orders.Change{Status: model.OrderShipped}, staff, f.now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown order: %v", err)
		}
		if _, _, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-1004", orders.Change{Status: "lost"}, staff, f.now); err == nil {
			t.Error("unknown status accepted")
		}
		future := f.now.Add(time.Hour)
		if _, _, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-1004", orders.Change{Status: model.OrderReturned, At: &future}, staff, f.now); err == nil {
			t.Error("a change in the future accepted")
		}
	})
}

func TestBackwards(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		back     bool
	}{
		{model.OrderReceived, model.OrderShipped, false},
		{model.OrderShipped, model.OrderDelivered, false},
		{model.OrderDelivered, model.OrderShipped, true},
		{model.OrderOutForDelivery, model.OrderProcessing, true},
		{model.OrderConfirmed, model.OrderCancelled, false},
		{model.OrderDelivered, model.OrderCancelled, true},
		{model.OrderCancelled, model.OrderProcessing, true},
		{model.OrderDelivered, model.OrderReturned, false},
		{model.OrderConfirmed, model.OrderReturned, true},
		{model.OrderReturned, model.OrderDelivered, true},
	} {
		if got := orders.Backwards(tc.from, tc.to); got != tc.back {
			t.Errorf("%s → %s: backwards %v, want %v", tc.from, tc.to, got, tc.back)
		}
	}
}

func TestShippedNoticeOncePerShipment(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		f.upsert(t, input("BQ-1005", model.OrderProcessing))
		by := model.StaffActor(f.anna)
		for _, ch := range []orders.Change{{Status: model.OrderShipped}, {Status: model.OrderShipped},
			{Status: model.OrderShipped, Note: "Handed to PostNord at 15:00"}, {Status: model.OrderOutForDelivery}} {
			if _, _, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-1005", ch, by, f.now); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.count(t, "outbox", "template = ?", notify.OrderShipped); n != 1 {
			t.Errorf("%d shipped notices, want 1 (a note is no second shipment)", n)
		}
		if n := f.count(t, "outbox", "template = ?", notify.OrderOutForDelivery); n != 1 {
			t.Errorf("%d out-for-delivery notices, want 1", n)
		}
	})
}

func TestReassignAndExpected(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		f.upsert(t, input("BQ-1006", model.OrderConfirmed))
		o, err := orders.Reassign(ctx, s, f.hub, "BQ-1006", f.jonas.ID, f.mette, f.now)
		if err != nil || o.OwnerID != f.jonas.ID {
			t.Fatalf("reassign: %+v, %v", o, err)
		}
		ev := f.events(t, o)[len(f.events(t, o))-1]
		if ev.Kind != "handoff" || ev.ActorName != "Mette Lund" || ev.Data["to"] != "Jonas Kristensen" {
			t.Errorf("handoff event %+v", ev)
		}
		if n := f.count(t, "outbox", "template = ? AND to_email = ?", notify.Handoff, f.jonas.Email); n != 1 {
			t.Errorf("%d handoff mails, want 1", n)
		}
		// To the owner it has: nothing.
		if _, err := orders.Reassign(ctx, s, f.hub, "BQ-1006", f.jonas.ID, f.mette, f.now); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "timeline_events", "kind = 'handoff'"); n != 1 {
			t.Errorf("%d handoffs, want 1", n)
		}
		// Taking it yourself: the handoff shows, no email to yourself.
		if _, err := orders.Reassign(ctx, s, f.hub, "BQ-1006", f.mette.ID, f.mette, f.now); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "outbox", "template = ? AND to_email = ?", notify.Handoff, f.mette.Email); n != 0 {
			t.Errorf("%d handoff mails to who took it, want 0", n)
		}
		if err := s.SetStaffActive(ctx, f.anna.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := orders.Reassign(ctx, s, f.hub, "BQ-1006", f.anna.ID, f.mette, f.now); !errors.Is(err, orders.ErrInactiveOwner) {
			t.Errorf("to an inactive colleague: %v", err)
		}

		o, err = orders.SetExpected(ctx, s, f.hub, "BQ-1006", "2026-12-02", model.StaffActor(f.jonas), f.now)
		if err != nil || o.ExpectedDelivery != "2026-12-02" {
			t.Fatalf("expected: %+v, %v", o, err)
		}
		if _, err := orders.SetExpected(ctx, s, f.hub, "BQ-1006", "2 December", model.StaffActor(f.jonas), f.now); err == nil {
			t.Error("a bad date accepted")
		}
		if n := f.count(t, "timeline_events", "kind = ? AND customer_visible = ?", orders.KindExpectedChanged, true); n != 1 {
			t.Errorf("%d expected-delivery events, want 1", n)
		}
	})
}

// TestConcurrentCreatesMakeOneOrder: parallel first PUTs of one reference
// give one order and one "placed" event, on both databases.
func TestConcurrentCreatesMakeOneOrder(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		var wg sync.WaitGroup
		created := make(chan bool, 10)
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := input("BQ-2000", model.OrderShipped)
				if err := in.Normalize(); err != nil {
					t.Error(err)
					return
				}
				r, err := orders.Upsert(context.Background(), s, f.hub, in, shop, f.now)
				if err != nil {
					t.Error(err)
					return
				}
				created <- r.Created
			}()
		}
		wg.Wait()
		close(created)
		n := 0
		for c := range created {
			if c {
				n++
			}
		}
		if n != 1 || f.count(t, "orders", "ref = ?", "BQ-2000") != 1 || f.count(t, "timeline_events", "kind = ?", orders.KindPlaced) != 1 ||
			f.count(t, "outbox", "template = ?", notify.OrderShipped) != 1 {
			t.Errorf("%d creations; orders/placed/notices: %d/%d/%d", n, f.count(t, "orders", "1 = 1"),
				f.count(t, "timeline_events", "kind = ?", orders.KindPlaced), f.count(t, "outbox", "template = ?", notify.OrderShipped))
		}
	})
}

// TestDeliveryCorrection: a new time or recipient on a delivered order is
// recorded, without a second confirmation email; the same again is nothing.
func TestDeliveryCorrection(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		f.upsert(t, input("BQ-1007", model.OrderOutForDelivery))
		by := model.StaffActor(f.jonas)
		first, fixed := f.now.Add(-3*time.Hour), f.now.Add(-2*time.Hour)
		if _, _, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-1007", orders.Change{Status: model.OrderDelivered, At: &first}, by, f.now); err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			o, changed, err := orders.ChangeStatus(ctx, s, f.hub, "BQ-1007",
				orders.Change{Status: model.OrderDelivered, At: &fixed, RecipientName: "Birthe Hansen"}, by, f.now)
			if err != nil || changed != want || !o.DeliveredAt.Equal(fixed) {
				t.Fatalf("correction %d: changed %v (want %v), delivered %v, %v", i, changed, want, o.DeliveredAt, err)
			}
		}
		if n := f.count(t, "outbox", "template = ?", notify.DeliveryConfirmation); n != 1 {
			t.Errorf("%d delivery confirmations after a correction, want 1", n)
		}
		if n := f.count(t, "timeline_events", "kind = ? AND order_id IS NOT NULL", orders.KindStatusChanged); n != 3 {
			t.Errorf("%d status events, want 3 (out for delivery, delivered, corrected)", n)
		}
	})
}
