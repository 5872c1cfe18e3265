package store

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/app/model"
)

// InsertEvent appends a timeline event.
func (s *Store) InsertEvent(ctx context.Context, e *model.Event) error {
	if e.Data == nil {
		e.Data = map[string]string{}
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = model.Now()
	}
	if _, err := s.w.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("store: insert event %s: %w", e.Kind, err)
	}
	return nil
}

// InsertEvents appends many timeline events, a few hundred per statement
// (in WithBulkTx on PostgreSQL, all by COPY), setting their ids in order.
func (s *Store) InsertEvents(ctx context.Context, list []*model.Event) error {
	if s.canCopy(len(list)) {
		for _, e := range list {
			if e.Data == nil {
				e.Data = map[string]string{}
			}
			if e.CreatedAt.IsZero() {
				e.CreatedAt = model.Now()
			}
		}
		return s.copyEvents(ctx, list)
	}
	for start := 0; start < len(list); start += 500 {
		batch := list[start:min(start+500, len(list))]
		for _, e := range batch {
			if e.Data == nil {
				e.Data = map[string]string{}
			}
			if e.CreatedAt.IsZero() {
				e.CreatedAt = model.Now()
			}
		}
		if _, err := s.w.NewInsert().Model(&batch).Exec(ctx); err != nil {
			return fmt.Errorf("store: insert %d events: %w", len(batch), err)
		}
	}
	return nil
}

// OrderEvents returns an order's timeline, oldest first; customerOnly keeps
// what the customer may see.
func (s *Store) OrderEvents(ctx context.Context, orderID int64, customerOnly bool) ([]*model.Event, error) {
	var list []*model.Event
	sel := s.r.NewSelect().Model(&list).Where("order_id = ?", orderID).Order("id")
	if customerOnly {
		sel = sel.Where("customer_visible = ?", true)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: events of order %d: %w", orderID, err)
	}
	return list, nil
}

// InquiryEvents returns an inquiry's timeline, oldest first.
func (s *Store) InquiryEvents(ctx context.Context, inquiryID int64, customerOnly bool) ([]*model.Event, error) {
	var list []*model.Event
	sel := s.r.NewSelect().Model(&list).Where("inquiry_id = ?", inquiryID).Order("id")
	if customerOnly {
		sel = sel.Where("customer_visible = ?", true)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: events of inquiry %d: %w", inquiryID, err)
	}
	return list, nil
}

// OrderEventsForCustomer returns what the customer sees of the timeline of
// one of their orders, oldest first; another customer's order has none.
func (s *Store) OrderEventsForCustomer(ctx context.Context, customerID, orderID int64) ([]*model.Event, error) {
	var list []*model.Event
	err := s.r.NewSelect().Model(&list).
		Where("order_id = ? AND customer_id = ? AND customer_visible = ?", orderID, customerID, true).Order("id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: events of order %d of customer %d: %w", orderID, customerID, err)
	}
	return list, nil
}

// InquiryEventsForCustomer returns what the customer sees of the timeline
// of one of their inquiries, oldest first; another customer's inquiry has
// none.
func (s *Store) InquiryEventsForCustomer(ctx context.Context, customerID, inquiryID int64) ([]*model.Event, error) {
	var list []*model.Event
	err := s.r.NewSelect().Model(&list).
		Where("inquiry_id = ? AND customer_id = ? AND customer_visible = ?", inquiryID, customerID, true).Order("id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: events of inquiry %d of customer %d: %w", inquiryID, customerID, err)
	}
	return list, nil
}
