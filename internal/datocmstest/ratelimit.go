package datocmstest

import (
	"math"
	"sync"
	"time"
)

// rateWindow is the length of a rate-limit window (60 requests per 3 s on the
// real API, API §4.1).
const rateWindow = 3 * time.Second

// rateState is what the X-RateLimit-* headers report for one request.
type rateState struct {
	limit     int // 0 = rate limiting disabled, no headers
	remaining int
	reset     int // seconds until the window ends; sent only on a 429
}

// rateLimiter counts CMA requests in fixed 3-second windows, shared by all
// environments and routes, like the real per-project limit. Open question
// §10.6: a 429 carries X-RateLimit-Reset only, never Retry-After, as the
// docs describe.
type rateLimiter struct {
	mu          sync.Mutex
	limit       int
	windowStart time.Time
	count       int
}

// take counts one request at now and reports whether it is within the limit.
func (l *rateLimiter) take(now time.Time) (rateState, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit == 0 {
		return rateState{}, true
	}
	if now.Sub(l.windowStart) >= rateWindow || now.Before(l.windowStart) {
		l.windowStart, l.count = now, 0
	}
	l.count++
	st := rateState{limit: l.limit, remaining: max(l.limit-l.count, 0)}
	if l.count <= l.limit {
		return st, true
	}
	left := l.windowStart.Add(rateWindow).Sub(now)
	st.reset = max(1, int(math.Ceil(left.Seconds()))) // an integer > 0, as the API promises
	return st, false
}
