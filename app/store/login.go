package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/model"
)

// CreateLoginToken stores a new sign-in token and, in the same statement
// group, retires every earlier unused token of the same person and purpose
// (a new request replaces the earlier link) and deletes their rows older
// than a day.
func (s *Store) CreateLoginToken(ctx context.Context, t *model.LoginToken) error {
	// Rows older than a day have served every limit that counts them.
	if _, err := s.w.NewDelete().Model((*model.LoginToken)(nil)).
		Where("purpose = ? AND subject_id = ? AND created_at < ?", t.Purpose, t.SubjectID, t.CreatedAt.Add(-24*time.Hour)).
		Exec(ctx); err != nil {
		return fmt.Errorf("store: clear old login tokens: %w", err)
	}
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

// CreateDecoyLoginToken stores a row that can never sign anyone in (the
// caller gives it no subject and makes it used and expired) and clears
// decoys older than an hour: the write an unknown address costs, so both
// answers take about as long.
func (s *Store) CreateDecoyLoginToken(ctx context.Context, t *model.LoginToken) error {
	if _, err := s.w.NewDelete().Model((*model.LoginToken)(nil)).
		Where("subject_id = 0 AND created_at < ?", t.CreatedAt.Add(-time.Hour)).Exec(ctx); err != nil {
		return fmt.Errorf("store: clear decoy login tokens: %w", err)
	}
	// The retiring update a real request makes, on a subject with no rows.
	if _, err := s.w.NewUpdate().Model((*model.LoginToken)(nil)).Set("used_at = ?", t.CreatedAt).
		Where("purpose = ? AND subject_id = -1 AND used_at IS NULL", t.Purpose).Exec(ctx); err != nil {
		return fmt.Errorf("store: decoy update: %w", err)
	}
	if _, err := s.w.NewInsert().Model(t).Exec(ctx); err != nil {
		return fmt.Errorf("store: create decoy login token: %w", err)
	}
	return nil
}

// PendingLoginToken finds the newest usable token requested by the browser
// whose pending-sign-in cookie hashes to browserHash.
func (s *Store) PendingLoginToken(ctx context.Context, purpose, browserHash string, now time.Time) (*model.LoginToken, error) {
	t := new(model.LoginToken)
	err := s.w.NewSelect().Model(t).
		Where("browser_hash = ? AND browser_hash <> '' AND purpose = ? AND subject_id <> 0 AND used_at IS NULL AND expires_at > ?",
			browserHash, purpose, now).
		Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pending login token: %w", notFound(err))
	}
	return t, nil
}

// SpendCodeTry counts one code attempt on a usable token, atomically, and
// only while fewer than max were made: ErrNotFound means no try is left (or
// the token is no longer usable).
func (s *Store) SpendCodeTry(ctx context.Context, id int64, max int, now time.Time) error {
	res, err := s.w.NewUpdate().Model((*model.LoginToken)(nil)).Set("code_tries = code_tries + 1").
		Where("id = ? AND code_tries < ? AND used_at IS NULL AND expires_at > ?", id, max, now).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: spend code try: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: spend code try: %w", ErrNotFound)
	}
	return nil
}

// RetireLoginToken makes a token unusable (its code ran out of tries).
func (s *Store) RetireLoginToken(ctx context.Context, id int64, now time.Time) error {
	if _, err := s.w.NewUpdate().Model((*model.LoginToken)(nil)).Set("used_at = ?", now).
		Where("id = ? AND used_at IS NULL", id).Exec(ctx); err != nil {
		return fmt.Errorf("store: retire login token: %w", err)
	}
	return nil
}

// CodeTriesSince counts the code attempts made on one person's tokens
// created since a time: the daily cap on guessing across many requests.
func (s *Store) CodeTriesSince(ctx context.Context, purpose string, subjectID int64, since time.Time) (int, error) {
	var n int
	err := s.w.NewSelect().Model((*model.LoginToken)(nil)).ColumnExpr("COALESCE(SUM(code_tries), 0)").
		Where("purpose = ? AND subject_id = ? AND created_at > ?", purpose, subjectID, since).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("store: code tries: %w", err)
	}
	return n, nil
}

// LoginTokensSince counts the sign-in links one person was sent since a
// time: the per-address limit, shared by every instance.
func (s *Store) LoginTokensSince(ctx context.Context, purpose string, subjectID int64, since time.Time) (int, error) {
	n, err := s.w.NewSelect().Model((*model.LoginToken)(nil)).
		Where("purpose = ? AND subject_id = ? AND created_at > ?", purpose, subjectID, since).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: login tokens since: %w", err)
	}
	return int(n), nil
}
