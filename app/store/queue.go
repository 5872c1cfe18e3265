package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
)

// Queue views: which open inquiries the staff work queue shows.
const (
	QueueAll             = "all"
	QueueMine            = "mine"
	QueueTeam            = "team"
	QueueOthers          = "others"
	QueueWaitingCustomer = "waiting_customer"
	QueueThirdParty      = "third_party"
	QueueEscalated       = "escalated"
)

// QueueViews lists the queue views in the order the page shows them.
var QueueViews = []string{QueueAll, QueueMine, QueueTeam, QueueOthers, QueueWaitingCustomer, QueueThirdParty, QueueEscalated}

// QueueFilter selects a page of the work queue. Me is the staff member
// looking; Team is Me and their reports (for QueueTeam).
type QueueFilter struct {
	View   string
	Me     int64
	Team   []int64
	Limit  int
	Offset int
}

// QueueCounts are the numbers in the staff navigation and on the filters.
type QueueCounts struct {
	Open            int
	Overdue         int
	Mine            int
	MineOverdue     int
	Team            int
	Others          int
	WaitingCustomer int
	ThirdParty      int
	Escalated       int
	MyEscalations   int // open escalations addressed to Me or their reports
}

const escalatedInquiry = "EXISTS (SELECT 1 FROM escalations e WHERE e.inquiry_id = ?TableAlias.id AND e.is_open = ?)"

func (f QueueFilter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	q = q.Where("?TableAlias.is_open = ?", true)
	switch f.View {
	case QueueMine:
		q = q.Where("?TableAlias.owner_id = ?", f.Me)
	case QueueTeam:
		team := f.Team
		if len(team) == 0 {
			team = []int64{f.Me}
		}
		q = q.Where("?TableAlias.owner_id IN (?)", bun.In(team))
	case QueueOthers:
		q = q.Where("?TableAlias.owner_id <> ?", f.Me)
	case QueueWaitingCustomer:
		q = q.Where("?TableAlias.status = ?", model.InquiryWaitingCustomer)
	case QueueThirdParty:
		q = q.Where("?TableAlias.status = ?", model.InquiryWaitingThirdParty)
	case QueueEscalated:
		q = q.Where(escalatedInquiry, true)
	}
	return q
}

// Queue returns a page of open inquiries, the one whose reply is due first on
// top (those with no due time last), with their owners and customers joined
// in the same query, and the ids of those with an open escalation.
func (s *Store) Queue(ctx context.Context, f QueueFilter) ([]*model.Inquiry, map[int64]bool, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var list []*model.Inquiry
	q := s.r.NewSelect().Model(&list).Relation("Owner").Relation("Customer")
	err := f.apply(q).
		OrderExpr("CASE WHEN ?TableAlias.reply_due_at IS NULL THEN 1 ELSE 0 END, ?TableAlias.reply_due_at, ?TableAlias.last_activity_at, ?TableAlias.id").
		Limit(int64(f.Limit)).Offset(int64(f.Offset)).Scan(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("store: queue %s: %w", f.View, err)
	}
	escalated := map[int64]bool{}
	if len(list) == 0 {
		return list, escalated, nil
	}
	ids := make([]int64, len(list))
	for i, it := range list {
		ids[i] = it.ID
	}
	var esc []int64
	if err := s.r.NewSelect().Model((*model.Escalation)(nil)).Column("inquiry_id").
		Where("inquiry_id IN (?) AND is_open = ?", bun.In(ids), true).Scan(ctx, &esc); err != nil {
		return nil, nil, fmt.Errorf("store: queue escalations: %w", err)
	}
	for _, id := range esc {
		escalated[id] = true
	}
	return list, escalated, nil
}

// CountQueue counts the open inquiries of every queue view in one query, and
// the open escalations addressed to f.Team in another.
func (s *Store) CountQueue(ctx context.Context, f QueueFilter, now time.Time) (QueueCounts, error) {
	team := f.Team
	if len(team) == 0 {
		team = []int64{f.Me}
	}
	var row struct {
		Open            int `bun:"open"`
		Overdue         int `bun:"overdue"`
		Mine            int `bun:"mine"`
		MineOverdue     int `bun:"mine_overdue"`
		Team            int `bun:"team"`
		WaitingCustomer int `bun:"waiting_customer"`
		ThirdParty      int `bun:"third_party"`
		Escalated       int `bun:"escalated"`
	}
	err := s.r.NewSelect().TableExpr("inquiries AS i").
		ColumnExpr("count(*) AS open").
		ColumnExpr("coalesce(sum(CASE WHEN i.reply_due_at < ? THEN 1 ELSE 0 END), 0) AS overdue", now).
		ColumnExpr("coalesce(sum(CASE WHEN i.owner_id = ? THEN 1 ELSE 0 END), 0) AS mine", f.Me).
		ColumnExpr("coalesce(sum(CASE WHEN i.owner_id = ? AND i.reply_due_at < ? THEN 1 ELSE 0 END), 0) AS mine_overdue", f.Me, now).
		ColumnExpr("coalesce(sum(CASE WHEN i.owner_id IN (?) THEN 1 ELSE 0 END), 0) AS team", bun.In(team)).
		ColumnExpr("coalesce(sum(CASE WHEN i.status = ? THEN 1 ELSE 0 END), 0) AS waiting_customer", model.InquiryWaitingCustomer).
		ColumnExpr("coalesce(sum(CASE WHEN i.status = ? THEN 1 ELSE 0 END), 0) AS third_party", model.InquiryWaitingThirdParty).
		ColumnExpr("coalesce(sum(CASE WHEN EXISTS (SELECT 1 FROM escalations e WHERE e.inquiry_id = i.id AND e.is_open = ?) THEN 1 ELSE 0 END), 0) AS escalated", true).
		Where("i.is_open = ?", true).Scan(ctx, &row)
	if err != nil {
		return QueueCounts{}, fmt.Errorf("store: count queue: %w", err)
	}
	c := QueueCounts{Open: row.Open, Overdue: row.Overdue, Mine: row.Mine, MineOverdue: row.MineOverdue, Team: row.Team,
		Others: row.Open - row.Mine, WaitingCustomer: row.WaitingCustomer, ThirdParty: row.ThirdParty, Escalated: row.Escalated}
	n, err := s.r.NewSelect().Model((*model.Escalation)(nil)).
		Where("manager_id IN (?) AND is_open = ?", bun.In(team), true).Count(ctx)
	if err != nil {
		return QueueCounts{}, fmt.Errorf("store: count escalations: %w", err)
	}
	c.MyEscalations = int(n)
	return c, nil
}
