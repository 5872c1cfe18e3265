package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
)

// CaseKey names one case: an order or an inquiry (exactly one id is set).
type CaseKey struct {
	OrderID   int64
	InquiryID int64
}

// OrderCase is the key of the order with this id.
func OrderCase(id int64) CaseKey { return CaseKey{OrderID: id} }

// InquiryCase is the key of the inquiry with this id.
func InquiryCase(id int64) CaseKey { return CaseKey{InquiryID: id} }

// where limits q, a select on promises, to the case's rows.
func (k CaseKey) where(q *bun.SelectQuery) *bun.SelectQuery {
	if k.OrderID != 0 {
		return q.Where("?TableAlias.order_id = ?", k.OrderID)
	}
	return q.Where("?TableAlias.inquiry_id = ?", k.InquiryID)
}

// InsertPromise records a promise. A second next step for the same case, or
// a second open promise of one escalation, is ErrConflict (unique indexes
// guard both).
func (s *Store) InsertPromise(ctx context.Context, p *model.Promise) error {
	p.Outstanding = p.State == model.PromiseOpen || (p.State == model.PromiseMissed && p.EndedAt == nil)
	if _, err := s.w.NewInsert().Model(p).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: insert promise: %w", ErrConflict)
		}
		return fmt.Errorf("store: insert promise: %w", err)
	}
	return nil
}

// InsertPromises records many promises at once (the delivery promises of
// a batch of new orders), a few hundred per statement.
func (s *Store) InsertPromises(ctx context.Context, list []*model.Promise) error {
	for start := 0; start < len(list); start += 500 {
		batch := list[start:min(start+500, len(list))]
		for _, p := range batch {
			p.Outstanding = p.State == model.PromiseOpen || (p.State == model.PromiseMissed && p.EndedAt == nil)
		}
		if _, err := s.w.NewInsert().Model(&batch).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("store: insert %d promises: %w", len(batch), ErrConflict)
			}
			return fmt.Errorf("store: insert %d promises: %w", len(batch), err)
		}
	}
	return nil
}

// NextStep is the case's current next step, or ErrNotFound when it has
// none (a resolved inquiry, a delivered order, an order with no date).
func (s *Store) NextStep(ctx context.Context, k CaseKey) (*model.Promise, error) {
	p := new(model.Promise)
	err := k.where(s.r.NewSelect().Model(p)).Where("?TableAlias.is_next = ?", true).Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: next step of %+v: %w", k, notFound(err))
	}
	return p, nil
}

// OutstandingPromises lists the case's promises that are open or missed and
// not yet settled, escalations' included, oldest first.
func (s *Store) OutstandingPromises(ctx context.Context, k CaseKey) ([]*model.Promise, error) {
	var list []*model.Promise
	err := k.where(s.r.NewSelect().Model(&list)).Where("?TableAlias.outstanding = ?", true).
		OrderExpr("?TableAlias.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: outstanding promises of %+v: %w", k, err)
	}
	return list, nil
}

// CasePromises lists every promise of the case, oldest first, for the staff
// view.
func (s *Store) CasePromises(ctx context.Context, k CaseKey) ([]*model.Promise, error) {
	var list []*model.Promise
	if err := k.where(s.r.NewSelect().Model(&list)).OrderExpr("?TableAlias.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: promises of %+v: %w", k, err)
	}
	return list, nil
}

// CasePromisesForCustomer lists every promise of one of this customer's
// cases, oldest first; another customer's case yields none.
func (s *Store) CasePromisesForCustomer(ctx context.Context, customerID int64, k CaseKey) ([]*model.Promise, error) {
	var list []*model.Promise
	err := k.where(s.r.NewSelect().Model(&list)).Where("?TableAlias.customer_id = ?", customerID).
		OrderExpr("?TableAlias.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: promises of %+v of customer %d: %w", k, customerID, err)
	}
	return list, nil
}

