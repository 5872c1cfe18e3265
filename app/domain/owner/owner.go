// Package owner holds the one rule that gives every order and inquiry its
// owner, and the handover that keeps cases owned when someone leaves.
package owner

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// ErrNoStaff means there is no active staff member to own a case.
var ErrNoStaff = errors.New("no active staff member to own the case: add one with `kedja staff add`")

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

// Deactivate turns a staff member off and, in the same transaction, hands
// each of their open orders and inquiries to their manager (when active),
// else to the least-loaded active colleague, writing a handoff event on every
// case. It returns the new owner, or ErrNoStaff (and changes nothing) when
// nobody is left to take the cases. Ending their sessions is the caller's
// part of the same transaction.
func Deactivate(ctx context.Context, s *store.Store, staffID int64, actor *model.Staff, now time.Time) (*model.Staff, error) {
	if !s.InTx() {
		var to *model.Staff
		err := s.WithTx(ctx, func(tx *store.Store) error {
			var err error
			to, err = Deactivate(ctx, tx, staffID, actor, now)
			return err
		})
		return to, err
	}
	leaving, err := s.StaffByID(ctx, staffID)
	if err != nil {
		return nil, fmt.Errorf("owner: deactivate: %w", err)
	}
	var to *model.Staff
	if leaving.ManagerID != nil {
		if m, err := s.StaffByID(ctx, *leaving.ManagerID); err == nil && m.Active && m.ID != leaving.ID {
			to = m
		}
	}
	if to == nil {
		to, err = s.LeastLoadedStaff(ctx, leaving.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoStaff
		}
		if err != nil {
			return nil, fmt.Errorf("owner: deactivate: %w", err)
		}
	}
	if err := s.SetStaffActive(ctx, leaving.ID, false); err != nil {
		return nil, err
	}
	orders, inquiries, err := s.ReassignOpenCases(ctx, leaving.ID, to.ID, now)
	if err != nil {
		return nil, err
	}
	events := make([]*model.Event, 0, len(orders)+len(inquiries))
	for _, o := range orders {
		events = append(events, Handoff(o.CustomerID, &o.ID, nil, leaving, to, actor, now))
	}
	for _, q := range inquiries {
		events = append(events, Handoff(q.CustomerID, nil, &q.ID, leaving, to, actor, now))
	}
	if err := s.InsertEvents(ctx, events); err != nil {
		return nil, err
	}
	return to, nil
}

// Handoff is the timeline event of a case passing from one owner to another,
// visible to the customer with both full names.
func Handoff(customerID int64, orderID, inquiryID *int64, from, to, actor *model.Staff, now time.Time) *model.Event {
	e := &model.Event{
		CustomerID: customerID, OrderID: orderID, InquiryID: inquiryID,
		Kind: "handoff", ActorKind: model.ActorSystem, CustomerVisible: true, CreatedAt: now,
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
