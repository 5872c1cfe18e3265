package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func TestMigrateIsIdempotent(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		applied, err := s.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
	})
}

func newStaff(t *testing.T, s *store.Store, email, name string, manager *int64) *model.Staff {
	t.Helper()
	st := &model.Staff{Email: email, FullName: name, Title: "Florist", Active: true, ManagerID: manager}
	if _, err := s.SaveStaff(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStaffEmailIsCaseInsensitive(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newStaff(t, s, "Anna@Shop.example", "Anna Holm", nil)
		if a.Email != "anna@shop.example" {
			t.Fatalf("stored email %q, want lower-case", a.Email)
		}
		b := &model.Staff{Email: "ANNA@shop.example", FullName: "Anna Holm-Berg", Title: "Head florist", Active: true}
		created, err := s.SaveStaff(ctx, b)
		if err != nil || created {
			t.Fatalf("second save: created=%v err=%v, want an update", created, err)
		}
		got, err := s.StaffByEmail(ctx, "anna@SHOP.example")
		if err != nil || got.ID != a.ID || got.FullName != "Anna Holm-Berg" {
			t.Fatalf("got %+v, %v", got, err)
		}
		if _, err := s.StaffByEmail(ctx, "nobody@shop.example"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown staff: %v, want ErrNotFound", err)
		}
	})
}

func TestOrderScopedToCustomer(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		owner := newStaff(t, s, "anna@shop.example", "Anna Holm", nil)
		ann, _, err := s.UpsertCustomer(ctx, "ann@example.com", "Ann Jensen", "da")
		if err != nil {
			t.Fatal(err)
		}
		bob, _, err := s.UpsertCustomer(ctx, "bob@example.com", "Bob Berg", "sv")
		if err != nil {
			t.Fatal(err)
		}
		now := model.Now()
		o := &model.Order{Ref: "BQ-1", CustomerID: ann.ID, OwnerID: owner.ID, Status: model.OrderShipped,
			Items: []model.Item{{Name: "Bouquet", Quantity: 1}}, Total: "499.00", Currency: "DKK",
			LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.InsertOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		got, err := s.OrderForCustomer(ctx, ann.ID, "BQ-1")
		if err != nil || got.Owner == nil || got.Owner.FullName != "Anna Holm" || len(got.Items) != 1 || !got.IsOpen {
			t.Fatalf("own order: %+v, %v", got, err)
		}
		if _, err := s.OrderForCustomer(ctx, bob.ID, "BQ-1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another customer's order: %v, want ErrNotFound", err)
		}
		list, err := s.OrdersForCustomer(ctx, bob.ID, 50, 0)
		if err != nil || len(list) != 0 {
			t.Fatalf("bob's orders: %v, %v", list, err)
		}
		if err := s.InsertOrder(ctx, &model.Order{Ref: "BQ-1", CustomerID: bob.ID, OwnerID: owner.ID, Status: "received",
			LastActivityAt: now, CreatedAt: now, UpdatedAt: now}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate ref: %v, want ErrConflict", err)
		}
	})
}

func TestOneOpenEscalationPerSubject(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := newStaff(t, s, "boss@shop.example", "Mette Boss", nil)
		c, _, _ := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "")
		now := model.Now()
		o := &model.Order{Ref: "X", CustomerID: c.ID, OwnerID: m.ID, Status: "received", LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.InsertOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		e := func() *model.Escalation {
			return &model.Escalation{Subject: "order:X", OrderID: &o.ID, CustomerID: c.ID, RequestedByKind: "customer",
				ManagerID: m.ID, State: model.EscalationOpen, CreatedAt: now}
		}
		first := e()
		if err := s.InsertEscalation(ctx, first); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertEscalation(ctx, e()); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second open escalation: %v, want ErrConflict", err)
		}
		first.State, first.ResolvedAt = model.EscalationResolved, &now
		if err := s.UpdateEscalation(ctx, first); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertEscalation(ctx, e()); err != nil {
			t.Fatalf("escalating again after resolution: %v", err)
		}
	})
}

func TestOutboxIdempotencyKey(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		msg := func() *model.OutboxMessage {
			return &model.OutboxMessage{IdempotencyKey: "delivery-confirmation:order:BQ-1", Template: "delivered",
				Locale: "da", ToEmail: "ann@example.com", NextAttemptAt: time.Now().UTC()}
		}
		for i, want := range []bool{true, false} {
			err := s.WithTx(ctx, func(tx *store.Store) error {
				got, err := tx.Enqueue(ctx, msg())
				if got != want {
					t.Errorf("enqueue #%d queued=%v, want %v", i+1, got, want)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.ListOutbox(ctx, "", 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("outbox has %d rows (%v), want 1", len(list), err)
		}
	})
}
