package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
)

// OrderByRef finds an order by the shop's reference, for staff and the API.
func (s *Store) OrderByRef(ctx context.Context, ref string) (*model.Order, error) {
	o := new(model.Order)
	err := s.r.NewSelect().Model(o).Relation("Owner").Relation("Customer").Where("?TableAlias.ref = ?", ref).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: order %q: %w", ref, notFound(err))
	}
	return o, nil
}

// OrderByID finds an order by id, for staff.
func (s *Store) OrderByID(ctx context.Context, id int64) (*model.Order, error) {
	o := new(model.Order)
	err := s.r.NewSelect().Model(o).Relation("Owner").Relation("Customer").Where("?TableAlias.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: order %d: %w", id, notFound(err))
	}
	return o, nil
}

// OrderForCustomer finds one of this customer's orders by reference; any
// other customer's order is ErrNotFound.
func (s *Store) OrderForCustomer(ctx context.Context, customerID int64, ref string) (*model.Order, error) {
	o := new(model.Order)
	err := s.r.NewSelect().Model(o).Relation("Owner").
		Where("?TableAlias.ref = ? AND ?TableAlias.customer_id = ?", ref, customerID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: order %q of customer %d: %w", ref, customerID, notFound(err))
	}
	return o, nil
}

// OrdersForCustomer lists a customer's orders, undelivered first, then by
// newest activity, with their owners (one query).
func (s *Store) OrdersForCustomer(ctx context.Context, customerID int64, limit, offset int) ([]*model.Order, error) {
	var list []*model.Order
	err := s.r.NewSelect().Model(&list).Relation("Owner").
		ExcludeColumn("items", "payload_hash").
		Where("?TableAlias.customer_id = ?", customerID).
		OrderExpr("?TableAlias.is_open DESC, ?TableAlias.last_activity_at DESC, ?TableAlias.id DESC").
		Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: orders of customer %d: %w", customerID, err)
	}
	return list, nil
}

// CountOrdersForCustomer counts a customer's orders.
func (s *Store) CountOrdersForCustomer(ctx context.Context, customerID int64) (int, error) {
	n, err := s.r.NewSelect().Model((*model.Order)(nil)).Where("customer_id = ?", customerID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count orders of customer %d: %w", customerID, err)
	}
	return int(n), nil
}

// SearchOrders finds orders by reference prefix or customer address/name.
func (s *Store) SearchOrders(ctx context.Context, q string, limit int) ([]*model.Order, error) {
	var list []*model.Order
	sel := s.r.NewSelect().Model(&list).Relation("Owner").Relation("Customer").
		OrderExpr("?TableAlias.last_activity_at DESC, ?TableAlias.id DESC").Limit(int64(limit))
	if q = strings.TrimSpace(q); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		sel = sel.Where("?TableAlias.ref = ? OR lower(customer.email) LIKE ? ESCAPE '\\' OR lower(customer.name) LIKE ? ESCAPE '\\'", q, like, like)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: search orders: %w", err)
	}
	return list, nil
}

// InsertOrder creates an order; the caller has given it an owner.
func (s *Store) InsertOrder(ctx context.Context, o *model.Order) error {
	if o.OwnerID == 0 {
		return fmt.Errorf("store: insert order %q: no owner", o.Ref)
	}
	o.IsOpen = model.OrderIsOpen(o.Status)
	if o.Items == nil {
		o.Items = []model.Item{}
	}
	if _, err := s.w.NewInsert().Model(o).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: insert order %q: %w", o.Ref, ErrConflict)
		}
		return fmt.Errorf("store: insert order %q: %w", o.Ref, err)
	}
	return nil
}

// UpdateOrder writes every column of an order.
func (s *Store) UpdateOrder(ctx context.Context, o *model.Order) error {
	if o.OwnerID == 0 {
		return fmt.Errorf("store: update order %q: no owner", o.Ref)
	}
	o.IsOpen = model.OrderIsOpen(o.Status)
	if o.Items == nil {
		o.Items = []model.Item{}
	}
	if _, err := s.w.NewUpdate().Model(o).ExcludeColumn("id", "created_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("store: update order %q: %w", o.Ref, err)
	}
	return nil
}

// TouchOrder records activity on an order (an inquiry or escalation about
// it), so the customer's list shows it as recently changed.
func (s *Store) TouchOrder(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.w.NewUpdate().Model((*model.Order)(nil)).Set("last_activity_at = ?", at).
		Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("store: touch order %d: %w", id, err)
	}
	return nil
}

// Cursor is a position in a customer's list of cases, which runs open cases
// first, then by newest activity: the list continues after (Open, At, ID).
type Cursor struct {
	Open bool
	At   time.Time
	ID   int64
}

// OrdersForCustomerAfter lists up to limit of a customer's orders in the
// dashboard's order (undelivered first, newest activity first), with their
// owners, starting after c (nil: from the start). It walks the
// orders_customer_activity index, so a later page costs what the first does.
func (s *Store) OrdersForCustomerAfter(ctx context.Context, customerID int64, c *Cursor, limit int) ([]*model.Order, error) {
	list := make([]*model.Order, 0, limit)
	sel := s.r.NewSelect().Model(&list).
		Column("id", "ref", "customer_id", "owner_id", "status", "is_open", "placed_at", "expected_delivery",
			"delivered_at", "carrier", "recipient_name", "last_activity_at").
		Relation("Owner", ownerName).
		Where("?TableAlias.customer_id = ?", customerID).
		OrderExpr("?TableAlias.is_open DESC, ?TableAlias.last_activity_at DESC, ?TableAlias.id DESC").
		Limit(int64(limit))
	if c != nil {
		sel = sel.Where("(?TableAlias.is_open, ?TableAlias.last_activity_at, ?TableAlias.id) < (?, ?, ?)", c.Open, c.At, c.ID)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: orders of customer %d: %w", customerID, err)
	}
	return list, nil
}

// ownerName keeps only what a list shows of a case's owner.
func ownerName(q *bun.SelectQuery) *bun.SelectQuery { return q.Column("id", "full_name") }

// LockOrder holds the order with this reference (if it exists) until the
// transaction ends, so two changes of one order run one after the other. On
// SQLite the single writer already does that.
func (s *Store) LockOrder(ctx context.Context, ref string) error {
	if s.dialect != "postgres" || !s.InTx() {
		return nil
	}
	var ids []int64
	if err := s.w.NewRaw("SELECT id FROM orders WHERE ref = ? FOR UPDATE", ref).Scan(ctx, &ids); err != nil {
		return fmt.Errorf("store: lock order %q: %w", ref, err)
	}
	return nil
}
