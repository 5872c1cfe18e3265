package kit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter is a set of in-process token buckets keyed by a client's
// address, an API key or anything else.
type RateLimiter struct {
	mu   sync.Mutex
	now  func() time.Time
	byIP map[string]*rate.Limiter
	seen time.Time
}

// NewRateLimiter returns an empty limiter on the clock now.
func NewRateLimiter(now func() time.Time) *RateLimiter {
	return &RateLimiter{now: now, byIP: map[string]*rate.Limiter{}}
}

// Allow takes a token from key's bucket (one every every, bursts of burst)
// and says when to retry when there is none.
func (l *RateLimiter) Allow(key string, every time.Duration, burst int) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.seen) > 10*time.Minute { // forget idle buckets now and then
		for k, lim := range l.byIP {
			if lim.TokensAt(now) >= float64(lim.Burst()) {
				delete(l.byIP, k)
			}
		}
		l.seen = now
	}
	lim := l.byIP[key]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(every), burst)
		l.byIP[key] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
