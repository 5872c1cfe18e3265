package staffwork

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/domain/owner"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// Deactivate turns a staff member off in one transaction: their open orders
// and inquiries go to their manager, else by the owner rule (owner.Deactivate,
// which writes a handoff event on each), the escalations waiting on them go
// to the same person, and every session of theirs ends. When nobody active
// would be left to own the cases it refuses (owner.ErrNoStaff) and changes
// nothing. It returns who took the cases.
func Deactivate(ctx context.Context, s *store.Store, bus Publisher, staffID int64, by *model.Staff, now time.Time) (*model.Staff, error) {
	if by != nil && by.ID == staffID {
		return nil, ErrSelf
	}
	now = model.Normalize(now)
	var to *model.Staff
	err := s.WithTx(ctx, func(tx *store.Store) error {
		leaving, err := tx.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		if !leaving.Active {
			return ErrAlreadyStopped
		}
		if to, err = owner.Deactivate(ctx, tx, staffID, by, now); err != nil {
			return err
		}
		if _, err := tx.ReassignOpenEscalations(ctx, staffID, to.ID); err != nil {
			return err
		}
		if _, err := tx.DeleteSessionsOf(ctx, model.KindStaff, staffID); err != nil {
			return err
		}
		if bus != nil {
			// Many customers' cases changed owner: every page forgets itself.
			tx.AfterCommit(func() {
				bus.Publish(live.AllTopic, live.Event{Name: "dashboard"})
				bus.Publish(live.StaffTopic, live.Event{Name: "queue"})
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("staffwork: deactivate staff %d: %w", staffID, err)
	}
	return to, nil
}
