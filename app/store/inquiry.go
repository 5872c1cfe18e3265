package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/model"
)

// InquiryByID finds an inquiry by id, for staff.
func (s *Store) InquiryByID(ctx context.Context, id int64) (*model.Inquiry, error) {
	q := new(model.Inquiry)
	err := s.r.NewSelect().Model(q).Relation("Owner").Relation("Customer").Relation("Order").
		Where("?TableAlias.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: inquiry %d: %w", id, notFound(err))
	}
	return q, nil
}

// InquiryForCustomer finds one of this customer's inquiries; any other
// customer's is ErrNotFound.
func (s *Store) InquiryForCustomer(ctx context.Context, customerID, id int64) (*model.Inquiry, error) {
	q := new(model.Inquiry)
	err := s.r.NewSelect().Model(q).Relation("Owner").Relation("Order").
		Where("?TableAlias.id = ? AND ?TableAlias.customer_id = ?", id, customerID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: inquiry %d of customer %d: %w", id, customerID, notFound(err))
	}
	return q, nil
}

// InquiriesForCustomer lists a customer's inquiries, open first, then by
// newest activity, with their owners (one query).
func (s *Store) InquiriesForCustomer(ctx context.Context, customerID int64, limit, offset int) ([]*model.Inquiry, error) {
	var list []*model.Inquiry
	err := s.r.NewSelect().Model(&list).Relation("Owner").
		Where("?TableAlias.customer_id = ?", customerID).
		OrderExpr("?TableAlias.is_open DESC, ?TableAlias.last_activity_at DESC, ?TableAlias.id DESC").
		Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: inquiries of customer %d: %w", customerID, err)
	}
	return list, nil
}

// InsertInquiry creates an inquiry; the caller has given it an owner.
func (s *Store) InsertInquiry(ctx context.Context, q *model.Inquiry) error {
	if q.OwnerID == 0 {
		return fmt.Errorf("store: insert inquiry: no owner")
	}
	q.IsOpen = q.Status != model.InquiryResolved
	if _, err := s.w.NewInsert().Model(q).Exec(ctx); err != nil {
		return fmt.Errorf("store: insert inquiry: %w", err)
	}
	return nil
}

// UpdateInquiry writes every column of an inquiry.
func (s *Store) UpdateInquiry(ctx context.Context, q *model.Inquiry) error {
	if q.OwnerID == 0 {
		return fmt.Errorf("store: update inquiry %d: no owner", q.ID)
	}
	q.IsOpen = q.Status != model.InquiryResolved
	if _, err := s.w.NewUpdate().Model(q).ExcludeColumn("id", "created_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("store: update inquiry %d: %w", q.ID, err)
	}
	return nil
}

// InsertMessage adds a message to an inquiry's conversation.
func (s *Store) InsertMessage(ctx context.Context, m *model.Message) error {
	if _, err := s.w.NewInsert().Model(m).Exec(ctx); err != nil {
		return fmt.Errorf("store: insert message: %w", err)
	}
	return nil
}

// Messages returns an inquiry's conversation in order, with staff authors;
// internal notes only when withInternal (staff views).
func (s *Store) Messages(ctx context.Context, inquiryID int64, withInternal bool) ([]*model.Message, error) {
	var list []*model.Message
	sel := s.r.NewSelect().Model(&list).Relation("AuthorStaff").
		Where("?TableAlias.inquiry_id = ?", inquiryID).OrderExpr("?TableAlias.id")
	if !withInternal {
		sel = sel.Where("?TableAlias.internal = ?", false)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: messages of inquiry %d: %w", inquiryID, err)
	}
	return list, nil
}

// TouchInquiry records activity on an inquiry (an escalation), so the
// customer's list shows it as recently changed.
func (s *Store) TouchInquiry(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.w.NewUpdate().Model((*model.Inquiry)(nil)).Set("last_activity_at = ?", at).
		Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("store: touch inquiry %d: %w", id, err)
	}
	return nil
}

// InquiriesForCustomerAfter lists up to limit of a customer's inquiries in
// the dashboard's order (open first, newest activity first), with their
// owners, starting after c (nil: from the start), along the
// inquiries_customer_activity index.
func (s *Store) InquiriesForCustomerAfter(ctx context.Context, customerID int64, c *Cursor, limit int) ([]*model.Inquiry, error) {
	list := make([]*model.Inquiry, 0, limit)
	sel := s.r.NewSelect().Model(&list).
		Column("id", "customer_id", "order_id", "subject", "owner_id", "status", "is_open", "third_party_name",
			"third_party_expected", "reply_due_at", "last_activity_at", "resolved_at").
		Relation("Owner", ownerName).
		Where("?TableAlias.customer_id = ?", customerID).
		OrderExpr("?TableAlias.is_open DESC, ?TableAlias.last_activity_at DESC, ?TableAlias.id DESC").
		Limit(int64(limit))
	if c != nil {
		sel = sel.Where("(?TableAlias.is_open, ?TableAlias.last_activity_at, ?TableAlias.id) < (?, ?, ?)", c.Open, c.At, c.ID)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: inquiries of customer %d: %w", customerID, err)
	}
	return list, nil
}

// InquiriesAboutOrder lists the customer's inquiries about one of their
// orders, newest first.
func (s *Store) InquiriesAboutOrder(ctx context.Context, customerID, orderID int64) ([]*model.Inquiry, error) {
	var list []*model.Inquiry
	err := s.r.NewSelect().Model(&list).Relation("Owner").
		Where("?TableAlias.order_id = ? AND ?TableAlias.customer_id = ?", orderID, customerID).
		OrderExpr("?TableAlias.id DESC").Limit(50).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: inquiries about order %d: %w", orderID, err)
	}
	return list, nil
}

// MessagesForCustomer returns the conversation of one of this customer's
// inquiries as the customer sees it: no internal notes, staff authors
// joined. Another customer's inquiry yields no messages.
func (s *Store) MessagesForCustomer(ctx context.Context, customerID, inquiryID int64) ([]*model.Message, error) {
	var list []*model.Message
	err := s.r.NewSelect().Model(&list).Relation("AuthorStaff").
		Where("?TableAlias.inquiry_id = ? AND ?TableAlias.internal = ?", inquiryID, false).
		Where("EXISTS (SELECT 1 FROM inquiries i WHERE i.id = ?TableAlias.inquiry_id AND i.customer_id = ?)", customerID).
		OrderExpr("?TableAlias.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: messages of inquiry %d: %w", inquiryID, err)
	}
	return list, nil
}
