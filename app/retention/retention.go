// Package retention purges, on a schedule, the rows that have served their
// purpose: expired sessions, used or expired sign-in tokens and old sent
// mail (store.Purge; the periods are store.DefaultRetention, in README).
package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/kedja/kedja/app/store"
)

// Every is how often serve purges.
const Every = time.Hour

// Start purges now and then every Every until ctx is done or stop is
// called, in its own goroutine; stop returns once it has stopped (call it
// before closing s: `defer retention.Start(ctx, s, time.Now, log)()`).
func Start(ctx context.Context, s *store.Store, now func() time.Time, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(Every)
		defer t.Stop()
		Run(ctx, s, store.DefaultRetention(), t.C, now, log)
	}()
	return func() { cancel(); <-done }
}

// Run purges with r at once and then on every tick, until ctx is done. A
// failed purge is logged and tried again on the next tick.
func Run(ctx context.Context, s *store.Store, r store.Retention, tick <-chan time.Time, now func() time.Time, log *slog.Logger) {
	for {
		p, err := s.Purge(ctx, now(), r)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("retention: purge failed; trying again later", "err", err)
		case p != store.Purged{}:
			log.Info("retention: purged", "sessions", p.Sessions, "login_tokens", p.LoginTokens, "sent_mail", p.SentMail)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}
