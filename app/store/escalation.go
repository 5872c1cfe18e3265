package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
)

// OpenEscalation returns the unresolved escalation of a subject ("order:12"),
// or ErrNotFound.
func (s *Store) OpenEscalation(ctx context.Context, subject string) (*model.Escalation, error) {
	e := new(model.Escalation)
	err := s.r.NewSelect().Model(e).Relation("Manager").
		Where("?TableAlias.subject = ? AND ?TableAlias.is_open = ?", subject, true).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: open escalation of %s: %w", subject, notFound(err))
	}
	return e, nil
}

// LatestEscalation returns the newest escalation of a subject, open or not.
func (s *Store) LatestEscalation(ctx context.Context, subject string) (*model.Escalation, error) {
	e := new(model.Escalation)
	err := s.r.NewSelect().Model(e).Relation("Manager").
		Where("?TableAlias.subject = ?", subject).OrderExpr("?TableAlias.id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: escalation of %s: %w", subject, notFound(err))
	}
	return e, nil
}

// InsertEscalation records an escalation. A second open escalation of the
// same subject is ErrConflict (a unique index guards it).
func (s *Store) InsertEscalation(ctx context.Context, e *model.Escalation) error {
	e.IsOpen = e.State != model.EscalationResolved
	if _, err := s.w.NewInsert().Model(e).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: insert escalation of %s: %w", e.Subject, ErrConflict)
		}
		return fmt.Errorf("store: insert escalation of %s: %w", e.Subject, err)
	}
	return nil
}

// UpdateEscalation writes an escalation's state and times.
func (s *Store) UpdateEscalation(ctx context.Context, e *model.Escalation) error {
	e.IsOpen = e.State != model.EscalationResolved
	_, err := s.w.NewUpdate().Model(e).
		Column("state", "is_open", "manager_id", "acknowledged_at", "resolved_at", "level", "visited").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: update escalation %d: %w", e.ID, err)
	}
	return nil
}

// EscalationByID finds an escalation by id, for staff.
func (s *Store) EscalationByID(ctx context.Context, id int64) (*model.Escalation, error) {
	e := new(model.Escalation)
	if err := s.r.NewSelect().Model(e).Relation("Manager").Where("?TableAlias.id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: escalation %d: %w", id, notFound(err))
	}
	return e, nil
}

// OpenEscalationsForManagers lists unresolved escalations addressed to any of
// the given managers: those a customer's "not solved" made first, then
// oldest first.
func (s *Store) OpenEscalationsForManagers(ctx context.Context, managerIDs []int64) ([]*model.Escalation, error) {
	var list []*model.Escalation
	if len(managerIDs) == 0 {
		return list, nil
	}
	err := s.r.NewSelect().Model(&list).Relation("Manager").
		Where("?TableAlias.manager_id IN (?) AND ?TableAlias.is_open = ?", bun.In(managerIDs), true).
		OrderExpr("CASE WHEN ?TableAlias.cause = ? THEN 0 ELSE 1 END, ?TableAlias.created_at, ?TableAlias.id", model.CauseNotSolved).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: open escalations: %w", err)
	}
	return list, nil
}

// OpenEscalationsForCustomer returns the unresolved escalations of one
// customer keyed by subject, for the dashboard (one query).
func (s *Store) OpenEscalationsForCustomer(ctx context.Context, customerID int64) (map[string]*model.Escalation, error) {
	var list []*model.Escalation
	err := s.r.NewSelect().Model(&list).Relation("Manager").
		Where("?TableAlias.customer_id = ? AND ?TableAlias.is_open = ?", customerID, true).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: escalations of customer %d: %w", customerID, err)
	}
	out := make(map[string]*model.Escalation, len(list))
	for _, e := range list {
		out[e.Subject] = e
	}
	return out, nil
}

// FallbackManager returns the longest-serving active administrator other
// than except (0 for none), for an escalation with no manager in the owner's
// line and no manager of last resort; ErrNotFound when there is none.
func (s *Store) FallbackManager(ctx context.Context, except int64) (*model.Staff, error) {
	st := new(model.Staff)
	err := s.r.NewSelect().Model(st).Where("active = ? AND is_admin = ? AND id <> ?", true, true, except).
		OrderExpr("id").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: fallback manager: %w", notFound(err))
	}
	return st, nil
}

// LatestEscalationForCustomer returns the newest escalation of a subject of
// this customer's ("order:12"), open or not, with its manager; ErrNotFound
// when there is none (or it is another customer's).
func (s *Store) LatestEscalationForCustomer(ctx context.Context, customerID int64, subject string) (*model.Escalation, error) {
	e := new(model.Escalation)
	err := s.r.NewSelect().Model(e).Relation("Manager").
		Where("?TableAlias.subject = ? AND ?TableAlias.customer_id = ?", subject, customerID).
		OrderExpr("?TableAlias.id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: escalation of %s: %w", subject, notFound(err))
	}
	return e, nil
}

// MoveEscalation writes e's new manager, level and path up the chain, and
// its state (open again, acknowledged_at cleared), if it is still as the
// caller read it: with fromManager at fromLevel, in fromState. It reports false when someone else moved
// or closed it first (another instance, a manager acting at that moment),
// so an escalation climbs one level per occasion however many look.
func (s *Store) MoveEscalation(ctx context.Context, e *model.Escalation, fromManager int64, fromLevel int, fromState string) (bool, error) {
	res, err := s.w.NewUpdate().Model((*model.Escalation)(nil)).
		Set("manager_id = ?", e.ManagerID).Set("level = ?", e.Level).Set("visited = ?", e.Visited).
		Set("state = ?", e.State).Set("acknowledged_at = ?", e.AcknowledgedAt).
		Where("id = ? AND manager_id = ? AND level = ? AND state = ?", e.ID, fromManager, fromLevel, fromState).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: move escalation %d: %w", e.ID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
