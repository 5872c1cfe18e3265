package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/app/model"
)

// InsertAPIKey stores a new API key; k.KeyHash holds its hash, never the key.
func (s *Store) InsertAPIKey(ctx context.Context, k *model.APIKey) error {
	if k.KeyHash == "" {
		return fmt.Errorf("store: insert API key %q: no hash", k.Name)
	}
	if _, err := s.w.NewInsert().Model(k).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: insert API key %q: %w", k.Name, ErrConflict)
		}
		return fmt.Errorf("store: insert API key %q: %w", k.Name, err)
	}
	return nil
}

// APIKeyByHash finds a key, revoked or not, by the hash of its secret.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*model.APIKey, error) {
	k := new(model.APIKey)
	if err := s.r.NewSelect().Model(k).Where("key_hash = ?", hash).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: API key by hash: %w", notFound(err))
	}
	return k, nil
}

// APIKeyByID finds a key by id.
func (s *Store) APIKeyByID(ctx context.Context, id int64) (*model.APIKey, error) {
	k := new(model.APIKey)
	if err := s.r.NewSelect().Model(k).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: API key %d: %w", id, notFound(err))
	}
	return k, nil
}

// ListAPIKeys lists every key, active ones first, newest first.
func (s *Store) ListAPIKeys(ctx context.Context) ([]*model.APIKey, error) {
	var list []*model.APIKey
	err := s.r.NewSelect().Model(&list).
		OrderExpr("CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list API keys: %w", err)
	}
	return list, nil
}

// ActiveAPIKeyNamed reports whether an unrevoked key has this name.
func (s *Store) ActiveAPIKeyNamed(ctx context.Context, name string) (bool, error) {
	n, err := s.r.NewSelect().Model((*model.APIKey)(nil)).Where("name = ? AND revoked_at IS NULL", name).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("store: API key named %q: %w", name, err)
	}
	return n > 0, nil
}

// RevokeAPIKey marks a key revoked at at; revoking it again keeps the first
// time. An unknown id is ErrNotFound.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	res, err := s.w.NewUpdate().Model((*model.APIKey)(nil)).Set("revoked_at = ?", at).
		Where("id = ? AND revoked_at IS NULL", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: revoke API key %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.APIKeyByID(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// TouchAPIKey records that a key was used at at, unless its last use is
// recorded after since (so a busy key is written about once per interval,
// however many requests race). It reports whether it wrote.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, at, since time.Time) (bool, error) {
	res, err := s.w.NewUpdate().Model((*model.APIKey)(nil)).Set("last_used_at = ?", at).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", id, since).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: touch API key %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
