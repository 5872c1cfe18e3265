package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
)

// The set-based reads and writes of bulk work (the CSV import, and order
// upserts, which are a batch of one): one statement for many rows instead
// of one per row. Writes go bulkRows rows to a statement.
const bulkRows = 500

// OrdersByRefs returns the orders with these references, with owner and
// customer, keyed by reference (one query per bulkRows references).
func (s *Store) OrdersByRefs(ctx context.Context, refs []string) (map[string]*model.Order, error) {
	out := make(map[string]*model.Order, len(refs))
	for start := 0; start < len(refs); start += bulkRows {
		part := refs[start:min(start+bulkRows, len(refs))]
		var list []*model.Order
		if err := s.r.NewSelect().Model(&list).Relation("Owner").Relation("Customer").
			Where("?TableAlias.ref IN (?)", bun.In(part)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("store: orders by refs: %w", err)
		}
		for _, o := range list {
			out[o.Ref] = o
		}
	}
	return out, nil
}

// CustomersByEmails returns the customers with these addresses (given in
// lower case, as orders normalize them), keyed by address.
func (s *Store) CustomersByEmails(ctx context.Context, emails []string) (map[string]*model.Customer, error) {
	out := make(map[string]*model.Customer, len(emails))
	for start := 0; start < len(emails); start += bulkRows {
		part := emails[start:min(start+bulkRows, len(emails))]
		var list []*model.Customer
		if err := s.r.NewSelect().Model(&list).Where("lower(email) IN (?)", bun.In(part)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("store: customers by emails: %w", err)
		}
		for _, c := range list {
			out[c.Email] = c
		}
	}
	return out, nil
}

// InsertCustomers creates customers (their addresses in lower case), setting
// their ids. A customer created meanwhile by someone else is ErrConflict.
func (s *Store) InsertCustomers(ctx context.Context, list []*model.Customer) error {
	if s.canCopy(len(list)) {
		return s.copyCustomers(ctx, list)
	}
	for start := 0; start < len(list); start += bulkRows {
		part := list[start:min(start+bulkRows, len(list))]
		if _, err := s.w.NewInsert().Model(&part).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("store: insert %d customers: %w", len(part), ErrConflict)
			}
			return fmt.Errorf("store: insert %d customers: %w", len(part), err)
		}
	}
	return nil
}

// UpdateCustomerDetails writes the name, locale and updated_at of each
// customer (what order data may change).
func (s *Store) UpdateCustomerDetails(ctx context.Context, list []*model.Customer) error {
	for _, c := range list {
		if _, err := s.w.NewUpdate().Model(c).Column("name", "locale", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("store: update customer %q: %w", c.Email, err)
		}
	}
	return nil
}

// StaffByEmails returns the staff members with these addresses, keyed by
// their address in lower case.
func (s *Store) StaffByEmails(ctx context.Context, emails []string) (map[string]*model.Staff, error) {
	out := make(map[string]*model.Staff, len(emails))
	if len(emails) == 0 {
		return out, nil
	}
	var list []*model.Staff
	if err := s.r.NewSelect().Model(&list).Where("lower(email) IN (?)", bun.In(emails)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: staff by emails: %w", err)
	}
	for _, st := range list {
		out[st.Email] = st
	}
	return out, nil
}

// StaffLoad is an active staff member with their open cases, as the owner
// rule weighs them.
type StaffLoad struct {
	Staff     *model.Staff
	OpenCases int
}

// ActiveStaffLoads lists the active staff members with their open cases,
// least loaded first (ties: the longest-serving first), as
// LeastLoadedStaff would pick them.
func (s *Store) ActiveStaffLoads(ctx context.Context) ([]StaffLoad, error) {
	var rows []struct {
		model.Staff
		OpenCases int `bun:"open_cases"`
	}
	if err := s.r.NewSelect().Model((*model.Staff)(nil)).Column("*").Where("active = ?", true).
		OrderExpr("open_cases, id").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: active staff loads: %w", err)
	}
	out := make([]StaffLoad, len(rows))
	for i := range rows {
		st := rows[i].Staff
		out[i] = StaffLoad{Staff: &st, OpenCases: rows[i].OpenCases}
	}
	return out, nil
}

// InsertOrders creates orders, setting their ids; each has its owner. An
// order whose reference exists (created meanwhile) is ErrConflict.
func (s *Store) InsertOrders(ctx context.Context, list []*model.Order) error {
	for _, o := range list {
		if o.OwnerID == 0 {
			return fmt.Errorf("store: insert order %q: no owner", o.Ref)
		}
		o.IsOpen = model.OrderIsOpen(o.Status)
		if o.Items == nil {
			o.Items = []model.Item{}
		}
	}
	if s.canCopy(len(list)) {
		return s.copyOrders(ctx, list)
	}
	for start := 0; start < len(list); start += bulkRows {
		part := list[start:min(start+bulkRows, len(list))]
		if len(part) == 1 {
			// bun writes one row the way InsertOrder does.
			if err := s.InsertOrder(ctx, part[0]); err != nil {
				return err
			}
			continue
		}
		if _, err := s.w.NewInsert().Model(&part).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("store: insert %d orders: %w", len(part), ErrConflict)
			}
			return fmt.Errorf("store: insert %d orders: %w", len(part), err)
		}
	}
	return nil
}

// EnqueueMany writes emails to the outbox as Enqueue does, a statement per
// bulkRows messages; ones whose idempotency key is queued already are
// skipped. With fresh true (every key is new: mail about orders just
// created) a bulk transaction on PostgreSQL writes them by COPY, and a key
// queued already fails it with ErrConflict instead.
func (s *Store) EnqueueMany(ctx context.Context, list []*model.OutboxMessage, fresh bool) error {
	if len(list) == 0 {
		return nil
	}
	now := model.Now()
	for _, m := range list {
		if m.State == "" {
			m.State = model.MailPending
		}
		if m.NextAttemptAt.IsZero() {
			m.NextAttemptAt = now
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		if m.Data == nil {
			m.Data = map[string]string{}
		}
	}
	if fresh && s.canCopy(len(list)) {
		return s.copyOutbox(ctx, list)
	}
	var queued int64
	for start := 0; start < len(list); start += bulkRows {
		part := list[start:min(start+bulkRows, len(list))]
		// No RETURNING: a skipped row would shift the ids bun scans back.
		res, err := s.w.NewInsert().Model(&part).On("CONFLICT (idempotency_key) DO NOTHING").Returning("NULL").Exec(ctx)
		if err != nil {
			return fmt.Errorf("store: enqueue %d messages: %w", len(part), err)
		}
		n, _ := res.RowsAffected()
		queued += n
	}
	if queued > 0 {
		s.AfterCommit(s.notifyEnqueue)
	}
	return nil
}
