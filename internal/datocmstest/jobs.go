package datocmstest

import (
	"cmp"
	"net/http"
	"slices"
	"time"
)

// job is an async CMA operation (API §3). Its change is applied when it
// completes, not when it is accepted, so the result of a create is invisible
// until then, like on the real API.
type job struct {
	id           string
	seq          int64
	env          *envStore
	method, path string // of the request that started it
	createdAt    time.Time
	readyAt      time.Time
	plan         jobPlan
	apply        func(now time.Time) jobOutcome // performs the change; called at most once
	abandon      func()                         // undoes reservations when the change is never applied
	done         bool
	outcome      jobOutcome

	// Poll statistics for GET /_local/jobs: benchmarks measure how often
	// a client polls and how long after a job was ready it noticed.
	polls            int        // GET /job-results for this job
	pollsBeforeReady int        // ... answered 404 because it was not done
	firstReadyPollAt *time.Time // when the first poll that found it done was served
}

// jobOutcome is what the job result reports: an upload or track snapshot
// taken when the job completed, or an error document.
type jobOutcome struct {
	status int
	upload *Upload
	track  *Track
	err    *apiError
}

func uploadOutcome(status int, rec *uploadRecord) jobOutcome {
	u := rec.clone()
	return jobOutcome{status: status, upload: &u}
}

func trackOutcome(status int, t *Track) jobOutcome {
	c := t.clone()
	return jobOutcome{status: status, track: &c}
}

func errorOutcome(e *apiError) jobOutcome { return jobOutcome{status: e.status, err: e} }

// startJobLocked registers a job for the request c, shaped by the job
// delay and the request's job fault rules, and returns the 202 document.
// Validation is done by the caller, synchronously.
func (s *Server) startJobLocked(c *call, apply func(time.Time) jobOutcome, abandon func()) (int, any, error) {
	now := s.now()
	j := &job{
		id:        newJobID(),
		seq:       s.seq.Add(1),
		env:       c.env,
		method:    c.r.Method,
		path:      c.r.URL.Path,
		createdAt: now,
		plan:      s.faults.jobPlan(c.jobRules),
		apply:     apply,
		abandon:   abandon,
	}
	j.readyAt = now.Add(j.plan.delay)
	c.env.jobs[j.id] = j
	s.jobStats = append(s.jobStats, j)
	if !j.plan.hang { // a hung job stays pending forever and keeps what it reserved
		s.pending = append(s.pending, j)
	}
	return http.StatusAccepted, map[string]any{"data": map[string]any{"type": "job", "id": j.id}}, nil
}

// settleJobsLocked completes every pending job due at now, in the order they
// became due, so two queued updates of one upload apply in order.
func (s *Server) settleJobsLocked(now time.Time) {
	var due []*job
	s.pending = slices.DeleteFunc(s.pending, func(j *job) bool {
		if j.readyAt.After(now) {
			return false
		}
		due = append(due, j)
		return true
	})
	slices.SortFunc(due, func(a, b *job) int {
		return cmp.Or(a.readyAt.Compare(b.readyAt), cmp.Compare(a.seq, b.seq))
	})
	for _, j := range due {
		s.completeLocked(j)
	}
}

func (s *Server) completeLocked(j *job) {
	switch {
	case j.plan.fail != nil && !j.plan.failAfterApply:
		if j.abandon != nil {
			j.abandon()
		}
		j.outcome = errorOutcome(j.plan.fail)
	case j.plan.fail != nil:
		j.apply(j.readyAt)
		j.outcome = errorOutcome(j.plan.fail)
	default:
		j.outcome = j.apply(j.readyAt)
	}
	j.done, j.apply, j.abandon = true, nil, nil
}

// handleJobResult is GET /job-results/:id: 404 NOT_FOUND while the job runs
// (or when the id is unknown in this environment), then 200 with the inner
// status and payload, even when the job failed (API §3.1).
func handleJobResult(c *call) (int, any, error) {
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	j := c.env.jobs[c.params[0]]
	if j == nil {
		return 0, nil, errNotFound()
	}
	j.polls++
	if !j.done {
		j.pollsBeforeReady++
		return 0, nil, errNotFound()
	}
	if j.firstReadyPollAt == nil {
		now := s.now()
		j.firstReadyPollAt = &now
	}
	var payload any
	switch {
	case j.outcome.err != nil:
		payload = j.outcome.err.document()
	case j.outcome.track != nil:
		payload = map[string]any{"data": renderTrack(*j.outcome.track)}
	default:
		payload = map[string]any{"data": s.renderUpload(*j.outcome.upload, c.env, c.base())}
	}
	return http.StatusOK, map[string]any{"data": map[string]any{
		"type": "job_result",
		"id":   j.id,
		"attributes": map[string]any{
			"status":     j.outcome.status,
			"statusText": http.StatusText(j.outcome.status),
			"payload":    payload,
		},
	}}, nil
}
