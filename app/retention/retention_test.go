package retention_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/retention"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/app/testenv"
)

// clock is a controllable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestRunPurgesOnEveryTick: the loop purges at start and on each tick, by
// the clock it is given: a session outlives the first purge and is gone
// after the tick that follows its expiry.
func TestRunPurgesOnEveryTick(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		clk := &clock{t: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
		start := clk.now()
		for _, id := range []string{"a", "b"} {
			exp := start.Add(time.Hour)
			if id == "b" {
				exp = start.Add(3 * time.Hour)
			}
			if err := s.CreateSession(ctx, &model.Session{IDHash: id, Kind: model.KindStaff, SubjectID: 1, CSRFToken: "x",
				CreatedAt: start, LastSeenAt: start, ExpiresAt: exp}); err != nil {
				t.Fatal(err)
			}
		}
		tick := make(chan time.Time) // unbuffered: a send returns once the loop is waiting again
		done := make(chan struct{})
		go func() {
			defer close(done)
			retention.Run(ctx, s, store.DefaultRetention(), tick, clk.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
		}()
		count := func() int {
			t.Helper()
			n, err := s.RIDB().NewSelect().Model((*model.Session)(nil)).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		tick <- clk.now() // the loop has made its first purge and waits
		if n := count(); n != 2 {
			t.Fatalf("after the first purge %d sessions, want 2", n)
		}
		clk.add(2 * time.Hour)
		tick <- clk.now()
		tick <- clk.now() // the purge of the tick before has finished
		if n := count(); n != 1 {
			t.Fatalf("2 hours on: %d sessions, want 1", n)
		}
		clk.add(2 * time.Hour)
		tick <- clk.now()
		tick <- clk.now()
		if n := count(); n != 0 {
			t.Fatalf("4 hours on: %d sessions, want 0", n)
		}
		cancel()
		<-done
	})
}

// TestStartStops: the stop function Start returns ends the loop even when
// the context it was given lives on (serve's listener may fail at start).
func TestStartStops(t *testing.T) {
	s := testenv.NewStore(t, "sqlite")
	stop := retention.Start(context.Background(), s, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	stop()
}
