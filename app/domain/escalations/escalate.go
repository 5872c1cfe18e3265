package escalations

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// escalated is an escalated case, loaded: an order or an inquiry.
type escalated struct {
	order   *model.Order
	inquiry *model.Inquiry
}

func (k escalated) ownerID() int64 {
	if k.order != nil {
		return k.order.OwnerID
	}
	return k.inquiry.OwnerID
}

// subject is the stored subject of an escalation of the case.
func (k escalated) subject() string {
	if k.order != nil {
		return model.OrderSubject(k.order.ID)
	}
	return model.InquirySubject(k.inquiry.ID)
}

// mail is the case as messages name and link it.
func (k escalated) mail() notify.Case { return notify.Case{Order: k.order, Inquiry: k.inquiry} }

// liveName is the live event of the case changing.
func (k escalated) liveName() string {
	if k.order != nil {
		return live.OrderEvent(k.order.Ref)
	}
	return live.InquiryEvent(k.inquiry.ID)
}

// event is a timeline event on the case.
func (k escalated) event(customerID int64, kind string, data map[string]string, now time.Time) *model.Event {
	e := &model.Event{CustomerID: customerID, Kind: kind, Data: data, CustomerVisible: true, CreatedAt: now}
	if k.order != nil {
		e.OrderID = &k.order.ID
	} else {
		e.InquiryID = &k.inquiry.ID
	}
	return e
}

func (k escalated) touch(ctx context.Context, tx *store.Store, now time.Time) error {
	if k.order != nil {
		return tx.TouchOrder(ctx, k.order.ID, now)
	}
	return tx.TouchInquiry(ctx, k.inquiry.ID, now)
}

// loadForCustomer reads the subject scoped to the customer.
func loadForCustomer(ctx context.Context, tx *store.Store, customerID int64, sub Subject) (escalated, error) {
	ref := strings.TrimSpace(sub.OrderRef)
	switch {
	case ref != "" && sub.InquiryID == 0:
		o, err := tx.OrderForCustomer(ctx, customerID, ref)
		return escalated{order: o}, err
	case ref == "" && sub.InquiryID != 0:
		q, err := tx.InquiryForCustomer(ctx, customerID, sub.InquiryID)
		return escalated{inquiry: q}, err
	}
	return escalated{}, ErrBadSubject
}

// loadOf reads the case an escalation is about.
func loadOf(ctx context.Context, tx *store.Store, e *model.Escalation) (escalated, error) {
	if e.OrderID != nil {
		o, err := tx.OrderByID(ctx, *e.OrderID)
		return escalated{order: o}, err
	}
	if e.InquiryID != nil {
		q, err := tx.InquiryByID(ctx, *e.InquiryID)
		return escalated{inquiry: q}, err
	}
	return escalated{}, fmt.Errorf("escalation %d has no case", e.ID)
}

// pickManager is who an escalation goes to: the owner's manager when active,
// else the business's manager of last resort when active, else the
// longest-serving active administrator, else (a business of one) the owner.
func pickManager(ctx context.Context, tx *store.Store, ownerID int64, st *model.Settings) (*model.Staff, error) {
	own, err := tx.StaffByID(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	if own.ManagerID != nil && *own.ManagerID != own.ID {
		if m, err := tx.StaffByID(ctx, *own.ManagerID); err == nil && m.Active {
			return m, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if st.LastResortManagerID != nil {
		if m, err := tx.StaffByID(ctx, *st.LastResortManagerID); err == nil && m.Active {
			return m, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	m, err := tx.FallbackManager(ctx, own.ID)
	if err == nil {
		return m, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if own.Active {
		return own, nil
	}
	return nil, fmt.Errorf("no active manager to escalate to: %w", store.ErrNotFound)
}

// errAlreadyOpen ends the transaction of a double submit that lost the race
// for the unique index; the escalation that won is returned instead.
var errAlreadyOpen = errors.New("an escalation is already open")

// Escalate asks a manager to step in on one of the customer's orders or
// inquiries (another customer's is store.ErrNotFound). While an escalation of
// the case is open it is returned with created=false and nothing changes or
// is sent — also when two submits race (a unique index decides). Otherwise
// it goes to the owner's manager (see pickManager), writes an "escalated"
// timeline event naming the manager, and emails the manager at once.
func (s *Service) Escalate(ctx context.Context, customerID int64, sub Subject, why string, by model.Actor) (*model.Escalation, bool, error) {
	why, err := reason(why)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	var e *model.Escalation
	created := false
	var subject string
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		k, err := loadForCustomer(ctx, tx, customerID, sub)
		if err != nil {
			return err
		}
		subject = k.subject()
		if open, err := tx.OpenEscalation(ctx, subject); err == nil {
			e = open
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		st, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		mgr, err := pickManager(ctx, tx, k.ownerID(), st)
		if err != nil {
			return err
		}
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		e = &model.Escalation{Subject: subject, CustomerID: customerID, RequestedByKind: by.Kind,
			RequestedByStaffID: by.StaffID, ManagerID: mgr.ID, Reason: why, State: model.EscalationOpen,
			CreatedAt: now, Manager: mgr}
		if by.Kind == "" {
			e.RequestedByKind = model.ActorCustomer
		}
		if k.order != nil {
			e.OrderID = &k.order.ID
		} else {
			e.InquiryID = &k.inquiry.ID
		}
		if err := tx.InsertEscalation(ctx, e); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errAlreadyOpen
			}
			return err
		}
		ev := by.Stamp(k.event(customerID, model.EventEscalated, map[string]string{
			"manager": mgr.FullName, "manager_title": mgr.Title, "manager_id": strconv.FormatInt(mgr.ID, 10),
			"reason": why, "escalation_id": strconv.FormatInt(e.ID, 10)}, now))
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if err := k.touch(ctx, tx, now); err != nil {
			return err
		}
		if _, err := tx.Enqueue(ctx, notify.EscalationToManagerMsg(e, mgr, c, k.mail())); err != nil {
			return err
		}
		live.CaseChanged(tx, s.Bus, customerID, k.liveName())
		created = true
		return nil
	})
	if errors.Is(err, errAlreadyOpen) {
		// The other submit committed first: show the customer that one.
		open, err := s.Store.OpenEscalation(ctx, subject)
		if err != nil {
			return nil, false, fmt.Errorf("escalations: escalate: %w", err)
		}
		return open, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("escalations: escalate: %w", err)
	}
	return e, created, nil
}
