package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// TestPortalReadsAreScoped: the timelines and the owner's manager the
// portal reads are the customer's own; another customer's case has none.
func TestPortalReadsAreScoped(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boss := newStaff(t, s, "mette@shop.example", "Mette Lund", nil)
		anna := newStaff(t, s, "anna@shop.example", "Anna Holm", &boss.ID)
		ann, _, _ := s.UpsertCustomer(ctx, "ann@example.com", "Ann", "da")
		bob, _, _ := s.UpsertCustomer(ctx, "bob@example.com", "Bob", "nl")
		now := model.Now()
		o := &model.Order{Ref: "BQ-1", CustomerID: ann.ID, OwnerID: anna.ID, Status: model.OrderConfirmed, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.InsertOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		q := &model.Inquiry{CustomerID: ann.ID, Subject: "Where?", OwnerID: anna.ID, Status: model.InquiryOpen, LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.InsertInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		for _, e := range []*model.Event{
			{CustomerID: ann.ID, OrderID: &o.ID, Kind: model.EventOrderPlaced, ActorKind: model.ActorSystem, CustomerVisible: true},
			{CustomerID: ann.ID, OrderID: &o.ID, Kind: model.EventOrderUpdated, ActorKind: model.ActorSystem},
			{CustomerID: ann.ID, InquiryID: &q.ID, Kind: model.EventInquiryOpened, ActorKind: model.ActorCustomer, CustomerVisible: true},
			{CustomerID: ann.ID, InquiryID: &q.ID, Kind: model.EventNoteAdded, ActorKind: model.ActorStaff},
		} {
			if err := s.InsertEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if evs, err := s.OrderEventsForCustomer(ctx, ann.ID, o.ID); err != nil || len(evs) != 1 || evs[0].Kind != model.EventOrderPlaced {
			t.Errorf("Ann's order timeline: %+v, %v", evs, err)
		}
		if evs, err := s.InquiryEventsForCustomer(ctx, ann.ID, q.ID); err != nil || len(evs) != 1 || evs[0].Kind != model.EventInquiryOpened {
			t.Errorf("Ann's inquiry timeline: %+v, %v", evs, err)
		}
		if evs, err := s.OrderEventsForCustomer(ctx, bob.ID, o.ID); err != nil || len(evs) != 0 {
			t.Errorf("Bob reads Ann's order timeline: %+v, %v", evs, err)
		}
		if evs, err := s.InquiryEventsForCustomer(ctx, bob.ID, q.ID); err != nil || len(evs) != 0 {
			t.Errorf("Bob reads Ann's inquiry timeline: %+v, %v", evs, err)
		}
		if m, err := s.OrderManagerForCustomer(ctx, ann.ID, o.ID); err != nil || m.ID != boss.ID {
			t.Errorf("manager of Ann's order: %v, %v", m, err)
		}
		if m, err := s.InquiryManagerForCustomer(ctx, ann.ID, q.ID); err != nil || m.ID != boss.ID {
			t.Errorf("manager of Ann's inquiry: %v, %v", m, err)
		}
		if _, err := s.OrderManagerForCustomer(ctx, bob.ID, o.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Bob reads the manager of Ann's order: %v", err)
		}
		if _, err := s.InquiryManagerForCustomer(ctx, bob.ID, q.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Bob reads the manager of Ann's inquiry: %v", err)
		}
		if _, err := s.InquiryManagerForCustomer(ctx, ann.ID, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no such inquiry: %v", err)
		}
	})
}
