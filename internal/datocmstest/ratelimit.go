package datocmstest

import (
	"math"
	"sync"
	"time"
)

// rateWindow is the length of the rate-limit window (60 requests per 3 s on
// the real API, API §4.1).
const rateWindow = 3 * time.Second

// rateState is what the X-RateLimit-* headers report for one request.
type rateState struct {
	limit     int // 0 = rate limiting disabled, no headers
	remaining int
	reset     int // whole seconds until a request would be admitted; sent only on a 429
}

// rateLimiter is a sliding window shared by all environments and CMA routes,
// like the real per-project limit: a request is admitted when fewer than limit
// requests were admitted in the preceding 3 seconds. The docs' examples (API
// §4.1: a burst of 80 gets 20 429s with reset ≈ 3 s; 30 req/s is limited
// after 2 s with reset ≈ 1 s) describe exactly this, not fixed windows.
// Refused requests are not admitted, so they do not push the window on:
// a client that retries after X-RateLimit-Reset seconds gets through.
// Open question §10.6: a 429 carries X-RateLimit-Reset only, never
// Retry-After, as the docs describe.
type rateLimiter struct {
	mu       sync.Mutex
	limit    int
	admitted []time.Time // admission times inside the window, oldest first
}

// take admits one request at now if there is room and reports the headers
// to send with its answer.
func (l *rateLimiter) take(now time.Time) (rateState, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit == 0 {
		return rateState{}, true
	}
	// A request admitted at t is in the window while t > now-3s.
	gone := 0
	for gone < len(l.admitted) && !l.admitted[gone].After(now.Add(-rateWindow)) {
		gone++
	}
	l.admitted = l.admitted[gone:]
	if len(l.admitted) < l.limit {
		l.admitted = append(l.admitted, now)
		return rateState{limit: l.limit, remaining: l.limit - len(l.admitted)}, true
	}
	// The next request fits once the oldest one leaves the window.
	wait := l.admitted[0].Add(rateWindow).Sub(now)
	return rateState{limit: l.limit, reset: max(1, int(math.Ceil(wait.Seconds())))}, false // an integer > 0, as the API promises
}
