package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
)

// InquiriesByIDs returns the inquiries with the given ids, keyed by id: one
// query for a whole page (escalations list their cases this way).
func (s *Store) InquiriesByIDs(ctx context.Context, ids []int64) (map[int64]*model.Inquiry, error) {
	out := make(map[int64]*model.Inquiry, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []*model.Inquiry
	if err := s.r.NewSelect().Model(&list).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: inquiries by ids: %w", err)
	}
	for _, q := range list {
		out[q.ID] = q
	}
	return out, nil
}

// OrdersByIDs returns the orders with the given ids (without items), keyed
// by id, in one query.
func (s *Store) OrdersByIDs(ctx context.Context, ids []int64) (map[int64]*model.Order, error) {
	out := make(map[int64]*model.Order, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []*model.Order
	if err := s.r.NewSelect().Model(&list).ExcludeColumn("items", "payload_hash").
		Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: orders by ids: %w", err)
	}
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

// CustomersByIDs returns the customers with the given ids, keyed by id, in
// one query.
func (s *Store) CustomersByIDs(ctx context.Context, ids []int64) (map[int64]*model.Customer, error) {
	out := make(map[int64]*model.Customer, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []*model.Customer
	if err := s.r.NewSelect().Model(&list).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: customers by ids: %w", err)
	}
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}

// OpenInquiriesAboutOrders returns the open inquiries about each of the
// orders, newest first, keyed by order id: one query for a page of
// escalated orders.
func (s *Store) OpenInquiriesAboutOrders(ctx context.Context, orderIDs []int64) (map[int64][]*model.Inquiry, error) {
	out := make(map[int64][]*model.Inquiry, len(orderIDs))
	if len(orderIDs) == 0 {
		return out, nil
	}
	var list []*model.Inquiry
	if err := s.r.NewSelect().Model(&list).
		Where("order_id IN (?) AND is_open = ?", bun.In(orderIDs), true).
		OrderExpr("id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: open inquiries about orders: %w", err)
	}
	for _, q := range list {
		out[*q.OrderID] = append(out[*q.OrderID], q)
	}
	return out, nil
}
