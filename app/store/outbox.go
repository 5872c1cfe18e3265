package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
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

// OutboxByID returns one outbox row with its data (sign-in links included
// while they are unsent): for the mailer and tests, never for display.
func (s *Store) OutboxByID(ctx context.Context, id int64) (*model.OutboxMessage, error) {
	m := new(model.OutboxMessage)
	if err := s.r.NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: outbox %d: %w", id, notFound(err))
	}
	return m, nil
}

// ListOutbox returns the newest outbox messages, optionally in one state,
// with their data. Unsent sign-in mail carries its link and code in the
// data: show people AdminOutbox instead.
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

// AdminOutbox returns the newest outbox messages for the admin view,
// optionally in one state ("" for all), newest first. Data is never read
// from the database (it is nil in every row), so no sign-in link or code
// can reach a page; everything else — recipient, template, state,
// attempts, next attempt, last error, sent time — is there.
func (s *Store) AdminOutbox(ctx context.Context, state string, limit int) ([]*model.OutboxMessage, error) {
	var list []*model.OutboxMessage
	sel := s.r.NewSelect().Model(&list).ExcludeColumn("data").OrderExpr("id DESC").Limit(int64(limit))
	if state != "" {
		sel = sel.Where("state = ?", state)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: admin outbox: %w", err)
	}
	for _, m := range list {
		m.Data = nil
	}
	return list, nil
}

// RetryOutbox queues a failed message again, due at now, with a fresh
// retry budget and the same Message-ID. It is ErrNotFound when there is no
// such message and ErrConflict when it is not failed (pending, sending and
// sent mail is left alone) or when it is a sign-in email: its link was
// scrubbed when it failed, so the person must ask for a new one.
func (s *Store) RetryOutbox(ctx context.Context, id int64, now time.Time) error {
	m := new(model.OutboxMessage)
	if err := s.r.NewSelect().Model(m).Column("id", "template", "state").Where("id = ?", id).Scan(ctx); err != nil {
		return fmt.Errorf("store: retry outbox %d: %w", id, notFound(err))
	}
	if notify.IsSignIn(m.Template) {
		return fmt.Errorf("store: retry outbox %d: a sign-in email cannot be resent (ask for a new link): %w", id, ErrConflict)
	}
	res, err := s.w.NewUpdate().Model((*model.OutboxMessage)(nil)).
		Set("state = ?", model.MailPending).Set("attempts = 0").Set("next_attempt_at = ?", model.Normalize(now)).
		Set("lease_until = NULL").
		Where("id = ?", id).Where("state = ?", model.MailFailed).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: retry outbox %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: retry outbox %d: not failed: %w", id, ErrConflict)
	}
	s.AfterCommit(s.notifyEnqueue)
	return nil
}