// OutstandingForCustomer lists the outstanding promises of all of this
// customer's cases, for the dashboard's rows (one query, along
// promises_customer).
func (s *Store) OutstandingForCustomer(ctx context.Context, customerID int64) ([]*model.Promise, error) {
	var list []*model.Promise
	err := s.r.NewSelect().Model(&list).
		Where("?TableAlias.customer_id = ? AND ?TableAlias.outstanding = ?", customerID, true).
		OrderExpr("?TableAlias.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: outstanding promises of customer %d: %w", customerID, err)
	}
	return list, nil
}

// PromiseByID reads one promise.
func (s *Store) PromiseByID(ctx context.Context, id int64) (*model.Promise, error) {
	p := new(model.Promise)
	if err := s.r.NewSelect().Model(p).Where("?TableAlias.id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: promise %d: %w", id, notFound(err))
	}
	return p, nil
}

// EndPromise settles an outstanding promise: state is kept, kept_late,
// withdrawn, done, or missed (closed without being kept); reason is what
// the customer reads. It reports false when the promise was no longer
// outstanding (someone else settled it first), and then changes nothing.
func (s *Store) EndPromise(ctx context.Context, id int64, state string, at time.Time, reason string) (bool, error) {
	res, err := s.w.NewUpdate().Model((*model.Promise)(nil)).
		Set("state = ?", state).Set("is_next = ?", false).Set("outstanding = ?", false).
		Set("ended_at = ?", model.Normalize(at)).Set("reason = ?", reason).
		Where("id = ? AND outstanding = ?", id, true).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: end promise %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// MissPromise marks an open promise missed at at: it stops being the next
// step and stays outstanding. It reports false when the promise was not
// open any more — another instance noticed it first, or it was kept — so
// a breach is handled exactly once however many instances look.
func (s *Store) MissPromise(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := s.w.NewUpdate().Model((*model.Promise)(nil)).
		Set("state = ?", model.PromiseMissed).Set("is_next = ?", false).Set("missed_at = ?", model.Normalize(at)).
		Where("id = ? AND state = ?", id, model.PromiseOpen).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: miss promise %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetPromiseHolder hands an open promise to another staff member (the case
// changed hands).
func (s *Store) SetPromiseHolder(ctx context.Context, id int64, to *model.Staff) error {
	if _, err := s.w.NewUpdate().Model((*model.Promise)(nil)).
		Set("holder_staff_id = ?", to.ID).Set("holder_name = ?", to.FullName).
		Where("id = ? AND state = ? AND holder_kind = ?", id, model.PromiseOpen, model.HolderStaff).Exec(ctx); err != nil {
		return fmt.Errorf("store: hand promise %d to %d: %w", id, to.ID, err)
	}
	return nil
}

// TransferOpenPromises hands every open promise held by from to to (from
// is leaving); missed ones keep the name of who missed them. It returns how
// many moved.
func (s *Store) TransferOpenPromises(ctx context.Context, from int64, to *model.Staff) (int64, error) {
	res, err := s.w.NewUpdate().Model((*model.Promise)(nil)).
		Set("holder_staff_id = ?", to.ID).Set("holder_name = ?", to.FullName).
		Where("holder_staff_id = ? AND state = ? AND holder_kind = ?", from, model.PromiseOpen, model.HolderStaff).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: transfer promises of %d: %w", from, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// DuePromiseIDs lists up to limit open promises whose time has passed at
// now, oldest due first, along promises_breach: what the breach check
// handles. The ids are a hint; ClaimDuePromise takes each under a lock.
func (s *Store) DuePromiseIDs(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.r.NewSelect().Model((*model.Promise)(nil)).Column("id").
		Where("state = ? AND due_at IS NOT NULL AND due_at < ?", model.PromiseOpen, model.Normalize(now)).
		OrderExpr("due_at, id").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("store: due promises: %w", err)
	}
	return ids, nil
}

// ClaimDuePromise locks and returns the promise with this id inside the
// caller's transaction when it is still open and due at now; ErrNotFound
// otherwise, also when another instance holds its lock (PostgreSQL: FOR
// UPDATE SKIP LOCKED) — that one is handling it. On SQLite the transaction
// already holds the one writer.
func (s *Store) ClaimDuePromise(ctx context.Context, id int64, now time.Time) (*model.Promise, error) {
	p := new(model.Promise)
	q := s.w.NewSelect().Model(p).
		Where("?TableAlias.id = ? AND ?TableAlias.state = ? AND ?TableAlias.due_at < ?", id, model.PromiseOpen, model.Normalize(now))
	if s.dialect == "postgres" {
		q = q.For("UPDATE SKIP LOCKED")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: claim promise %d: %w", id, notFound(err))
	}
	return p, nil
}

// OpenEscalationPromise is the open promise of an escalation (its manager
// answers by the acknowledgement target), or ErrNotFound.
func (s *Store) OpenEscalationPromise(ctx context.Context, escalationID int64) (*model.Promise, error) {
	p := new(model.Promise)
	err := s.r.NewSelect().Model(p).
		Where("?TableAlias.escalation_id = ? AND ?TableAlias.state = ?", escalationID, model.PromiseOpen).Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: promise of escalation %d: %w", escalationID, notFound(err))
	}
	return p, nil
}

// PromisesDueBefore lists open promises the business holds that fall due
// before until (or are already past it), soonest first, for the staff's
// "Promises" view; at most limit.
func (s *Store) PromisesDueBefore(ctx context.Context, until time.Time, limit int) ([]*model.Promise, error) {
	var list []*model.Promise
	err := s.r.NewSelect().Model(&list).
		Where("?TableAlias.state = ? AND ?TableAlias.due_at IS NOT NULL AND ?TableAlias.due_at < ?", model.PromiseOpen, model.Normalize(until)).
		OrderExpr("?TableAlias.due_at, ?TableAlias.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: promises due: %w", err)
	}
	return list, nil
}

// MissedPromises lists missed promises not yet settled, most recently
// missed first, at most limit (along promises_missed).
func (s *Store) MissedPromises(ctx context.Context, limit int) ([]*model.Promise, error) {
	var list []*model.Promise
	err := s.r.NewSelect().Model(&list).
		Where("?TableAlias.outstanding = ? AND ?TableAlias.missed_at IS NOT NULL", true).
		OrderExpr("?TableAlias.missed_at DESC, ?TableAlias.id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: missed promises: %w", err)
	}
	return list, nil
}

