package datocms

import (
	"context"
	"sync"
	"time"
)

// limiter keeps a Client within DatoCMS's rate limit: at most limit requests in any window
// (60 requests per 3 seconds, API §4.1). DatoCMS counts a request when it arrives, which the
// client cannot observe, so a request holds its slot from the moment it is sent until window
// after its answer arrived: that interval contains its arrival whatever the network delay,
// so no window on the server can ever see more than limit of this client's requests.
//
// The quota is shared with every other integration of the project, so a 429 can still
// happen; pause then makes every caller wait out X-RateLimit-Reset together instead of each
// retrying into the same full window, and halves the share of the window this client takes
// (others are using the rest), growing it back a step for every window without a 429.
type limiter struct {
	mu          sync.Mutex
	limit       int // DatoCMS's limit per window
	allowed     int // the share this client takes now: limit, less after 429s
	grownAt     time.Time
	window      time.Duration
	inFlight    int
	answered    []time.Time // answer times of finished requests still inside the window, oldest first
	pausedUntil time.Time
	changed     chan struct{} // closed (and replaced) when a slot may have become free
	now         func() time.Time
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, allowed: limit, window: window, changed: make(chan struct{}), now: time.Now}
}

// acquire waits for a slot. The caller must call release exactly once when the answer has
// arrived (or the request failed). A nil limiter (rate limiting disabled) never waits.
func (l *limiter) acquire(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	for {
		l.mu.Lock()
		now := l.now()
		l.forget(now)
		l.grow(now)
		wait := time.Duration(-1) // -1: only a release can free a slot
		switch {
		case now.Before(l.pausedUntil):
			wait = l.pausedUntil.Sub(now)
		case l.inFlight+len(l.answered) < l.allowed:
			l.inFlight++
			l.mu.Unlock()
			return nil
		case len(l.answered) > 0:
			wait = l.answered[0].Add(l.window).Sub(now)
		}
		changed := l.changed
		l.mu.Unlock()

		var (
			timer   *time.Timer
			expired <-chan time.Time
		)
		if wait >= 0 {
			timer = time.NewTimer(wait)
			expired = timer.C
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-expired:
		}
		if timer != nil {
			timer.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// release frees the slot of a request whose answer arrived now: it stays counted for one
// more window.
func (l *limiter) release() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	l.answered = append(l.answered, l.now())
	l.signal()
}

// pause stops every caller for d (X-RateLimit-Reset after a 429). With shrink (the window
// was full), the client also takes a smaller share of the next windows.
func (l *limiter) pause(d time.Duration, shrink bool) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if until := now.Add(d); until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	if shrink {
		l.allowed = max(l.allowed/2, minAllowed(l.limit))
		l.grownAt = now.Add(d)
	}
}

// grow gives back a step of the window for every whole window since the last 429 or step.
// The caller holds l.mu.
func (l *limiter) grow(now time.Time) {
	for l.allowed < l.limit && !now.Before(l.grownAt.Add(l.window)) {
		l.allowed = min(l.limit, l.allowed+max(1, l.limit/6))
		l.grownAt = l.grownAt.Add(l.window)
	}
}

// minAllowed is the smallest share of the window the client shrinks to after 429s.
func minAllowed(limit int) int { return max(1, limit/10) }

// forget drops answers that left the window. The caller holds l.mu.
func (l *limiter) forget(now time.Time) {
	i := 0
	for i < len(l.answered) && !l.answered[i].Add(l.window).After(now) {
		i++
	}
	if i > 0 {
		l.answered = append(l.answered[:0], l.answered[i:]...)
	}
}

// signal wakes every waiter. The caller holds l.mu.
func (l *limiter) signal() {
	close(l.changed)
	l.changed = make(chan struct{})
}
