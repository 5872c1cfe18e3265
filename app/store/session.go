package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/model"
)

// CreateSession stores a new session row (its id already hashed).
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	if _, err := s.w.NewInsert().Model(sess).Exec(ctx); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByHash finds a session by the hash of its id.
func (s *Store) SessionByHash(ctx context.Context, idHash string) (*model.Session, error) {
	sess := new(model.Session)
	if err := s.r.NewSelect().Model(sess).Where("id_hash = ?", idHash).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: session: %w", notFound(err))
	}
	return sess, nil
}

// TouchSession records activity on a session (for the idle timeout).
func (s *Store) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	if _, err := s.w.NewUpdate().Model((*model.Session)(nil)).Set("last_seen_at = ?", at).
		Where("id_hash = ?", idHash).Exec(ctx); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.w.NewDelete().Model((*model.Session)(nil)).Where("id_hash = ?", idHash).Exec(ctx); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteSessionsOf ends every session of a customer or staff member and
// returns how many there were.
func (s *Store) DeleteSessionsOf(ctx context.Context, kind string, subjectID int64) (int64, error) {
	res, err := s.w.NewDelete().Model((*model.Session)(nil)).
		Where("kind = ? AND subject_id = ?", kind, subjectID).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of %s %d: %w", kind, subjectID, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// DeleteExpiredSessions removes sessions past their absolute limit.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	if _, err := s.w.NewDelete().Model((*model.Session)(nil)).Where("expires_at < ?", now).Exec(ctx); err != nil {
		return fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return nil
}