// CountMissedPromises counts the missed promises not yet kept (along
// promises_missed), for the staff navigation.
func (s *Store) CountMissedPromises(ctx context.Context) (int, error) {
	n, err := s.r.NewSelect().Model((*model.Promise)(nil)).
		Where("outstanding = ? AND missed_at IS NOT NULL", true).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count missed promises: %w", err)
	}
	return int(n), nil
}

// PromiseTally counts, for one staff member (0: everyone), the promises
// they held that fell due in a period: kept on time, and the others (kept
// late or missed). Withdrawn ones and the customer's turns do not count.
type PromiseTally struct {
	StaffID int64 `bun:"holder_staff_id"`
	OnTime  int   `bun:"on_time"`
	Due     int   `bun:"due"`
}

// PromiseTallies counts the business's promises that fell due between
// since and now, per holding staff member (third parties' dates under 0),
// along promises_due.
func (s *Store) PromiseTallies(ctx context.Context, since, now time.Time) ([]PromiseTally, error) {
	var list []PromiseTally
	err := s.r.NewSelect().Model((*model.Promise)(nil)).
		ColumnExpr("coalesce(holder_staff_id, 0) AS holder_staff_id").
		ColumnExpr("sum(CASE WHEN state = ? AND missed_at IS NULL THEN 1 ELSE 0 END) AS on_time", model.PromiseKept).
		ColumnExpr("count(*) AS due").
		Where("due_at >= ? AND due_at < ?", model.Normalize(since), model.Normalize(now)).
		Where("state <> ? AND state <> ? AND holder_kind <> ?", model.PromiseWithdrawn, model.PromiseDone, model.HolderCustomer).
		GroupExpr("coalesce(holder_staff_id, 0)").Scan(ctx, &list)
	if err != nil {
		return nil, fmt.Errorf("store: promise tallies: %w", err)
	}
	return list, nil
}

