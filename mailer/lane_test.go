package mailer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/mailer/mailtest"
)

// TestSignInJumpsTheBacklog: with 20,000 notices queued (a bulk import) and
// the worker sending them, a sign-in mail queued afterwards goes out before
// every notice except those already claimed when it was queued: at most
// one batch after the ones the server had when it was queued.
func TestSignInJumpsTheBacklog(t *testing.T) {
	const backlog = 20000
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		srv := mailtest.Start(t)
		e := newEnv(t, s, srv, WithNow(model.Now), WithPoll(time.Hour))
		s.OnEnqueue(e.w.Wake)
		ctx := context.Background()
		now := model.Now().Add(-time.Minute)
		tpl := samples(now, "da")[notify.OrderShipped]
		for i := 0; i < backlog; {
			var chunk []*model.OutboxMessage
			for ; i < backlog && len(chunk) < 1000; i++ {
				m := *tpl
				m.IdempotencyKey = fmt.Sprint("import:", i)
				m.State = model.MailPending
				chunk = append(chunk, &m)
			}
			if _, err := s.IDB().NewInsert().Model(&chunk).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.w.Run(runCtx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()
		srv.WaitFor(t, 3*DefaultBatch, time.Minute)

		signin := samples(model.Now(), "sv")[notify.SignInCustomer]
		signin.IdempotencyKey = "signin:late"
		if _, err := s.Enqueue(ctx, signin); err != nil {
			t.Fatal(err)
		}
		// Counted once it is committed: a claim that started before saw
		// the backlog only, and is the batch in flight.
		before := srv.Count()
		limit := before + DefaultBatch + 1
		msgs := srv.WaitFor(t, limit, time.Minute)
		pos := -1
		want := MessageID(e.w.cfg.BaseURL, signin)
		for i, m := range msgs {
			if m.MessageID() == want {
				pos = i + 1
				break
			}
		}
		if pos < 0 {
			t.Fatalf("sign-in mail not among the first %d delivered (%d were delivered when it was queued, batch %d)",
				len(msgs), before, DefaultBatch)
		}
		t.Logf("sign-in delivered as message %d; %d were delivered when it was queued", pos, before)
		if pos > limit {
			t.Fatalf("sign-in delivered as message %d, want at most %d", pos, limit)
		}
	})
}
