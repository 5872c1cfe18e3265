package staffwork

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/domain/cases"
	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// ErrSameOrderOwner means an order would be handed to the person who owns it.
var ErrSameOrderOwner = errors.New("the order already belongs to that staff member")

// ReassignEscalated hands the case of an escalation (its inquiry or its
// order) to another active staff member, as a manager does from the
// escalations list: only someone who may act on the escalation
// (cases.MayAct) may, else cases.ErrNotManager and nothing changes. The
// handoff is the case's own (ReassignInquiry, orders.Reassign): the customer
// sees it with both full names and the new owner is emailed. Handing it to
// its owner is ErrSameOwner (an inquiry) or ErrSameOrderOwner.
func ReassignEscalated(ctx context.Context, s *store.Store, bus Publisher, escalationID, toStaffID int64, by *model.Staff, now time.Time) error {
	e, err := s.EscalationByID(ctx, escalationID)
	if err != nil {
		return fmt.Errorf("staffwork: reassign escalated case: %w", err)
	}
	if !cases.MayAct(e, by) {
		return fmt.Errorf("staffwork: reassign the case of escalation %d: %w", escalationID, cases.ErrNotManager)
	}
	switch {
	case e.InquiryID != nil:
		return ReassignInquiry(ctx, s, bus, *e.InquiryID, toStaffID, by, now)
	case e.OrderID != nil:
		o, err := s.OrderByID(ctx, *e.OrderID)
		if err != nil {
			return fmt.Errorf("staffwork: reassign escalated order: %w", err)
		}
		if o.OwnerID == toStaffID {
			return ErrSameOrderOwner
		}
		if _, err := orders.Reassign(ctx, s, bus, o.Ref, toStaffID, by, now); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("staffwork: escalation %d has no case", escalationID)
}