// ClosedDays lists the dates the business is closed, in date order.
func (s *Store) ClosedDays(ctx context.Context) ([]*model.ClosedDay, error) {
	var list []*model.ClosedDay
	if err := s.r.NewSelect().Model(&list).OrderExpr("day").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: closed days: %w", err)
	}
	return list, nil
}

// SaveClosedDays replaces the closed dates with list.
func (s *Store) SaveClosedDays(ctx context.Context, list []*model.ClosedDay) error {
	return s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.w.NewDelete().Model((*model.ClosedDay)(nil)).Where("1 = 1").Exec(ctx); err != nil {
			return fmt.Errorf("store: clear closed days: %w", err)
		}
		if len(list) == 0 {
			return nil
		}
		if _, err := tx.w.NewInsert().Model(&list).Exec(ctx); err != nil {
			return fmt.Errorf("store: save closed days: %w", err)
		}
		return nil
	})
}

// InsertFeedback records a customer's answer to "Did this solve it?". A
// second answer to the same resolution is ErrConflict.
func (s *Store) InsertFeedback(ctx context.Context, f *model.Feedback) error {
	if _, err := s.w.NewInsert().Model(f).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: insert feedback: %w", ErrConflict)
		}
		return fmt.Errorf("store: insert feedback: %w", err)
	}
	return nil
}

// FeedbackFor returns the answer to one resolution of an inquiry, or
// ErrNotFound.
func (s *Store) FeedbackFor(ctx context.Context, inquiryID int64, resolvedAt time.Time) (*model.Feedback, error) {
	f := new(model.Feedback)
	err := s.r.NewSelect().Model(f).
		Where("?TableAlias.inquiry_id = ? AND ?TableAlias.resolved_at = ?", inquiryID, model.Normalize(resolvedAt)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: feedback on inquiry %d: %w", inquiryID, notFound(err))
	}
	return f, nil
}

// InquiryFeedback lists every answer given on an inquiry, oldest first.
func (s *Store) InquiryFeedback(ctx context.Context, inquiryID int64) ([]*model.Feedback, error) {
	var list []*model.Feedback
	if err := s.r.NewSelect().Model(&list).Where("?TableAlias.inquiry_id = ?", inquiryID).
		OrderExpr("?TableAlias.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: feedback on inquiry %d: %w", inquiryID, err)
	}
	return list, nil
}

// RecentFeedback lists the newest answers, "not solved" first, with their
// inquiries, at most limit (along feedback_created).
func (s *Store) RecentFeedback(ctx context.Context, since time.Time, limit int) ([]*model.Feedback, error) {
	var list []*model.Feedback
	err := s.r.NewSelect().Model(&list).Relation("Inquiry").
		Where("?TableAlias.created_at >= ?", model.Normalize(since)).
		OrderExpr("?TableAlias.solved, ?TableAlias.created_at DESC, ?TableAlias.id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: recent feedback: %w", err)
	}
	return list, nil
}

