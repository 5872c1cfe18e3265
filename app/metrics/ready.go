package metrics

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kedja/kedja/app/store"
)

// readiness checks what /readyz answers for.
type readiness struct {
	store  *store.Store
	worker Heartbeat
	stale  time.Duration
	now    func() time.Time

	migrated atomic.Bool // once none is pending, none can be again for this binary
}

// check returns what keeps the instance from serving (nothing: ready).
func (r *readiness) check(ctx context.Context) []string {
	var probs []string
	if r.store == nil {
		return []string{"database: not configured"}
	}
	if err := r.store.Ping(ctx); err != nil {
		return []string{"database: " + oneLine(err.Error())}
	}
	if !r.migrated.Load() {
		pending, err := r.store.PendingMigrations(ctx)
		switch {
		case err != nil:
			probs = append(probs, "migrations: "+oneLine(err.Error()))
		case len(pending) > 0:
			probs = append(probs, fmt.Sprintf("migrations: %d pending (%s): run kedja migrate, or restart", len(pending), strings.Join(pending, ", ")))
		default:
			r.migrated.Store(true)
		}
	}
	if r.worker != nil {
		last := r.worker.LastBeat()
		switch age := r.now().Sub(last); {
		case last.IsZero():
			probs = append(probs, "outbox worker: not started")
		case age > r.stale:
			probs = append(probs, fmt.Sprintf("outbox worker: last seen %s ago (more than %s)", age.Round(time.Second), r.stale))
		}
	}
	return probs
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Running is a Heartbeat for a loop that reports nothing itself: alive
// (beating now) from when Run starts it until it returns. Wire it around
// the outbox worker until the worker reports its own beats (then pass the
// worker as the Heartbeat).
type Running struct {
	now func() time.Time

	mu      sync.Mutex
	running bool
	last    time.Time
}

// NewRunning returns a Running that reads the clock now.
func NewRunning(now func() time.Time) *Running { return &Running{now: now} }

// Run runs loop, counting it alive until it returns, and returns its error.
func (r *Running) Run(loop func() error) error {
	r.mu.Lock()
	r.running, r.last = true, r.now()
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running, r.last = false, r.now()
		r.mu.Unlock()
	}()
	return loop()
}

// LastBeat is now while the loop runs, else when it stopped (zero: never
// started).
func (r *Running) LastBeat() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running {
		return r.now()
	}
	return r.last
}
