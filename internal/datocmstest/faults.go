package datocmstest

import (
	"net/http"
	"sync"
	"time"
)

// faults holds the knobs tests turn while the server runs. Each counter is
// consumed by the requests (or jobs) that arrive next. Setting a knob
// replaces its previous value; n <= 0 clears it.
type faults struct {
	mu                 sync.Mutex
	latency            time.Duration
	jobDelay           time.Duration
	badGateway         int
	rateLimit          int
	rateLimitReset     bool
	transientWrites    int
	failJobs           int
	failAfterApply     bool
	hangJobs           int
	storageFailures    int
	storageStatus      int
	deleteRestrictions int
}

// jobPlan is how the next job will behave, decided when it is created.
type jobPlan struct {
	delay          time.Duration
	hang           bool
	fail           bool
	failAfterApply bool
}

// SetJobDelay changes how long jobs created from now on take.
func (s *Server) SetJobDelay(d time.Duration) { s.faults.set(func(f *faults) { f.jobDelay = d }) }

// SetLatency changes the sleep added before every CMA response.
func (s *Server) SetLatency(d time.Duration) { s.faults.set(func(f *faults) { f.latency = d }) }

// FailNextJobs makes the next n jobs end with inner status 422 and an
// INVALID_FIELD error (details {field:"path", code:"INVALID_FORMAT"}). With
// afterApply the change is applied anyway (e.g. the upload exists) although
// the job reports failure.
func (s *Server) FailNextJobs(n int, afterApply bool) {
	s.faults.set(func(f *faults) { f.failJobs, f.failAfterApply = n, afterApply })
}

// HangNextJobs makes the next n jobs never finish (job-results 404 forever)
// and never apply their change.
func (s *Server) HangNextJobs(n int) { s.faults.set(func(f *faults) { f.hangJobs = n }) }

// RateLimitNext answers the next n CMA requests with a JSON 429
// RATE_LIMIT_EXCEEDED, with X-RateLimit-Reset: 1 when withResetHeader.
func (s *Server) RateLimitNext(n int, withResetHeader bool) {
	s.faults.set(func(f *faults) { f.rateLimit, f.rateLimitReset = n, withResetHeader })
}

// TransientErrorNextWrites answers the next n CMA writes (POST/PUT/DELETE)
// with 409 CONCURRENT_UPLOAD_UPDATE marked transient; nothing is applied.
func (s *Server) TransientErrorNextWrites(n int) {
	s.faults.set(func(f *faults) { f.transientWrites = n })
}

// FailNextStoragePuts answers the next n storage PUTs with status (500 or
// 403); nothing is stored.
func (s *Server) FailNextStoragePuts(n int, status int) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	s.faults.set(func(f *faults) { f.storageFailures, f.storageStatus = n, status })
}

// BadGatewayNext answers the next n CMA requests with an HTML 502, as a CDN
// in front of the API would.
func (s *Server) BadGatewayNext(n int) { s.faults.set(func(f *faults) { f.badGateway = n }) }

// DeleteRestrictionNext answers the next n DELETE /uploads/:id of existing
// uploads with 422 DELETE_RESTRICTION, as when records still reference them.
func (s *Server) DeleteRestrictionNext(n int) {
	s.faults.set(func(f *faults) { f.deleteRestrictions = n })
}

func (f *faults) set(change func(*faults)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// consume decrements *counter and reports whether it was positive.
// The caller holds f.mu.
func consume(counter *int) bool {
	if *counter <= 0 {
		return false
	}
	*counter--
	return true
}

func (f *faults) take(counter *int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return consume(counter)
}

func (f *faults) takeBadGateway() bool        { return f.take(&f.badGateway) }
func (f *faults) takeTransientWrite() bool    { return f.take(&f.transientWrites) }
func (f *faults) takeDeleteRestriction() bool { return f.take(&f.deleteRestrictions) }

func (f *faults) takeRateLimit() (forced, withReset bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return consume(&f.rateLimit), f.rateLimitReset
}

func (f *faults) takeStorageFailure() (status int, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.storageStatus, consume(&f.storageFailures)
}

func (f *faults) latencyNow() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.latency
}

// nextJob consumes the job knobs for one new job. A job that hangs never
// reaches the point where it could fail, so hanging wins.
func (f *faults) nextJob() jobPlan {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := jobPlan{delay: f.jobDelay}
	if consume(&f.hangJobs) {
		p.hang = true
		return p
	}
	if consume(&f.failJobs) {
		p.fail, p.failAfterApply = true, f.failAfterApply
	}
	return p
}