// LateOrders lists open orders whose expected delivery day is before today
// (the business's local date, "YYYY-MM-DD") with no delivery reported,
// longest late first, with owners and customers, at most limit (along
// orders_late).
func (s *Store) LateOrders(ctx context.Context, today string, limit int) ([]*model.Order, error) {
	var list []*model.Order
	err := s.r.NewSelect().Model(&list).Relation("Owner").Relation("Customer").ExcludeColumn("items", "payload_hash").
		Where("?TableAlias.is_open = ? AND ?TableAlias.expected_delivery <> '' AND ?TableAlias.expected_delivery < ?", true, today).
		OrderExpr("?TableAlias.expected_delivery, ?TableAlias.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: late orders: %w", err)
	}
	return list, nil
}

// CountLateOrders counts what LateOrders lists, for the staff navigation.
func (s *Store) CountLateOrders(ctx context.Context, today string) (int, error) {
	n, err := s.r.NewSelect().Model((*model.Order)(nil)).
		Where("is_open = ? AND expected_delivery <> '' AND expected_delivery < ?", true, today).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count late orders: %w", err)
	}
	return int(n), nil
}

// SetLateInquiry records that Kedja opened inquiryID because the order was
// late. It reports false when the order already had one (once per order,
// whichever instance came first).
func (s *Store) SetLateInquiry(ctx context.Context, orderID, inquiryID int64) (bool, error) {
	res, err := s.w.NewUpdate().Model((*model.Order)(nil)).Set("late_inquiry_id = ?", inquiryID).
		Where("id = ? AND late_inquiry_id IS NULL", orderID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: late inquiry of order %d: %w", orderID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// CasesWithoutNextStep lists up to limit open inquiries with no next step
// and open orders with an expected delivery but no delivery promise — cases
// from before promises were kept — for the one-off backfill.
func (s *Store) CasesWithoutNextStep(ctx context.Context, limit int) (inquiries []*model.Inquiry, orders []*model.Order, err error) {
	err = s.r.NewSelect().Model(&inquiries).Relation("Owner").
		Where("?TableAlias.is_open = ?", true).
		Where("NOT EXISTS (SELECT 1 FROM promises p WHERE p.inquiry_id = ?TableAlias.id AND p.outstanding = ?)", true).
		OrderExpr("?TableAlias.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("store: inquiries without a next step: %w", err)
	}
	err = s.r.NewSelect().Model(&orders).Relation("Owner").ExcludeColumn("items", "payload_hash").
		Where("?TableAlias.is_open = ? AND ?TableAlias.expected_delivery <> ''", true).
		Where("NOT EXISTS (SELECT 1 FROM promises p WHERE p.order_id = ?TableAlias.id AND p.kind = ?)", model.PromiseDelivery).
		OrderExpr("?TableAlias.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("store: orders without a delivery promise: %w", err)
	}
	return inquiries, orders, nil
}

// OpenInquiryOfOrigin returns the newest open inquiry about the order that
// was opened the given way (model.Origin…), or ErrNotFound.
func (s *Store) OpenInquiryOfOrigin(ctx context.Context, orderID int64, origin string) (*model.Inquiry, error) {
	q := new(model.Inquiry)
	err := s.r.NewSelect().Model(q).Relation("Owner").
		Where("?TableAlias.order_id = ? AND ?TableAlias.origin = ? AND ?TableAlias.is_open = ?", orderID, origin, true).
		OrderExpr("?TableAlias.id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: open %s inquiry of order %d: %w", origin, orderID, notFound(err))
	}
	return q, nil
}

// FeedbackForCustomer returns this customer's answer to one resolution of
// their inquiry, or ErrNotFound (also for another customer's inquiry).
func (s *Store) FeedbackForCustomer(ctx context.Context, customerID, inquiryID int64, resolvedAt time.Time) (*model.Feedback, error) {
	f := new(model.Feedback)
	err := s.r.NewSelect().Model(f).
		Where("?TableAlias.inquiry_id = ? AND ?TableAlias.customer_id = ? AND ?TableAlias.resolved_at = ?",
			inquiryID, customerID, model.Normalize(resolvedAt)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: feedback on inquiry %d: %w", inquiryID, notFound(err))
	}
	return f, nil
}
