package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/model"
)

// Retention is how long Purge keeps rows that have served their purpose.
type Retention struct {
	// SentMail keeps sent outbox rows this long after they were sent (the
	// admin outbox shows them; failed and unsent mail is never purged).
	SentMail time.Duration
	// LoginTokens keeps used and expired sign-in tokens this long after they
	// were made: the per-address link limit and the daily cap on code
	// guesses count them for a day.
	LoginTokens time.Duration
}

// DefaultRetention is the retention serve runs with (README, Operations):
// sent mail 30 days, sign-in tokens 2 days. Sessions need no period: one is
// purged once past its absolute limit.
func DefaultRetention() Retention {
	return Retention{SentMail: 30 * 24 * time.Hour, LoginTokens: 2 * 24 * time.Hour}
}

// Purged counts what one Purge deleted.
type Purged struct {
	Sessions, LoginTokens, SentMail int64
}

// purgeBatch bounds one DELETE, so on SQLite the server's writes wait for
// no more than one batch at a time.
const purgeBatch = 1000

// Purge deletes, as of now, sessions past their absolute limit, sign-in
// tokens that are used or expired and older than r.LoginTokens, and mail
// sent more than r.SentMail ago. It deletes in batches, each its own
// statement, so a long-neglected database is cleaned without one long
// transaction. Several instances may purge at once: each row goes once.
func (s *Store) Purge(ctx context.Context, now time.Time, r Retention) (Purged, error) {
	now = model.Normalize(now)
	var p Purged
	var err error
	if p.Sessions, err = s.purge(ctx, "sessions", "id_hash", "expires_at < ?", now); err != nil {
		return p, err
	}
	if p.LoginTokens, err = s.purge(ctx, "login_tokens", "id", "created_at < ? AND (used_at IS NOT NULL OR expires_at < ?)",
		now.Add(-r.LoginTokens), now); err != nil {
		return p, err
	}
	if p.SentMail, err = s.purge(ctx, "outbox", "id", "state = 'sent' AND sent_at < ?", now.Add(-r.SentMail)); err != nil {
		return p, err
	}
	return p, nil
}

// purge deletes the rows of table matching where, purgeBatch at a time.
func (s *Store) purge(ctx context.Context, table, key, where string, args ...any) (int64, error) {
	q := fmt.Sprintf("DELETE FROM %s WHERE %s IN (SELECT %s FROM %s WHERE %s LIMIT %d)", table, key, key, table, where, purgeBatch)
	var total int64
	for {
		res, err := s.w.NewRaw(q, args...).Exec(ctx)
		if err != nil {
			return total, fmt.Errorf("store: purge %s: %w", table, err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < purgeBatch {
			return total, nil
		}
	}
}
