package staff_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/internal/casetest"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/staff"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

var t0 = casetest.T0()

// leave is the staff service on s and bus (nil: no bus) with its clock
// stopped at now.
func leave(s *store.Store, bus live.Publisher, now time.Time) *staff.Service {
	return &staff.Service{Store: s, Bus: bus, Now: casetest.At(now)}
}

func person(t *testing.T, s *store.Store, email, name string, manager *model.Staff) *model.Staff {
	t.Helper()
	st := &model.Staff{Email: email, FullName: name, Title: "Florist"}
	if manager != nil {
		st.ManagerID = &manager.ID
	}
	return casetest.AddStaff(t, s, st)
}

func TestDeactivate(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := casetest.NewCase(t, s, false)
		// Anna also has an escalation addressed to her and a session.
		esc := &model.Escalation{Subject: model.OrderSubject(w.Order.ID), OrderID: &w.Order.ID, CustomerID: w.Cust.ID, RequestedByKind: model.ActorCustomer,
			ManagerID: w.Anna.ID, State: model.EscalationOpen, CreatedAt: t0}
		if err := s.InsertEscalation(ctx, esc); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, &model.Session{IDHash: "h1", Kind: model.KindStaff, SubjectID: w.Anna.ID,
			CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := leave(s, nil, t0).Deactivate(ctx, w.Boss.ID, w.Boss); !errors.Is(err, staff.ErrSelf) {
			t.Errorf("self: %v", err)
		}
		to, err := leave(s, &casetest.Recorder{}, t0).Deactivate(ctx, w.Anna.ID, w.Boss)
		if err != nil {
			t.Fatal(err)
		}
		if to.ID != w.Boss.ID {
			t.Errorf("cases went to %s, want the manager", to.FullName)
		}
		o, _ := s.OrderByRef(ctx, "BQ-1")
		q, _ := s.InquiryByID(ctx, w.Q.ID)
		e, _ := s.EscalationByID(ctx, esc.ID)
		if o.OwnerID != w.Boss.ID || q.OwnerID != w.Boss.ID || e.ManagerID != w.Boss.ID {
			t.Errorf("owners after: order %d inquiry %d escalation %d", o.OwnerID, q.OwnerID, e.ManagerID)
		}
		if _, err := s.SessionByHash(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session survived: %v", err)
		}
		a, _ := s.StaffByID(ctx, w.Anna.ID)
		if a.Active {
			t.Error("still active")
		}
		// Nobody may be left without cases being owned: the manager is the
		// last one but for Jonas; with Jonas gone, the manager cannot go.
		if _, err := leave(s, nil, t0).Deactivate(ctx, w.Jonas.ID, w.Boss); err != nil {
			t.Fatal(err)
		}
		if _, err := leave(s, nil, t0).Deactivate(ctx, w.Boss.ID, w.Jonas); !errors.Is(err, owner.ErrNoStaff) {
			t.Fatalf("deactivating the last active staff member: %v", err)
		}
		b, _ := s.StaffByID(ctx, w.Boss.ID)
		if !b.Active {
			t.Error("the refused deactivation changed something")
		}
		var ownerless int
		for _, tbl := range []string{"orders", "inquiries"} {
			n, err := s.RIDB().NewSelect().TableExpr(tbl+" AS x").Join("JOIN staff AS st ON st.id = x.owner_id").
				Where("x.is_open = ? AND st.active = ?", true, false).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ownerless += int(n)
		}
		if ownerless != 0 {
			t.Errorf("%d open cases owned by inactive staff", ownerless)
		}
	})
}

