package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/model"
)

// CreateLoginToken stores a new sign-in token and, in the same statement
// group, retires every earlier unused token of the same person and purpose:
// a new request replaces the earlier link.
func (s *Store) CreateLoginToken(ctx context.Context, t *model.LoginToken) error {
	if _, err := s.w.NewUpdate().Model((*model.LoginToken)(nil)).Set("used_at = ?", t.CreatedAt).
		Where("purpose = ? AND subject_id = ? AND used_at IS NULL", t.Purpose, t.SubjectID).Exec(ctx); err != nil {
		return fmt.Errorf("store: retire login tokens: %w", err)
	}
	if _, err := s.w.NewInsert().Model(t).Exec(ctx); err != nil {
		return fmt.Errorf("store: create login token: %w", err)
	}
	return nil
}

// UsableLoginToken finds an unused, unexpired token by hash and purpose,
// without consuming it.
func (s *Store) UsableLoginToken(ctx context.Context, purpose, tokenHash string, now time.Time) (*model.LoginToken, error) {
	t := new(model.LoginToken)
	err := s.r.NewSelect().Model(t).
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", tokenHash, purpose, now).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: login token: %w", notFound(err))
	}
	return t, nil
}

// ConsumeLoginToken marks a usable token used, atomically: of any number of
// concurrent calls for one token exactly one succeeds; the others (and any
// call for an unknown, used or expired token) get ErrNotFound.
func (s *Store) ConsumeLoginToken(ctx context.Context, purpose, tokenHash string, now time.Time) (*model.LoginToken, error) {
	res, err := s.w.NewUpdate().Model((*model.LoginToken)(nil)).Set("used_at = ?", now).
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", tokenHash, purpose, now).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: consume login token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fmt.Errorf("store: consume login token: %w", ErrNotFound)
	}
	t := new(model.LoginToken)
	if err := s.w.NewSelect().Model(t).Where("token_hash = ?", tokenHash).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: consumed login token: %w", notFound(err))
	}
	return t, nil
}
