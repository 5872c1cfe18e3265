package store

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/app/model"
)

// Enqueue writes an email to the outbox, normally inside the transaction of
// the change that causes it. A message whose idempotency key is already
// queued is not queued again; queued reports which happened.
func (s *Store) Enqueue(ctx context.Context, m *model.OutboxMessage) (queued bool, err error) {
	now := model.Now()
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
	res, err := s.w.NewInsert().Model(m).On("CONFLICT (idempotency_key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: enqueue %s: %w", m.IdempotencyKey, err)
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		s.AfterCommit(s.notifyEnqueue)
	}
	return n > 0, nil
}

// OutboxByKey finds a queued email by its idempotency key.
func (s *Store) OutboxByKey(ctx context.Context, key string) (*model.OutboxMessage, error) {
	m := new(model.OutboxMessage)
	if err := s.r.NewSelect().Model(m).Where("idempotency_key = ?", key).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: outbox %q: %w", key, notFound(err))
	}
	return m, nil
}

// ListOutbox returns the newest outbox messages, optionally in one state.
func (s *Store) ListOutbox(ctx context.Context, state string, limit int) ([]*model.OutboxMessage, error) {
	var list []*model.OutboxMessage
	sel := s.r.NewSelect().Model(&list).OrderExpr("id DESC").Limit(int64(limit))
	if state != "" {
		sel = sel.Where("state = ?", state)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: list outbox: %w", err)
	}
	return list, nil
}

// OnEnqueue sets the function called after a transaction that queued mail
// commits, so the mailer wakes at once instead of waiting for its next poll.
func (s *Store) OnEnqueue(f func()) { s.wake = f }

func (s *Store) notifyEnqueue() {
	if s.wake != nil {
		s.wake()
	}
}
