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
	// Two ordered reads, each able to follow an index: first the inquiries
	// with a due time, soonest first; then, once those run out, the ones
	// without, oldest activity first.
	page := func(withDue bool, limit, offset int) ([]*model.Inquiry, error) {
		var list []*model.Inquiry
		q := f.apply(s.r.NewSelect().Model(&list).Relation("Owner").Relation("Customer"))
		if withDue {
			q = q.Where("?TableAlias.reply_due_at IS NOT NULL").OrderExpr("?TableAlias.reply_due_at, ?TableAlias.id")
		} else {
			q = q.Where("?TableAlias.reply_due_at IS NULL").OrderExpr("?TableAlias.last_activity_at, ?TableAlias.id")
		}
		if err := q.Limit(int64(limit)).Offset(int64(offset)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("store: queue %s: %w", f.View, err)
		}
		return list, nil
	}
	list, err := page(true, f.Limit, f.Offset)
	if err != nil {
		return nil, nil, err
	}
	if len(list) < f.Limit {
		withDue := f.Offset + len(list)
		if len(list) == 0 && f.Offset > 0 {
			n, err := f.apply(s.r.NewSelect().Model((*model.Inquiry)(nil))).Where("?TableAlias.reply_due_at IS NOT NULL").Count(ctx)
			if err != nil {
				return nil, nil, fmt.Errorf("store: queue %s: %w", f.View, err)
			}
			withDue = int(n)
		}
		rest, err := page(false, f.Limit-len(list), max(0, f.Offset-withDue))
		if err != nil {
			return nil, nil, err
		}
		list = append(list, rest...)
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

// CountQueue counts the open inquiries of every queue view and the open
// escalations addressed to f.Team, in a few index-only queries (no scan of
// the inquiries' rows).
func (s *Store) CountQueue(ctx context.Context, f QueueFilter, now time.Time) (QueueCounts, error) {
	team := f.Team
	if len(team) == 0 {
		team = []int64{f.Me}
	}
	var c QueueCounts
	var byStatus []struct {
		Status  string `bun:"status"`
		N       int    `bun:"n"`
		Overdue int    `bun:"overdue"`
	}
	err := s.r.NewSelect().TableExpr("inquiries AS i").
		ColumnExpr("i.status, count(*) AS n").
		ColumnExpr("coalesce(sum(CASE WHEN i.reply_due_at < ? THEN 1 ELSE 0 END), 0) AS overdue", now).
		Where("i.is_open = ?", true).GroupExpr("i.status").Scan(ctx, &byStatus)
	if err != nil {
		return c, fmt.Errorf("store: count queue: %w", err)
	}
	for _, r := range byStatus {
		c.Open += r.N
		c.Overdue += r.Overdue
		switch r.Status {
		case model.InquiryWaitingCustomer:
			c.WaitingCustomer = r.N
		case model.InquiryWaitingThirdParty:
			c.ThirdParty = r.N
		}
	}
	var mine struct {
		N       int `bun:"n"`
		Overdue int `bun:"overdue"`
	}
	err = s.r.NewSelect().TableExpr("inquiries AS i").ColumnExpr("count(*) AS n").
		ColumnExpr("coalesce(sum(CASE WHEN i.reply_due_at < ? THEN 1 ELSE 0 END), 0) AS overdue", now).
		Where("i.is_open = ? AND i.owner_id = ?", true, f.Me).Scan(ctx, &mine)
	if err != nil {
		return c, fmt.Errorf("store: count my queue: %w", err)
	}
	c.Mine, c.MineOverdue, c.Others = mine.N, mine.Overdue, c.Open-mine.N
	if len(team) == 1 && team[0] == f.Me {
		c.Team = c.Mine
	} else {
		n, err := s.r.NewSelect().TableExpr("inquiries AS i").
			Where("i.is_open = ? AND i.owner_id IN (?)", true, bun.In(team)).Count(ctx)
		if err != nil {
			return c, fmt.Errorf("store: count team queue: %w", err)
		}
		c.Team = int(n)
	}
	// Escalations are few next to inquiries: start from them.
	n, err := s.r.NewSelect().TableExpr("escalations AS e").Join("JOIN inquiries AS i ON i.id = e.inquiry_id").
		Where("e.is_open = ? AND i.is_open = ?", true, true).Count(ctx)
	if err != nil {
		return c, fmt.Errorf("store: count escalated: %w", err)
	}
	c.Escalated = int(n)
	n, err = s.r.NewSelect().Model((*model.Escalation)(nil)).
		Where("manager_id IN (?) AND is_open = ?", bun.In(team), true).Count(ctx)
	if err != nil {
		return c, fmt.Errorf("store: count escalations: %w", err)
	}
	c.MyEscalations = int(n)
	return c, nil
}
