package store_test

import (
	"context"
	"testing"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestOpenCasesFollowTheCases: the open_cases counter the owner rule reads
// equals the real count after cases open, close, reopen and change hands
// (the database's triggers keep it), on both databases.
func TestOpenCasesFollowTheCases(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var staff []*model.Staff
		for _, e := range []string{"anna@shop.example", "jonas@shop.example", "sofie@shop.example"} {
			st := &model.Staff{Email: e, FullName: e, Title: "Florist", Active: true}
			if _, err := s.SaveStaff(ctx, st); err != nil {
				t.Fatal(err)
			}
			staff = append(staff, st)
		}
		anna, jonas, sofie := staff[0], staff[1], staff[2]
		c, _, err := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "da")
		if err != nil {
			t.Fatal(err)
		}
		now := model.Now()
		check := func(step string) {
			t.Helper()
			for _, st := range staff {
				var counter, real int
				if err := s.RIDB().NewRaw("SELECT open_cases FROM staff WHERE id = ?", st.ID).Scan(ctx, &counter); err != nil {
					t.Fatal(err)
				}
				if err := s.RIDB().NewRaw("SELECT (SELECT count(*) FROM orders WHERE owner_id = ? AND is_open = ?) + "+
					"(SELECT count(*) FROM inquiries WHERE owner_id = ? AND is_open = ?)", st.ID, true, st.ID, true).Scan(ctx, &real); err != nil {
					t.Fatal(err)
				}
				if counter != real {
					t.Fatalf("%s: %s has open_cases %d, really %d", step, st.Email, counter, real)
				}
			}
		}
		var ords []*model.Order
		for i, status := range []string{model.OrderConfirmed, model.OrderShipped, model.OrderDelivered, model.OrderProcessing} {
			o := &model.Order{Ref: "L-" + status, CustomerID: c.ID, OwnerID: staff[i%2].ID, Status: status,
				LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
			if err := s.InsertOrder(ctx, o); err != nil {
				t.Fatal(err)
			}
			ords = append(ords, o)
		}
		q := &model.Inquiry{CustomerID: c.ID, Subject: "Where?", OwnerID: anna.ID, Status: model.InquiryOpen,
			LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.InsertInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		check("created")
		if got, err := s.LeastLoadedStaff(ctx, 0); err != nil || got.ID != sofie.ID {
			t.Fatalf("least loaded: %v %v, want sofie (no cases)", got, err)
		}

		ords[1].Status = model.OrderDelivered // closes
		ords[2].Status = model.OrderReturned  // stays closed
		ords[3].OwnerID = jonas.ID            // changes hands, stays open
		for _, o := range ords[1:] {
			if err := s.UpdateOrder(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		q.Status, q.OwnerID = model.InquiryResolved, sofie.ID // closes and changes hands at once
		if err := s.UpdateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		check("updated")
		q.Status = model.InquiryOpen // reopened
		if err := s.UpdateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		check("reopened")
		err = s.WithTx(ctx, func(tx *store.Store) error {
			_, _, err := tx.ReassignOpenCases(ctx, jonas.ID, anna.ID, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		check("reassigned")
	})
}
