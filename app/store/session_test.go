package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func TestDeleteSessionsOf(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := model.Normalize(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
		add := func(id, kind string, subject int64) {
			if err := s.CreateSession(ctx, &model.Session{IDHash: id, Kind: kind, SubjectID: subject,
				CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		add("c1-a", model.KindCustomer, 1)
		add("c1-b", model.KindCustomer, 1)
		add("c2", model.KindCustomer, 2)
		add("s1", model.KindStaff, 1) // same id, other kind: untouched
		n, err := s.DeleteSessionsOf(ctx, model.KindCustomer, 1)
		if err != nil || n != 2 {
			t.Fatalf("DeleteSessionsOf: %d, %v", n, err)
		}
		for id, alive := range map[string]bool{"c1-a": false, "c1-b": false, "c2": true, "s1": true} {
			_, err := s.SessionByHash(ctx, id)
			if alive != (err == nil) || (!alive && !errors.Is(err, store.ErrNotFound)) {
				t.Fatalf("session %s: %v", id, err)
			}
		}
		if n, err := s.DeleteSessionsOf(ctx, model.KindStaff, 1); err != nil || n != 1 {
			t.Fatalf("staff: %d, %v", n, err)
		}
	})
}

func TestLoginTokenStore(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := model.Normalize(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
		tok := func(hash string, subject int64, browser string) *model.LoginToken {
			return &model.LoginToken{TokenHash: hash, Purpose: model.KindCustomer, SubjectID: subject, Email: "a@b.co",
				CodeHMAC: "h", BrowserHash: browser, ExpiresAt: now.Add(10 * time.Minute), CreatedAt: now}
		}
		first := tok("t1", 7, "b1")
		if err := s.CreateLoginToken(ctx, first); err != nil {
			t.Fatal(err)
		}
		if p, err := s.PendingLoginToken(ctx, model.KindCustomer, "b1", now); err != nil || p.TokenHash != "t1" {
			t.Fatalf("pending: %v", err)
		}
		// A newer request replaces the earlier link.
		if err := s.CreateLoginToken(ctx, tok("t2", 7, "b2")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UsableLoginToken(ctx, model.KindCustomer, "t1", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("replaced token usable: %v", err)
		}
		if _, err := s.PendingLoginToken(ctx, model.KindCustomer, "b1", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("replaced pending: %v", err)
		}
		// Code tries stop at the maximum, atomically.
		p, err := s.PendingLoginToken(ctx, model.KindCustomer, "b2", now)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			if err := s.SpendCodeTry(ctx, p.ID, 5, now); err != nil {
				t.Fatalf("try %d: %v", i+1, err)
			}
		}
		if err := s.SpendCodeTry(ctx, p.ID, 5, now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("6th try: %v", err)
		}
		if n, err := s.CodeTriesSince(ctx, model.KindCustomer, 7, now.Add(-time.Hour)); err != nil || n != 5 {
			t.Fatalf("tries today: %d, %v", n, err)
		}
		if n, err := s.CodeTriesSince(ctx, model.KindCustomer, 8, now.Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("tries of another: %d, %v", n, err)
		}
		// Consumption: once, and never after expiry.
		if _, err := s.ConsumeLoginToken(ctx, model.KindStaff, "t2", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("wrong purpose consumed: %v", err)
		}
		if _, err := s.ConsumeLoginToken(ctx, model.KindCustomer, "t2", now.Add(11*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired consumed: %v", err)
		}
		if _, err := s.ConsumeLoginToken(ctx, model.KindCustomer, "t2", now); err != nil {
			t.Fatalf("consume: %v", err)
		}
		if _, err := s.ConsumeLoginToken(ctx, model.KindCustomer, "t2", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("consumed twice: %v", err)
		}
		// Decoys are never usable and are cleared after an hour.
		for i := 0; i < 3; i++ {
			used := now
			d := &model.LoginToken{TokenHash: fmt.Sprintf("d%d", i), Purpose: model.KindCustomer, CodeHMAC: "h",
				ExpiresAt: now, UsedAt: &used, CreatedAt: now}
			if err := s.CreateDecoyLoginToken(ctx, d); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UsableLoginToken(ctx, model.KindCustomer, d.TokenHash, now.Add(-time.Minute)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("decoy usable: %v", err)
			}
		}
		later := now.Add(2 * time.Hour)
		used := later
		if err := s.CreateDecoyLoginToken(ctx, &model.LoginToken{TokenHash: "d-late", Purpose: model.KindCustomer, CodeHMAC: "h",
			ExpiresAt: later, UsedAt: &used, CreatedAt: later}); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := s.DB().NewSelect().Model((*model.LoginToken)(nil)).ColumnExpr("count(*)").Where("subject_id = 0").Scan(ctx, &left); err != nil || left != 1 {
			t.Fatalf("decoys left: %d, %v", left, err)
		}

		// The per-address count, and old rows cleared by the next request.
		if n, err := s.LoginTokensSince(ctx, model.KindCustomer, 7, now.Add(-time.Minute)); err != nil || n != 2 {
			t.Fatalf("tokens since: %d, %v", n, err)
		}
		next := tok("t3", 7, "b3")
		next.CreatedAt, next.ExpiresAt = now.Add(25*time.Hour), now.Add(25*time.Hour+10*time.Minute)
		if err := s.CreateLoginToken(ctx, next); err != nil {
			t.Fatal(err)
		}
		if n, err := s.LoginTokensSince(ctx, model.KindCustomer, 7, now.Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("rows after a day: %d, %v", n, err)
		}
	})
}
