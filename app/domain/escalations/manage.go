package escalations

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kedja/kedja/app/domain/hours"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/domain/promises"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Acknowledge records that the manager has taken the escalation: their
// promise to answer is kept (or kept late), the customer sees it in the
// timeline (with the manager's name) and gets an email worded for why it
// was escalated. Someone else allowed to act (MayAct) who takes it on
// becomes its manager. When nobody owes the customer an answer on an
// inquiry any more (the promise that was missed made it, or it was the
// customer's turn), the manager now does, by the reply-time target.
// Acknowledging again, or a resolved escalation, changes nothing.
func (s *Service) Acknowledge(ctx context.Context, escalationID int64, by *model.Staff) (*model.Escalation, error) {
	now := s.now()
	var e *model.Escalation
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		var err error
		if e, err = tx.EscalationByID(ctx, escalationID); err != nil {
			return err
		}
		if !MayAct(e, by) {
			return ErrNotManager
		}
		if e.State != model.EscalationOpen {
			return nil
		}
		k, err := loadOf(ctx, tx, e)
		if err != nil {
			return err
		}
		c, err := tx.CustomerByID(ctx, e.CustomerID)
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
		actor := model.StaffActor(by)
		if err := s.answered(ctx, tx, k, e, by, actor, now); err != nil {
			return err
		}
		ev := actor.Stamp(k.event(e.CustomerID, model.EventEscalationAcknowledged, map[string]string{
			"manager": by.FullName, "manager_title": by.Title, "escalation_id": strconv.FormatInt(e.ID, 10)}, now))
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if err := k.touch(ctx, tx, now); err != nil {
			return err
		}
		msg := notify.EscalationAcknowledgedMsg(e, by, c, notify.Locale(ctx, tx, c.Locale), k.mail())
		if _, err := tx.Enqueue(ctx, msg); err != nil {
			return err
		}
		if err := s.sync(ctx, tx, k); err != nil {
			return err
		}
		live.CaseChanged(tx, s.Bus, e.CustomerID, k.liveName())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("escalations: acknowledge escalation %d: %w", escalationID, err)
	}
	return e, nil
}

// answered keeps the escalation's promises to answer (a missed one kept
// late) and, on an open inquiry that no one owes an answer any more, makes
// holder owe it by the reply-time target.
func (s *Service) answered(ctx context.Context, tx *store.Store, k escalated, e *model.Escalation, holder *model.Staff, by model.Actor, now time.Time) error {
	pc := k.promised()
	list, err := tx.OutstandingPromises(ctx, pc.Key())
	if err != nil {
		return err
	}
	owed := false
	for _, p := range list {
		switch {
		case p.EscalationID != nil && *p.EscalationID == e.ID:
			if _, err := promises.End(ctx, tx, pc, p, promises.Kept, "", by, now); err != nil {
				return err
			}
		case p.EscalationID == nil && p.IsNext && p.BusinessHeld():
			owed = true
		}
	}
	if owed || k.inquiry == nil || !k.inquiry.IsOpen {
		return nil
	}
	if next, err := promises.Next(ctx, tx, pc); err != nil {
		return err
	} else if next != nil {
		if _, err := promises.End(ctx, tx, pc, next, promises.Kept, "", by, now); err != nil {
			return err
		}
	}
	clock, err := hours.Load(ctx, tx, s.Location)
	if err != nil {
		return err
	}
	return promises.Make(ctx, tx, pc, promises.ReplyBy(holder, clock.ReplyBy(now)), by, now)
}

// Resolve closes the escalation; the customer sees who closed it. Its
// promise to answer is kept; an open inquiry that no one owes an answer
// goes back to its owner, who owes one by the reply-time target.
// Resolving a resolved escalation changes nothing. Once resolved, the
// case can be escalated again (one level higher).
func (s *Service) Resolve(ctx context.Context, escalationID int64, by *model.Staff) (*model.Escalation, error) {
	now := s.now()
	var e *model.Escalation
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		var err error
		if e, err = tx.EscalationByID(ctx, escalationID); err != nil {
			return err
		}
		if !MayAct(e, by) {
			return ErrNotManager
		}
		if e.State == model.EscalationResolved {
			return nil
		}
		k, err := loadOf(ctx, tx, e)
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
		holder := by
		if k.inquiry != nil {
			if holder, err = tx.StaffByID(ctx, k.inquiry.OwnerID); err != nil {
				return err
			}
		}
		actor := model.StaffActor(by)
		if err := s.answered(ctx, tx, k, e, holder, actor, now); err != nil {
			return err
		}
		ev := actor.Stamp(k.event(e.CustomerID, model.EventEscalationResolved, map[string]string{
			"manager": by.FullName, "manager_title": by.Title, "escalation_id": strconv.FormatInt(e.ID, 10)}, now))
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if err := k.touch(ctx, tx, now); err != nil {
			return err
		}
		if err := s.sync(ctx, tx, k); err != nil {
			return err
		}
		live.CaseChanged(tx, s.Bus, e.CustomerID, k.liveName())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("escalations: resolve escalation %d: %w", escalationID, err)
	}
	return e, nil
}

