package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
)

// SaveStaff creates a staff member or, when one with the same address exists,
// updates them; st.ID is set either way.
func (s *Store) SaveStaff(ctx context.Context, st *model.Staff) (created bool, err error) {
	st.Email = strings.ToLower(strings.TrimSpace(st.Email))
	now := model.Now()
	existing, err := s.StaffByEmail(ctx, st.Email)
	switch {
	case err == nil:
		st.ID, st.CreatedAt, st.UpdatedAt = existing.ID, existing.CreatedAt, now
		if _, err := s.w.NewUpdate().Model(st).WherePK().Exec(ctx); err != nil {
			return false, fmt.Errorf("store: update staff %q: %w", st.Email, err)
		}
		return false, nil
	case isNotFound(err):
		st.CreatedAt, st.UpdatedAt = now, now
		if _, err := s.w.NewInsert().Model(st).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return false, fmt.Errorf("store: insert staff %q: %w", st.Email, ErrConflict)
			}
			return false, fmt.Errorf("store: insert staff %q: %w", st.Email, err)
		}
		return true, nil
	default:
		return false, err
	}
}

// StaffByEmail finds a staff member by address, ignoring case.
func (s *Store) StaffByEmail(ctx context.Context, email string) (*model.Staff, error) {
	st := new(model.Staff)
	err := s.r.NewSelect().Model(st).Where("lower(email) = ?", strings.ToLower(strings.TrimSpace(email))).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: staff %q: %w", email, notFound(err))
	}
	return st, nil
}

// StaffByID finds a staff member by id.
func (s *Store) StaffByID(ctx context.Context, id int64) (*model.Staff, error) {
	st := new(model.Staff)
	if err := s.r.NewSelect().Model(st).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: staff %d: %w", id, notFound(err))
	}
	return st, nil
}

// StaffByIDs returns the staff members with the given ids, keyed by id: one
// query for a whole page of owners and authors.
func (s *Store) StaffByIDs(ctx context.Context, ids []int64) (map[int64]*model.Staff, error) {
	out := make(map[int64]*model.Staff, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []*model.Staff
	if err := s.r.NewSelect().Model(&list).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: staff by ids: %w", err)
	}
	for _, st := range list {
		out[st.ID] = st
	}
	return out, nil
}

// ListStaff returns every staff member, active ones first, by name.
func (s *Store) ListStaff(ctx context.Context) ([]*model.Staff, error) {
	var list []*model.Staff
	if err := s.r.NewSelect().Model(&list).OrderExpr("active DESC, full_name, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: list staff: %w", err)
	}
	return list, nil
}

// LeastLoadedStaff returns the active staff member with the fewest open
// orders and inquiries (ties go to the longest-serving), skipping exclude.
// The count is staff.open_cases, which triggers keep as cases open, close
// and change hands (migration 20261201000001).
func (s *Store) LeastLoadedStaff(ctx context.Context, exclude int64) (*model.Staff, error) {
	st := new(model.Staff)
	err := s.r.NewSelect().Model(st).
		Where("active = ?", true).
		Where("id <> ?", exclude).
		OrderExpr("open_cases, id").
		Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: least-loaded staff: %w", notFound(err))
	}
	return st, nil
}

// SetStaffActive turns a staff member on or off.
func (s *Store) SetStaffActive(ctx context.Context, id int64, active bool) error {
	res, err := s.w.NewUpdate().Model((*model.Staff)(nil)).
		Set("active = ?", active).Set("updated_at = ?", model.Now()).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set staff %d active=%v: %w", id, active, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: staff %d: %w", id, ErrNotFound)
	}
	return nil
}

// CaseOf is a moved case: its id and its customer's.
type CaseOf struct {
	ID         int64 `bun:"id"`
	CustomerID int64 `bun:"customer_id"`
}

// ReassignOpenCases moves every open order and inquiry of from to to, and
// returns what it moved (for the handoff events).
func (s *Store) ReassignOpenCases(ctx context.Context, from, to int64, at time.Time) (orders, inquiries []CaseOf, err error) {
	if err := s.w.NewSelect().Model((*model.Order)(nil)).Column("id", "customer_id").
		Where("owner_id = ? AND is_open = ?", from, true).Order("id").Scan(ctx, &orders); err != nil {
		return nil, nil, fmt.Errorf("store: open orders of %d: %w", from, err)
	}
	if err := s.w.NewSelect().Model((*model.Inquiry)(nil)).Column("id", "customer_id").
		Where("owner_id = ? AND is_open = ?", from, true).Order("id").Scan(ctx, &inquiries); err != nil {
		return nil, nil, fmt.Errorf("store: open inquiries of %d: %w", from, err)
	}
	if _, err := s.w.NewUpdate().Model((*model.Order)(nil)).Set("owner_id = ?", to).Set("updated_at = ?", at).
		Where("owner_id = ? AND is_open = ?", from, true).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("store: reassign orders of %d: %w", from, err)
	}
	if _, err := s.w.NewUpdate().Model((*model.Inquiry)(nil)).Set("owner_id = ?", to).Set("updated_at = ?", at).
		Where("owner_id = ? AND is_open = ?", from, true).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("store: reassign inquiries of %d: %w", from, err)
	}
	return orders, inquiries, nil
}

