package mailer

import "time"

// Retry schedule for temporary failures (connection refused, timeouts, 4xx):
// the n-th failed attempt waits a random time between half and all of
// FirstRetry·2^(n-1), capped at MaxRetryDelay. After MaxAttempts attempts the
// message is marked failed. With these numbers the shortest possible span
// from the first attempt to giving up is over 26 hours (the test checks it
// is at least 24), the usual one about 40.
const (
	FirstRetry    = 30 * time.Second
	MaxRetryDelay = time.Hour
	MaxAttempts   = 60
)

// RetryDelay is the wait after failed attempt n (1-based); r in [0, 1) is the
// jitter, so that many messages failing together do not retry together.
func RetryDelay(n int, r float64) time.Duration {
	d := FirstRetry
	for i := 1; i < n && d < MaxRetryDelay; i++ {
		d *= 2
	}
	d = min(d, MaxRetryDelay)
	return d/2 + time.Duration(r*float64(d/2))
}
