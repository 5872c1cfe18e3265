package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
)

// RecordInbound writes an incoming message's row, keyed by its Message-ID,
// normally in the transaction that handles it. fresh is false when a
// message with that Message-ID was recorded before (it was read again):
// then nothing is written and the caller must not handle it again.
func (s *Store) RecordInbound(ctx context.Context, m *model.InboundMail) (fresh bool, err error) {
	m.ReceivedAt = model.Normalize(m.ReceivedAt)
	res, err := s.w.NewInsert().Model(m).On("CONFLICT (message_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: record inbound %q: %w", m.MessageID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetInboundOutcome records what came of an incoming message.
func (s *Store) SetInboundOutcome(ctx context.Context, m *model.InboundMail) error {
	_, err := s.w.NewUpdate().Model(m).Column("outcome", "detail", "customer_id", "inquiry_id", "held_id").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: inbound %d outcome: %w", m.ID, err)
	}
	return nil
}

// InboundByMessageID returns the row of an incoming message.
func (s *Store) InboundByMessageID(ctx context.Context, messageID string) (*model.InboundMail, error) {
	m := new(model.InboundMail)
	if err := s.r.NewSelect().Model(m).Where("message_id = ?", messageID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: inbound %q: %w", messageID, notFound(err))
	}
	return m, nil
}

// CountInbound counts incoming messages by outcome.
func (s *Store) CountInbound(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Outcome string `bun:"outcome"`
		N       int    `bun:"n"`
	}
	if err := s.r.NewRaw("SELECT outcome, count(*) AS n FROM inbound_mail GROUP BY outcome").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: count inbound: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Outcome] = r.N
	}
	return out, nil
}

// InsertHeldMail holds an incoming message for staff.
func (s *Store) InsertHeldMail(ctx context.Context, h *model.HeldMail) error {
	if h.State == "" {
		h.State = model.HeldWaiting
	}
	h.ReceivedAt = model.Normalize(h.ReceivedAt)
	if _, err := s.w.NewInsert().Model(h).Exec(ctx); err != nil {
		return fmt.Errorf("store: hold mail: %w", err)
	}
	return nil
}

// HeldMail lists held messages in one state ("" for all), oldest first for
// the waiting ones (the admin page of held mail reads this).
func (s *Store) HeldMail(ctx context.Context, state string, limit int) ([]*model.HeldMail, error) {
	var list []*model.HeldMail
	sel := s.r.NewSelect().Model(&list).OrderExpr("received_at, id").Limit(int64(limit))
	if state != "" {
		sel = sel.Where("state = ?", state)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: held mail: %w", err)
	}
	return list, nil
}

// HeldMailByID returns one held message.
func (s *Store) HeldMailByID(ctx context.Context, id int64) (*model.HeldMail, error) {
	h := new(model.HeldMail)
	if err := s.r.NewSelect().Model(h).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: held mail %d: %w", id, notFound(err))
	}
	return h, nil
}

// DecideHeldMail records a staff member's decision on a held message
// (model.HeldAccepted with the inquiry it went to, or model.HeldRejected).
// A message decided before is ErrConflict.
func (s *Store) DecideHeldMail(ctx context.Context, id int64, state string, staffID, inquiryID int64, now time.Time) error {
	upd := s.w.NewUpdate().Model((*model.HeldMail)(nil)).
		Set("state = ?", state).Set("decided_by_staff_id = ?", staffID).Set("decided_at = ?", model.Normalize(now))
	if inquiryID != 0 {
		upd = upd.Set("inquiry_id = ?", inquiryID)
	}
	res, err := upd.Where("id = ?", id).Where("state = ?", model.HeldWaiting).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: decide held mail %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: decide held mail %d: decided before: %w", id, ErrConflict)
	}
	return nil
}

// MarkAddressFailing records that mail to a customer's address bounced:
// since when (kept), the last time and reason, and how many bounces.
func (s *Store) MarkAddressFailing(ctx context.Context, customerID int64, email, reason string, now time.Time) error {
	now = model.Normalize(now)
	_, err := s.w.NewRaw(`INSERT INTO address_problems (customer_id, email, reason, failing_since, last_at, bounces)
VALUES (?, ?, ?, ?, ?, 1)
ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email, reason = excluded.reason,
	last_at = excluded.last_at, bounces = address_problems.bounces + 1`, customerID, email, clip(reason), now, now).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: mark address of customer %d failing: %w", customerID, err)
	}
	return nil
}

// ClearAddressProblem forgets that a customer's address was failing.
func (s *Store) ClearAddressProblem(ctx context.Context, customerID int64) error {
	if _, err := s.w.NewDelete().Model((*model.AddressProblem)(nil)).Where("customer_id = ?", customerID).Exec(ctx); err != nil {
		return fmt.Errorf("store: clear address problem of customer %d: %w", customerID, err)
	}
	return nil
}

// AddressProblem returns the problem with a customer's address, or nil
// when it has none (the admin customer and case pages show it).
func (s *Store) AddressProblem(ctx context.Context, customerID int64) (*model.AddressProblem, error) {
	p := new(model.AddressProblem)
	err := s.r.NewSelect().Model(p).Where("customer_id = ?", customerID).Scan(ctx)
	if notFound(err) == ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: address problem of customer %d: %w", customerID, err)
	}
	return p, nil
}

// AddressProblems returns the problems of several customers' addresses by
// customer id, for lists.
func (s *Store) AddressProblems(ctx context.Context, customerIDs []int64) (map[int64]*model.AddressProblem, error) {
	out := map[int64]*model.AddressProblem{}
	if len(customerIDs) == 0 {
		return out, nil
	}
	var list []*model.AddressProblem
	if err := s.r.NewSelect().Model(&list).Where("customer_id IN (?)", bun.In(customerIDs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: address problems: %w", err)
	}
	for _, p := range list {
		out[p.CustomerID] = p
	}
	return out, nil
}
