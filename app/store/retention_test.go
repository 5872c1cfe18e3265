package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

func TestPurge(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
		r := store.DefaultRetention()
		session := func(id string, expires time.Time) {
			t.Helper()
			if err := s.CreateSession(ctx, &model.Session{IDHash: id, Kind: model.KindCustomer, SubjectID: 1, CSRFToken: "x",
				CreatedAt: expires.Add(-time.Hour), LastSeenAt: expires.Add(-time.Hour), ExpiresAt: expires}); err != nil {
				t.Fatal(err)
			}
		}
		session("expired", now.Add(-time.Second))
		session("live", now.Add(time.Hour))
		subject := int64(0)
		token := func(hash string, created time.Time, used bool) {
			t.Helper()
			subject++
			lt := &model.LoginToken{TokenHash: hash, Purpose: model.KindCustomer, SubjectID: subject, Email: "a@example.com",
				CodeHMAC: "x", ExpiresAt: created.Add(10 * time.Minute), CreatedAt: created}
			if used {
				at := created.Add(time.Minute)
				lt.UsedAt = &at
			}
			if err := s.CreateLoginToken(ctx, lt); err != nil {
				t.Fatal(err)
			}
		}
		token("old-used", now.Add(-r.LoginTokens-time.Minute), true)
		token("old-expired", now.Add(-r.LoginTokens-time.Minute), false)
		token("recent-used", now.Add(-time.Hour), true)          // counted by the daily cap
		token("recent-expired", now.Add(-20*time.Minute), false) // and by the address limit
		token("usable", now.Add(-time.Minute), false)
		mail := func(key, state string, sentAt *time.Time) {
			t.Helper()
			m := &model.OutboxMessage{IdempotencyKey: key, Template: "order_shipped", Locale: "en", ToEmail: "a@example.com",
				CreatedAt: now.Add(-60 * 24 * time.Hour)}
			if _, err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			if _, err := s.IDB().NewUpdate().Model((*model.OutboxMessage)(nil)).Set("state = ?", state).Set("sent_at = ?", sentAt).
				Where("id = ?", m.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		old, recent := now.Add(-r.SentMail-time.Hour), now.Add(-r.SentMail+time.Hour)
		const many = 2500 // more than one batch
		for i := range many {
			mail(fmt.Sprintf("old-sent-%d", i), model.MailSent, &old)
		}
		mail("recent-sent", model.MailSent, &recent)
		mail("old-failed", model.MailFailed, nil)
		mail("old-pending", model.MailPending, nil)

		p, err := s.Purge(ctx, now, r)
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.Purged{Sessions: 1, LoginTokens: 2, SentMail: many}); p != want {
			t.Fatalf("purged %+v, want %+v", p, want)
		}
		var sessions, tokens, keys []string
		if err := s.RIDB().NewRaw("SELECT id_hash FROM sessions ORDER BY id_hash").Scan(ctx, &sessions); err != nil {
			t.Fatal(err)
		}
		if err := s.RIDB().NewRaw("SELECT token_hash FROM login_tokens ORDER BY token_hash").Scan(ctx, &tokens); err != nil {
			t.Fatal(err)
		}
		if err := s.RIDB().NewRaw("SELECT idempotency_key FROM outbox ORDER BY idempotency_key").Scan(ctx, &keys); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(sessions) != "[live]" || fmt.Sprint(tokens) != "[recent-expired recent-used usable]" ||
			fmt.Sprint(keys) != "[old-failed old-pending recent-sent]" {
			t.Fatalf("kept sessions %v, tokens %v, mail %v", sessions, tokens, keys)
		}
		if p, err := s.Purge(ctx, now, r); err != nil || p != (store.Purged{}) {
			t.Fatalf("second purge: %+v %v", p, err)
		}
	})
}