// HandOver hands the case of an escalation (its inquiry or its order) to
// another active staff member, as a manager does from the escalations list:
// only someone who may act on the escalation (MayAct) may, else
// ErrNotManager and nothing changes. The handoff is the case's own
// (inquiries.Service.Reassign, orders.Reassign): the customer sees it with
// both full names and the new owner is emailed. Handing it to its owner is
// owner.ErrSameInquiryOwner or owner.ErrSameOrderOwner.
func (s *Service) HandOver(ctx context.Context, escalationID, toStaffID int64, by *model.Staff) error {
	e, err := s.Store.EscalationByID(ctx, escalationID)
	if err != nil {
		return fmt.Errorf("escalations: hand over the case of escalation %d: %w", escalationID, err)
	}
	if !MayAct(e, by) {
		return fmt.Errorf("escalations: hand over the case of escalation %d: %w", escalationID, ErrNotManager)
	}
	switch {
	case e.InquiryID != nil:
		return s.Inquiries.Reassign(ctx, *e.InquiryID, toStaffID, by)
	case e.OrderID != nil:
		o, err := s.Store.OrderByID(ctx, *e.OrderID)
		if err != nil {
			return fmt.Errorf("escalations: hand over escalated order: %w", err)
		}
		if o.OwnerID == toStaffID {
			return owner.ErrSameOrderOwner
		}
		if _, err := orders.Reassign(ctx, s.Store, s.Bus, o.Ref, toStaffID, by, s.now()); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("escalations: escalation %d has no case", escalationID)
}

// Feedback records the customer's answer to "Did this solve it?" on one of
// their resolved inquiries (inquiries.Service.Feedback). "Not solved"
// reopens the inquiry with the owner's manager holding it, who owes the
// customer an answer by the reply-time target: an escalation (cause
// model.CauseNotSolved) that the managers' inbox shows first — feedback
// always gets a reply. Answering twice changes nothing. It returns the
// answer and, for "not solved", the escalation.
func (s *Service) Feedback(ctx context.Context, customerID, inquiryID int64, solved bool, comment string) (*model.Feedback, *model.Escalation, error) {
	now := s.now()
	var f *model.Feedback
	var e *model.Escalation
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		var q *model.Inquiry
		var created bool
		var err error
		if f, q, created, err = s.Inquiries.On(tx).Feedback(ctx, customerID, inquiryID, solved, comment); err != nil {
			return err
		}
		if !created || solved {
			return nil
		}
		k := escalated{inquiry: q}
		st, clock, err := s.business(ctx, tx)
		if err != nil {
			return err
		}
		mgr, err := pickManager(ctx, tx, q.OwnerID, st)
		if err != nil {
			return err
		}
		c, err := tx.CustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		actor := model.CustomerActor(c)
		if err := s.Inquiries.ReopenWith(ctx, tx, q, mgr, actor); err != nil {
			return err
		}
		if open, err := tx.OpenEscalation(ctx, k.subject()); err == nil {
			e = open // a manager is on it already: they answer
			return s.sync(ctx, tx, k)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		why := comment
		if why == "" {
			why = "The customer said the answer did not solve it."
		}
		e = &model.Escalation{Subject: k.subject(), CustomerID: customerID, RequestedByKind: model.ActorCustomer,
			ManagerID: mgr.ID, Reason: why, State: model.EscalationOpen, CreatedAt: now, Manager: mgr,
			Cause: model.CauseNotSolved, Level: 1, Visited: strconv.FormatInt(mgr.ID, 10)}
		_, err = s.open(ctx, tx, k, e, c, nil, clock.ReplyBy(now), actor, now)
		return err
	})
	if errors.Is(err, store.ErrConflict) && !s.Store.InTx() {
		// The same answer from two tabs at once: the first one stands.
		f, _, _, err = s.Inquiries.Feedback(ctx, customerID, inquiryID, solved, comment)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("escalations: feedback on inquiry %d: %w", inquiryID, err)
	}
	return f, e, nil
}
