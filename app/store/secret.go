package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/kedja/kedja/app/model"
)

// Secret returns the key material named name (model.Secret…), 48 random
// bytes generated on first use and kept: every instance on the database
// reads the same.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var b [48]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	fresh := &model.Secret{Name: name, Value: base64.RawURLEncoding.EncodeToString(b[:])}
	if _, err := s.w.NewInsert().Model(fresh).On("CONFLICT (name) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	got := new(model.Secret)
	if err := s.w.NewSelect().Model(got).Where("name = ?", name).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	key, err := base64.RawURLEncoding.DecodeString(got.Value)
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	return key, nil
}