func TestDeactivateLeavesNoCaseOwnerless(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mette := person(t, s, "mette@shop.example", "Mette Lindqvist", nil)
		anna := person(t, s, "anna@shop.example", "Anna Holm", mette)
		sofie := person(t, s, "sofie@shop.example", "Sofie Bak", nil)
		c, _, _ := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "")
		open := casetest.AddOrder(t, s, "O1", c.ID, anna.ID, model.OrderProcessing)
		closed := casetest.AddOrder(t, s, "O2", c.ID, anna.ID, model.OrderDelivered)
		now := model.Now()
		q := &model.Inquiry{CustomerID: c.ID, Subject: "Where?", OwnerID: anna.ID, Status: model.InquiryOpen, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.InsertInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}

		to, err := leave(s, nil, now).Deactivate(ctx, anna.ID, mette)
		if err != nil || to.ID != mette.ID {
			t.Fatalf("deactivate anna: %v, %v; want her manager", to, err)
		}
		if o, _ := s.OrderByID(ctx, open.ID); o.OwnerID != mette.ID {
			t.Fatalf("open order still owned by %d", o.OwnerID)
		}
		if o, _ := s.OrderByID(ctx, closed.ID); o.OwnerID != anna.ID {
			t.Fatal("a delivered order's history should keep its owner")
		}
		got, _ := s.InquiryByID(ctx, q.ID)
		if got.OwnerID != mette.ID {
			t.Fatalf("inquiry owned by %d", got.OwnerID)
		}
		events, _ := s.InquiryEvents(ctx, q.ID, true)
		if len(events) != 1 || events[0].Kind != model.EventHandoff || events[0].Data["from"] != "Anna Holm" || events[0].Data["to"] != "Mette Lindqvist" {
			t.Fatalf("handoff event: %+v", events)
		}

		// Mette has no manager: her cases go to the least-loaded colleague.
		if to, err := leave(s, nil, now).Deactivate(ctx, mette.ID, nil); err != nil || to.ID != sofie.ID {
			t.Fatalf("deactivate mette: %v, %v; want sofie", to, err)
		}
		// The last active person cannot leave: nobody would own the cases.
		if _, err := leave(s, nil, now).Deactivate(ctx, sofie.ID, nil); !errors.Is(err, owner.ErrNoStaff) {
			t.Fatalf("deactivating the last one: %v, want ErrNoStaff", err)
		}
		st, _ := s.StaffByID(ctx, sofie.ID)
		if !st.Active {
			t.Fatal("a refused deactivation changed something")
		}
		var ownerless int
		if err := s.RIDB().NewRaw("SELECT count(*) FROM orders o JOIN staff s ON s.id = o.owner_id WHERE o.is_open = ? AND s.active = ?", true, false).Scan(ctx, &ownerless); err != nil {
			t.Fatal(err)
		}
		if ownerless != 0 {
			t.Fatalf("%d open orders owned by inactive staff", ownerless)
		}
	})
}

// TestDeactivateManyCases: a colleague with more open cases than one insert
// batch hands every one over, each with its handoff event on the right case.
func TestDeactivateManyCases(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mette := person(t, s, "mette@shop.example", "Mette Lindqvist", nil)
		anna := person(t, s, "anna@shop.example", "Anna Holm", mette)
		c, _, _ := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "")
		d, _, _ := s.UpsertCustomer(ctx, "bo@example.com", "Bo", "")
		const n = 1203
		err := s.WithTx(ctx, func(tx *store.Store) error {
			for i := 0; i < n; i++ {
				cust := c
				if i%2 == 1 {
					cust = d
				}
				casetest.AddOrder(t, tx, "M-"+strconv.Itoa(i), cust.ID, anna.ID, model.OrderConfirmed)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leave(s, nil, model.Now()).Deactivate(ctx, anna.ID, mette); err != nil {
			t.Fatal(err)
		}
		var wrong, handoffs int
		if err := s.RIDB().NewRaw("SELECT count(*) FROM orders WHERE owner_id <> ?", mette.ID).Scan(ctx, &wrong); err != nil {
			t.Fatal(err)
		}
		if err := s.RIDB().NewRaw("SELECT count(*) FROM timeline_events e JOIN orders o ON o.id = e.order_id "+
			"WHERE e.kind = 'handoff' AND e.customer_id = o.customer_id").Scan(ctx, &handoffs); err != nil {
			t.Fatal(err)
		}
		if wrong != 0 || handoffs != n {
			t.Fatalf("%d orders not handed over, %d handoff events on their own customer's order (want %d)", wrong, handoffs, n)
		}
	})
}
