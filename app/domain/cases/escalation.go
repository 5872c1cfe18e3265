package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Subject names what is escalated: exactly one of an order (by the shop's
// reference) and an inquiry (by id).
type Subject struct {
	OrderRef  string
	InquiryID int64
}

// caseRef is an escalated case, loaded.
type caseRef struct {
	order   *model.Order
	inquiry *model.Inquiry
}

func (k caseRef) ownerID() int64 {
	if k.order != nil {
		return k.order.OwnerID
	}
	return k.inquiry.OwnerID
}

func (k caseRef) subject() string {
	if k.order != nil {
		return "order:" + idStr(k.order.ID)
	}
	return "inquiry:" + idStr(k.inquiry.ID)
}

// title is the case's name in a manager's email.
func (k caseRef) title() string {
	if k.order != nil {
		return "Order " + k.order.Ref
	}
	return "Inquiry #" + idStr(k.inquiry.ID) + ": " + k.inquiry.Subject
}

func (k caseRef) adminPath() string {
	if k.order != nil {
		return "/admin/orders/" + k.order.Ref
	}
	return "/admin/inquiries/" + idStr(k.inquiry.ID)
}

func (k caseRef) customerPath() string {
	if k.order != nil {
		return "/orders/" + k.order.Ref
	}
	return "/inquiries/" + idStr(k.inquiry.ID)
}

func (k caseRef) liveName() string {
	if k.order != nil {
		return live.OrderEvent(k.order.Ref)
	}
	return live.InquiryEvent(k.inquiry.ID)
}

// event is a timeline event on the case.
func (k caseRef) event(customerID int64, kind string, data map[string]string, now time.Time) *model.Event {
	e := &model.Event{CustomerID: customerID, Kind: kind, Data: data, CustomerVisible: true, CreatedAt: now}
	if k.order != nil {
		e.OrderID = &k.order.ID
	} else {
		e.InquiryID = &k.inquiry.ID
	}
	return e
}

func (k caseRef) touch(ctx context.Context, tx *store.Store, now time.Time) error {
	if k.order != nil {
		return tx.TouchOrder(ctx, k.order.ID, now)
	}
	return tx.TouchInquiry(ctx, k.inquiry.ID, now)
}

// loadForCustomer reads the subject scoped to the customer.
func loadForCustomer(ctx context.Context, tx *store.Store, customerID int64, sub Subject) (caseRef, error) {
	ref := strings.TrimSpace(sub.OrderRef)
	switch {
	case ref != "" && sub.InquiryID == 0:
		o, err := tx.OrderForCustomer(ctx, customerID, ref)
		return caseRef{order: o}, err
	case ref == "" && sub.InquiryID != 0:
		q, err := tx.InquiryForCustomer(ctx, customerID, sub.InquiryID)
		return caseRef{inquiry: q}, err
	}
	return caseRef{}, ErrBadSubject
}

// loadOfEscalation reads the case an escalation is about.
func loadOfEscalation(ctx context.Context, tx *store.Store, e *model.Escalation) (caseRef, error) {
	if e.OrderID != nil {
		o, err := tx.OrderByID(ctx, *e.OrderID)
		return caseRef{order: o}, err
	}
	if e.InquiryID != nil {
		q, err := tx.InquiryByID(ctx, *e.InquiryID)
		return caseRef{inquiry: q}, err
	}
	return caseRef{}, fmt.Errorf("escalation %d has no case", e.ID)
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
func Escalate(ctx context.Context, s *store.Store, bus Publisher, customerID int64, sub Subject, reason string, by model.Actor, now time.Time) (*model.Escalation, bool, error) {
	reason = strings.TrimSpace(strings.ReplaceAll(reason, "\r\n", "\n"))
	if len([]rune(reason)) > MaxReason {
		return nil, false, &FieldError{Field: "reason", Code: "too_long"}
	}
	now = model.Normalize(now)
	var e *model.Escalation
	created := false
	var subject string
	err := s.WithTx(ctx, func(tx *store.Store) error {
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
			RequestedByStaffID: by.StaffID, ManagerID: mgr.ID, Reason: reason, State: model.EscalationOpen,
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
		ev := by.Stamp(k.event(customerID, KindEscalated, map[string]string{
			"manager": mgr.FullName, "manager_title": mgr.Title, "manager_id": idStr(mgr.ID),
			"reason": reason, "escalation_id": idStr(e.ID)}, now))
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if err := k.touch(ctx, tx, now); err != nil {
			return err
		}
		if _, err := tx.Enqueue(ctx, notify.EscalationToManagerMsg(e, mgr, c, k.title(), k.adminPath())); err != nil {
			return err
		}
		publish(tx, bus, customerID, k.liveName())
		created = true
		return nil
	})
	if errors.Is(err, errAlreadyOpen) {
		// The other submit committed first: show the customer that one.
		open, err := s.OpenEscalation(ctx, subject)
		if err != nil {
			return nil, false, fmt.Errorf("cases: escalate: %w", err)
		}
		return open, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cases: escalate: %w", err)
	}
	return e, created, nil
}

// mayAct reports whether by may acknowledge or resolve e: the manager it is
// addressed to, that person's own manager, or an administrator.
func mayAct(e *model.Escalation, by *model.Staff) bool {
	if by == nil {
		return false
	}
	if by.IsAdmin || e.ManagerID == by.ID {
		return true
	}
	return e.Manager != nil && e.Manager.ManagerID != nil && *e.Manager.ManagerID == by.ID
}

// AcknowledgeEscalation records that the manager has taken the escalation:
// the customer sees it in the timeline (with the manager's name) and gets an
// email. Someone else allowed to act who takes it on becomes its manager. Acknowledging again, or a resolved escalation, changes nothing.
func AcknowledgeEscalation(ctx context.Context, s *store.Store, bus Publisher, escalationID int64, by *model.Staff, now time.Time) (*model.Escalation, error) {
	now = model.Normalize(now)
	var e *model.Escalation
	err := s.WithTx(ctx, func(tx *store.Store) error {
		var err error
		if e, err = tx.EscalationByID(ctx, escalationID); err != nil {
			return err
		}
		if !mayAct(e, by) {
			return ErrNotManager
		}
		if e.State != model.EscalationOpen {
			return nil
		}
		k, err := loadOfEscalation(ctx, tx, e)
		if err != nil {
			return err
		}
		c, err := tx.CustomerByID(ctx, e.CustomerID)
		if err != nil {
			return err
		}
		st, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		e.State, e.AcknowledgedAt = model.EscalationAcknowledged, &now
		// Whoever takes it on (the addressed manager's own manager, an
		// administrator) is the manager the customer now deals with.
		e.ManagerID, e.Manager = by.ID, by
		if err := tx.UpdateEscalation(ctx, e); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(k.event(e.CustomerID, KindEscalationAcknowledged, map[string]string{
			"manager": by.FullName, "manager_title": by.Title, "escalation_id": idStr(e.ID)}, now))
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if err := k.touch(ctx, tx, now); err != nil {
			return err
		}
		if _, err := tx.Enqueue(ctx, notify.EscalationAcknowledgedMsg(e, by, c, mailLocale(c, st), k.title(), k.customerPath())); err != nil {
			return err
		}
		publish(tx, bus, e.CustomerID, k.liveName())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cases: acknowledge escalation %d: %w", escalationID, err)
	}
	return e, nil
}

// ResolveEscalation closes the escalation; the customer sees who closed it.
// Resolving a resolved escalation changes nothing. Once resolved, the case
// can be escalated again.
func ResolveEscalation(ctx context.Context, s *store.Store, bus Publisher, escalationID int64, by *model.Staff, now time.Time) (*model.Escalation, error) {
	now = model.Normalize(now)
	var e *model.Escalation
	err := s.WithTx(ctx, func(tx *store.Store) error {
		var err error
		if e, err = tx.EscalationByID(ctx, escalationID); err != nil {
			return err
		}
		if !mayAct(e, by) {
			return ErrNotManager
		}
		if e.State == model.EscalationResolved {
			return nil
		}
		k, err := loadOfEscalation(ctx, tx, e)
		if err != nil {
			return err
		}
		if e.AcknowledgedAt == nil {
			e.AcknowledgedAt = &now
		}
		e.State, e.ResolvedAt = model.EscalationResolved, &now
		if err := tx.UpdateEscalation(ctx, e); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(k.event(e.CustomerID, KindEscalationResolved, map[string]string{
			"manager": by.FullName, "manager_title": by.Title, "escalation_id": idStr(e.ID)}, now))
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if err := k.touch(ctx, tx, now); err != nil {
			return err
		}
		publish(tx, bus, e.CustomerID, k.liveName())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cases: resolve escalation %d: %w", escalationID, err)
	}
	return e, nil
}
