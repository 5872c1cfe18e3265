package escalations

import (
	"context"
	"fmt"
	"strconv"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
)

// Acknowledge records that the manager has taken the escalation: the
// customer sees it in the timeline (with the manager's name) and gets an
// email. Someone else allowed to act (MayAct) who takes it on becomes its
// manager. Acknowledging again, or a resolved escalation, changes nothing.
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
		ev := model.StaffActor(by).Stamp(k.event(e.CustomerID, model.EventEscalationAcknowledged, map[string]string{
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
		live.CaseChanged(tx, s.Bus, e.CustomerID, k.liveName())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("escalations: acknowledge escalation %d: %w", escalationID, err)
	}
	return e, nil
}

// Resolve closes the escalation; the customer sees who closed it.
// Resolving a resolved escalation changes nothing. Once resolved, the case
// can be escalated again.
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
		ev := model.StaffActor(by).Stamp(k.event(e.CustomerID, model.EventEscalationResolved, map[string]string{
			"manager": by.FullName, "manager_title": by.Title, "escalation_id": strconv.FormatInt(e.ID, 10)}, now))
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		if err := k.touch(ctx, tx, now); err != nil {
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
