package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/model"
)

// OverdueUnescalated lists open inquiries whose reply was due before now and
// that have not been escalated since it fell due (and have no open
// escalation), oldest due first: the ones silence should escalate. It walks
// the inquiries_queue index.
func (s *Store) OverdueUnescalated(ctx context.Context, now time.Time, limit int) ([]*model.Inquiry, error) {
	var list []*model.Inquiry
	err := s.r.NewSelect().Model(&list).
		Column("id", "customer_id", "owner_id", "status", "reply_due_at").
		Where("?TableAlias.is_open = ? AND ?TableAlias.reply_due_at < ?", true, now).
		Where("?TableAlias.status = ?", model.InquiryOpen).
		Where("NOT EXISTS (SELECT 1 FROM escalations e WHERE e.inquiry_id = ?TableAlias.id AND (e.is_open = ? OR e.created_at >= ?TableAlias.reply_due_at))", true).
		OrderExpr("?TableAlias.reply_due_at, ?TableAlias.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: overdue inquiries: %w", err)
	}
	return list, nil
}
