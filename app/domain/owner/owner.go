// Package owner holds the one rule that gives every order and inquiry its
// owner, the handoff event of a case passing to someone else, and the
// handover that keeps cases owned when someone leaves.
package owner

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Refusals of a change of owner.
var (
	// ErrNoStaff means there is no active staff member to own a case.
	ErrNoStaff = refusal.New("", "no_staff", "no active staff member to own the case: add one with `kedja staff add`")
	// ErrInactive means the new owner is not an active staff member.
	ErrInactive = refusal.New("to", "inactive", "that staff member is no longer active")
	// ErrSameInquiryOwner means an inquiry would be handed to its owner.
	ErrSameInquiryOwner = refusal.New("to", "same_owner", "the inquiry already belongs to that staff member")
	// ErrSameOrderOwner means an order would be handed to its owner.
	ErrSameOrderOwner = refusal.New("to", "same_owner", "the order already belongs to that staff member")
)

// Pick returns the owner for a new case: the staff member named by
// explicitEmail when they exist and are active, else the owner of the order
// the case is about (orderOwnerID, 0 if none) when active, else the active
// staff member with the fewest open cases.
func Pick(ctx context.Context, s *store.Store, explicitEmail string, orderOwnerID int64) (*model.Staff, error) {
	if e := strings.TrimSpace(explicitEmail); e != "" {
		st, err := s.StaffByEmail(ctx, e)
		if err == nil && st.Active {
			return st, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("owner: %w", err)
		}
	}
	if orderOwnerID != 0 {
		st, err := s.StaffByID(ctx, orderOwnerID)
		if err == nil && st.Active {
			return st, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("owner: %w", err)
		}
	}
	st, err := s.LeastLoadedStaff(ctx, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoStaff
	}
	if err != nil {
		return nil, fmt.Errorf("owner: %w", err)
	}
	return st, nil
}

// Successor is who takes the open cases of someone leaving: their manager
// when active, else the least-loaded active colleague; ErrNoStaff when
// nobody else is active.
func Successor(ctx context.Context, s *store.Store, leaving *model.Staff) (*model.Staff, error) {
	if leaving.ManagerID != nil {
		if m, err := s.StaffByID(ctx, *leaving.ManagerID); err == nil && m.Active && m.ID != leaving.ID {
			return m, nil
		}
	}
	to, err := s.LeastLoadedStaff(ctx, leaving.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoStaff
	}
	if err != nil {
		return nil, fmt.Errorf("owner: successor of staff %d: %w", leaving.ID, err)
	}
	return to, nil
}

// HandOver moves every open order and inquiry of from to to, writing a
// handoff event on each case (actor nil: Kedja did it). Call it inside the
// transaction of the change that makes it necessary.
func HandOver(ctx context.Context, tx *store.Store, from, to, actor *model.Staff, now time.Time) error {
	orders, inquiries, err := tx.ReassignOpenCases(ctx, from.ID, to.ID, now)
	if err != nil {
		return err
	}
	events := make([]*model.Event, 0, len(orders)+len(inquiries))
	for _, o := range orders {
		events = append(events, Handoff(o.CustomerID, &o.ID, nil, from, to, actor, now))
	}
	for _, q := range inquiries {
		events = append(events, Handoff(q.CustomerID, nil, &q.ID, from, to, actor, now))
	}
	return tx.InsertEvents(ctx, events)
}

// Handoff is the timeline event of a case passing from one owner to another,
// visible to the customer with both full names.
func Handoff(customerID int64, orderID, inquiryID *int64, from, to, actor *model.Staff, now time.Time) *model.Event {
	e := &model.Event{
		CustomerID: customerID, OrderID: orderID, InquiryID: inquiryID,
		Kind: model.EventHandoff, ActorKind: model.ActorSystem, CustomerVisible: true, CreatedAt: now,
		Data: map[string]string{
			"from": from.FullName, "from_id": strconv.FormatInt(from.ID, 10),
			"to": to.FullName, "to_id": strconv.FormatInt(to.ID, 10), "to_title": to.Title,
		},
	}
	if actor != nil {
		e.ActorKind, e.ActorStaffID, e.ActorName = model.ActorStaff, &actor.ID, actor.FullName
	}
	return e
}
