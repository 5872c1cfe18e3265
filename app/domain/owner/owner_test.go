package owner_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func staff(t *testing.T, s *store.Store, email, name string, manager *model.Staff) *model.Staff {
	t.Helper()
	st := &model.Staff{Email: email, FullName: name, Title: "Florist", Active: true}
	if manager != nil {
		st.ManagerID = &manager.ID
	}
	if _, err := s.SaveStaff(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

func order(t *testing.T, s *store.Store, ref string, customerID, ownerID int64, status string) *model.Order {
	t.Helper()
	now := model.Now()
	o := &model.Order{Ref: ref, CustomerID: customerID, OwnerID: ownerID, Status: status, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestPick(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := owner.Pick(ctx, s, "", 0); !errors.Is(err, owner.ErrNoStaff) {
			t.Fatalf("no staff: %v, want ErrNoStaff", err)
		}
		anna := staff(t, s, "anna@shop.example", "Anna Holm", nil)
		jonas := staff(t, s, "jonas@shop.example", "Jonas Kristensen", nil)
		c, _, _ := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "")
		order(t, s, "A1", c.ID, anna.ID, model.OrderShipped)
		order(t, s, "A2", c.ID, anna.ID, model.OrderDelivered) // closed: does not count
		order(t, s, "J1", c.ID, jonas.ID, model.OrderDelivered)

		for _, tc := range []struct {
			name     string
			explicit string
			orderOwn int64
			want     int64
		}{
			{"explicit owner", "ANNA@shop.example", 0, anna.ID},
			{"unknown explicit falls back to least loaded", "ghost@shop.example", 0, jonas.ID},
			{"order owner for an inquiry about an order", "", anna.ID, anna.ID},
			{"least loaded counts open cases only", "", 0, jonas.ID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := owner.Pick(ctx, s, tc.explicit, tc.orderOwn)
				if err != nil || got.ID != tc.want {
					t.Fatalf("got %v, %v; want staff %d", got, err, tc.want)
				}
			})
		}
		if err := s.SetStaffActive(ctx, anna.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := owner.Pick(ctx, s, "anna@shop.example", anna.ID); got.ID != jonas.ID {
			t.Fatalf("an inactive staff member was picked: %d", got.ID)
		}
	})
}

func TestDeactivateLeavesNoCaseOwnerless(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mette := staff(t, s, "mette@shop.example", "Mette Lindqvist", nil)
		anna := staff(t, s, "anna@shop.example", "Anna Holm", mette)
		sofie := staff(t, s, "sofie@shop.example", "Sofie Bak", nil)
		c, _, _ := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "")
		open := order(t, s, "O1", c.ID, anna.ID, model.OrderProcessing)
		closed := order(t, s, "O2", c.ID, anna.ID, model.OrderDelivered)
		now := model.Now()
		q := &model.Inquiry{CustomerID: c.ID, Subject: "Where?", OwnerID: anna.ID, Status: model.InquiryOpen, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.InsertInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}

		to, err := owner.Deactivate(ctx, s, anna.ID, mette, now)
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
		if len(events) != 1 || events[0].Kind != "handoff" || events[0].Data["from"] != "Anna Holm" || events[0].Data["to"] != "Mette Lindqvist" {
			t.Fatalf("handoff event: %+v", events)
		}

		// Mette has no manager: her cases go to the least-loaded colleague.
		if to, err := owner.Deactivate(ctx, s, mette.ID, nil, now); err != nil || to.ID != sofie.ID {
			t.Fatalf("deactivate mette: %v, %v; want sofie", to, err)
		}
		// The last active person cannot leave: nobody would own the cases.
		if _, err := owner.Deactivate(ctx, s, sofie.ID, nil, now); !errors.Is(err, owner.ErrNoStaff) {
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
		mette := staff(t, s, "mette@shop.example", "Mette Lindqvist", nil)
		anna := staff(t, s, "anna@shop.example", "Anna Holm", mette)
		c, _, _ := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "")
		d, _, _ := s.UpsertCustomer(ctx, "bo@example.com", "Bo", "")
		const n = 1203
		err := s.WithTx(ctx, func(tx *store.Store) error {
			for i := 0; i < n; i++ {
				cust := c
				if i%2 == 1 {
					cust = d
				}
				order(t, tx, "M-"+strconv.Itoa(i), cust.ID, anna.ID, model.OrderConfirmed)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := owner.Deactivate(ctx, s, anna.ID, mette, model.Now()); err != nil {
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