// ReassignOpenEscalations addresses every unresolved escalation waiting on
// from to to instead, and returns how many moved.
func (s *Store) ReassignOpenEscalations(ctx context.Context, from, to int64) (int64, error) {
	res, err := s.w.NewUpdate().Model((*model.Escalation)(nil)).Set("manager_id = ?", to).
		Where("manager_id = ? AND is_open = ?", from, true).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: reassign escalations of %d: %w", from, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// ReportsOf returns the ids of the staff members whose manager is managerID.
func (s *Store) ReportsOf(ctx context.Context, managerID int64) ([]int64, error) {
	var ids []int64
	if err := s.r.NewSelect().Model((*model.Staff)(nil)).Column("id").
		Where("manager_id = ?", managerID).Order("id").Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("store: reports of %d: %w", managerID, err)
	}
	return ids, nil
}

// CountOpenCases counts a staff member's open orders and inquiries.
func (s *Store) CountOpenCases(ctx context.Context, staffID int64) (orders, inquiries int64, err error) {
	if orders, err = s.r.NewSelect().Model((*model.Order)(nil)).Where("owner_id = ? AND is_open = ?", staffID, true).Count(ctx); err != nil {
		return 0, 0, fmt.Errorf("store: count open orders of %d: %w", staffID, err)
	}
	if inquiries, err = s.r.NewSelect().Model((*model.Inquiry)(nil)).Where("owner_id = ? AND is_open = ?", staffID, true).Count(ctx); err != nil {
		return 0, 0, fmt.Errorf("store: count open inquiries of %d: %w", staffID, err)
	}
	return orders, inquiries, nil
}

// UpdateStaff writes an existing staff member's editable details by id
// (address, name, title, phone, manager, admin flag). Another staff member's
// address is ErrConflict.
func (s *Store) UpdateStaff(ctx context.Context, st *model.Staff) error {
	st.Email = strings.ToLower(strings.TrimSpace(st.Email))
	st.UpdatedAt = model.Now()
	res, err := s.w.NewUpdate().Model(st).
		Column("email", "full_name", "title", "phone", "manager_id", "is_admin", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: update staff %d: %w", st.ID, ErrConflict)
		}
		return fmt.Errorf("store: update staff %d: %w", st.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: staff %d: %w", st.ID, ErrNotFound)
	}
	return nil
}

// OpenCaseLoad counts every staff member's open orders and inquiries in two
// grouped queries: id -> {orders, inquiries}.
func (s *Store) OpenCaseLoad(ctx context.Context) (map[int64][2]int, error) {
	out := map[int64][2]int{}
	for i, table := range []string{"orders", "inquiries"} {
		var rows []struct {
			OwnerID int64 `bun:"owner_id"`
			N       int   `bun:"n"`
		}
		if err := s.r.NewSelect().TableExpr(table).ColumnExpr("owner_id, count(*) AS n").
			Where("is_open = ?", true).GroupExpr("owner_id").Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("store: open %s per owner: %w", table, err)
		}
		for _, r := range rows {
			v := out[r.OwnerID]
			v[i] = r.N
			out[r.OwnerID] = v
		}
	}
	return out, nil
}

// OrderManagerForCustomer returns the manager of the staff member who owns
// one of the customer's orders: whom the customer can ask for. ErrNotFound
// when the owner has no manager, or the order is another customer's.
func (s *Store) OrderManagerForCustomer(ctx context.Context, customerID, orderID int64) (*model.Staff, error) {
	m := new(model.Staff)
	err := s.r.NewSelect().Model(m).
		Where("?TableAlias.id = (SELECT own.manager_id FROM staff AS own JOIN orders AS o ON o.owner_id = own.id WHERE o.id = ? AND o.customer_id = ?)",
			orderID, customerID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: manager of the owner of order %d of customer %d: %w", orderID, customerID, notFound(err))
	}
	return m, nil
}

// InquiryManagerForCustomer returns the manager of the staff member who
// owns one of the customer's inquiries. ErrNotFound when the owner has no
// manager, or the inquiry is another customer's.
func (s *Store) InquiryManagerForCustomer(ctx context.Context, customerID, inquiryID int64) (*model.Staff, error) {
	m := new(model.Staff)
	err := s.r.NewSelect().Model(m).
		Where("?TableAlias.id = (SELECT own.manager_id FROM staff AS own JOIN inquiries AS q ON q.owner_id = own.id WHERE q.id = ? AND q.customer_id = ?)",
			inquiryID, customerID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: manager of the owner of inquiry %d of customer %d: %w", inquiryID, customerID, notFound(err))
	}
	return m, nil
}
