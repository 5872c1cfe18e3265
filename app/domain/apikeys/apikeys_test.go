package apikeys_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/apikeys"
	"github.com/kedja/kedja/app/domain/refusal"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func TestKeys(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
		key, k, err := apikeys.Create(ctx, s, "  web-shop ", now)
		if err != nil {
			t.Fatal(err)
		}
		if k.Name != "web-shop" || !strings.HasPrefix(key, apikeys.Prefix) || len(key) != len(apikeys.Prefix)+43 ||
			!strings.HasPrefix(key, k.Prefix) || len(k.Prefix) >= len(key)/2 || k.KeyHash != apikeys.Hash(key) {
			t.Fatalf("created %q as %+v", key, k)
		}
		key2, _, err := apikeys.Create(ctx, s, "warehouse", now)
		if err != nil || key2 == key {
			t.Fatalf("second key %q, %v", key2, err)
		}
		var ne refusal.Refusal
		if _, _, err := apikeys.Create(ctx, s, "web-shop", now); !errors.As(err, &ne) {
			t.Fatalf("same name again: %v", err)
		}
		for _, bad := range []string{"", "   ", "two\nlines", strings.Repeat("x", apikeys.MaxName+1)} {
			if _, err := apikeys.CheckName(bad); !errors.As(err, &ne) || ne.Text == "" {
				t.Errorf("name %q: %v", bad, err)
			}
		}

		// Authenticate; the last use is written at most once a minute.
		got, err := apikeys.Authenticate(ctx, s, key, now)
		if err != nil || got.ID != k.ID || got.LastUsedAt == nil || !got.LastUsedAt.Equal(now) {
			t.Fatalf("authenticate: %+v %v", got, err)
		}
		if got, _ = apikeys.Authenticate(ctx, s, key, now.Add(30*time.Second)); !got.LastUsedAt.Equal(now) {
			t.Fatalf("last use rewritten after 30 s: %v", got.LastUsedAt)
		}
		later := now.Add(apikeys.TouchEvery)
		if got, _ = apikeys.Authenticate(ctx, s, key, later); !got.LastUsedAt.Equal(later) {
			t.Fatalf("last use not rewritten after a minute: %v", got.LastUsedAt)
		}
		for _, wrong := range []string{"", "kedja_", key + "x", key[:len(key)-1], strings.ToUpper(key), "Bearer " + key, key2[:20] + key[20:]} {
			if _, err := apikeys.Authenticate(ctx, s, wrong, now); !errors.Is(err, apikeys.ErrInvalid) {
				t.Errorf("key %q: %v, want ErrInvalid", wrong, err)
			}
		}

		// Revoke: the key fails, the other does not, revoking twice keeps
		// the first time, an unknown id is not found; the name is free again.
		r, err := apikeys.Revoke(ctx, s, k.ID, later)
		if err != nil || r.RevokedAt == nil || !r.RevokedAt.Equal(later) {
			t.Fatalf("revoke: %+v %v", r, err)
		}
		if r, err = apikeys.Revoke(ctx, s, k.ID, later.Add(time.Hour)); err != nil || !r.RevokedAt.Equal(later) {
			t.Fatalf("revoke again: %+v %v", r, err)
		}
		if _, err := apikeys.Authenticate(ctx, s, key, later); !errors.Is(err, apikeys.ErrRevoked) {
			t.Fatalf("revoked key: %v", err)
		}
		if _, err := apikeys.Authenticate(ctx, s, key2, later); err != nil {
			t.Fatalf("other key after revoking one: %v", err)
		}
		if _, err := apikeys.Revoke(ctx, s, 999999, later); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoke unknown: %v", err)
		}
		if _, _, err := apikeys.Create(ctx, s, "web-shop", later); err != nil {
			t.Fatalf("name of a revoked key: %v", err)
		}
		list, err := s.ListAPIKeys(ctx)
		if err != nil || len(list) != 3 || list[len(list)-1].RevokedAt == nil {
			t.Fatalf("list (active first): %+v %v", list, err)
		}
	})
}