// ClaimOutbox leases up to limit due messages to the caller until now+lease:
// pending ones whose next attempt is due, and ones another sender claimed
// but whose lease ran out (it died mid-send). Higher priority first (the
// sign-in lane), then the longest due. Each claim counts one attempt; the
// attempt number is the fencing token the Mark functions check, so a
// sender whose lease was taken over cannot overwrite the newer outcome. On
// PostgreSQL concurrent claimers skip each other's rows (FOR UPDATE SKIP
// LOCKED); on SQLite the one UPDATE runs on the single writer. Each branch
// reads the outbox_lane index in claim order, so a claim costs the same
// with 20 rows queued or 20,000.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*model.OutboxMessage, error) {
	now = model.Normalize(now)
	until := now.Add(lease)
	var q string
	if s.dialect == "postgres" {
		q = `WITH pending AS (
	SELECT id, priority, next_attempt_at FROM outbox
	WHERE state = 'pending' AND next_attempt_at <= ?0
	ORDER BY priority DESC, next_attempt_at, id LIMIT ?2
	FOR UPDATE SKIP LOCKED),
lapsed AS (
	SELECT id, priority, next_attempt_at FROM outbox
	WHERE state = 'sending' AND lease_until < ?0
	ORDER BY priority DESC, next_attempt_at, id LIMIT ?2
	FOR UPDATE SKIP LOCKED),
due AS (
	SELECT id FROM (SELECT * FROM pending UNION ALL SELECT * FROM lapsed) AS both_lanes
	ORDER BY priority DESC, next_attempt_at, id LIMIT ?2)
UPDATE outbox SET state = 'sending', attempts = outbox.attempts + 1, lease_until = ?1
FROM due WHERE outbox.id = due.id
RETURNING outbox.*`
	} else {
		q = `UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?1
WHERE id IN (
	SELECT id FROM (
		SELECT * FROM (SELECT id, priority, next_attempt_at FROM outbox
			WHERE state = 'pending' AND next_attempt_at <= ?0
			ORDER BY priority DESC, next_attempt_at, id LIMIT ?2)
		UNION ALL
		SELECT * FROM (SELECT id, priority, next_attempt_at FROM outbox
			WHERE state = 'sending' AND lease_until < ?0
			ORDER BY priority DESC, next_attempt_at, id LIMIT ?2))
	ORDER BY priority DESC, next_attempt_at, id LIMIT ?2)
RETURNING *`
	}
	var list []*model.OutboxMessage
	if err := s.w.NewRaw(q, now, until, limit).Scan(ctx, &list); err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", notFoundEmpty(err))
	}
	slices.SortFunc(list, func(a, b *model.OutboxMessage) int {
		if a.Priority != b.Priority {
			return b.Priority - a.Priority
		}
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return list, nil
}

// notFoundEmpty treats "no rows" from a RETURNING scan as an empty result.
func notFoundEmpty(err error) error {
	if notFound(err) == ErrNotFound {
		return nil
	}
	return err
}

// MarkOutboxSent records that m, claimed by the caller, was handed to the
// mail server (or written to the log) at now. Sign-in mail loses its link and
// code. held is false when the caller's claim was taken over meanwhile.
func (s *Store) MarkOutboxSent(ctx context.Context, m *model.OutboxMessage, now time.Time) (held bool, err error) {
	upd := s.w.NewUpdate().Model((*model.OutboxMessage)(nil)).
		Set("state = ?", model.MailSent).Set("sent_at = ?", model.Normalize(now)).
		Set("lease_until = NULL").Set("last_error = ''")
	return s.finish(ctx, upd, m, true, "sent")
}

// MarkOutboxRetry records a temporary failure of m: it goes back to pending,
// to be tried again at next. A sign-in email keeps its link for the retry.
func (s *Store) MarkOutboxRetry(ctx context.Context, m *model.OutboxMessage, next time.Time, lastError string) (held bool, err error) {
	upd := s.w.NewUpdate().Model((*model.OutboxMessage)(nil)).
		Set("state = ?", model.MailPending).Set("next_attempt_at = ?", model.Normalize(next)).
		Set("lease_until = NULL").Set("last_error = ?", clip(lastError))
	return s.finish(ctx, upd, m, false, "retry")
}

// MarkOutboxFailed records a permanent failure of m; it is not tried again
// unless someone calls RetryOutbox. Sign-in mail loses its link and code.
func (s *Store) MarkOutboxFailed(ctx context.Context, m *model.OutboxMessage, lastError string) (held bool, err error) {
	upd := s.w.NewUpdate().Model((*model.OutboxMessage)(nil)).
		Set("state = ?", model.MailFailed).Set("lease_until = NULL").Set("last_error = ?", clip(lastError))
	return s.finish(ctx, upd, m, true, "failed")
}

// ReleaseOutbox hands back a claimed message that was not tried (the sender
// is stopping, or its lease would not cover another send): pending again,
// due at once, and the claim does not count as an attempt.
func (s *Store) ReleaseOutbox(ctx context.Context, m *model.OutboxMessage) (held bool, err error) {
	upd := s.w.NewUpdate().Model((*model.OutboxMessage)(nil)).
		Set("state = ?", model.MailPending).Set("attempts = attempts - 1").Set("lease_until = NULL")
	return s.finish(ctx, upd, m, false, "release")
}

// finish applies upd to m if the caller still holds its claim: state
// sending with the attempt number the claim gave it.
func (s *Store) finish(ctx context.Context, upd *bun.UpdateQuery, m *model.OutboxMessage, scrub bool, what string) (bool, error) {
	if d := notify.Scrubbed(m); scrub && d != nil {
		b, err := json.Marshal(d)
		if err != nil {
			return false, fmt.Errorf("store: outbox %d %s: %w", m.ID, what, err)
		}
		upd = upd.Set("data = ?", string(b))
	}
	res, err := upd.Where("id = ?", m.ID).Where("state = ?", model.MailSending).Where("attempts = ?", m.Attempts).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: outbox %d %s: %w", m.ID, what, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// NextOutboxDue returns when the earliest pending message is due or the
// earliest lease runs out; ok is false when nothing is waiting.
func (s *Store) NextOutboxDue(ctx context.Context) (at time.Time, ok bool, err error) {
	var row struct {
		Pending *time.Time `bun:"pending"`
		Lease   *time.Time `bun:"lease"`
	}
	err = s.r.NewRaw(`SELECT
	(SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending') AS pending,
	(SELECT min(lease_until) FROM outbox WHERE state = 'sending') AS lease`).Scan(ctx, &row)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next outbox due: %w", err)
	}
	switch {
	case row.Pending != nil && row.Lease != nil:
		if row.Lease.Before(*row.Pending) {
			return *row.Lease, true, nil
		}
		return *row.Pending, true, nil
	case row.Pending != nil:
		return *row.Pending, true, nil
	case row.Lease != nil:
		return *row.Lease, true, nil
	}
	return time.Time{}, false, nil
}

// clip keeps a stored error message to a readable size.
func clip(s string) string {
	const max = 1000
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

// OnEnqueue sets the function called after a transaction that queued mail
// commits, so the mailer wakes at once instead of waiting for its next poll.
func (s *Store) OnEnqueue(f func()) { s.wake = f }

func (s *Store) notifyEnqueue() {
	if s.wake != nil {
		s.wake()
	}
}
