package datocms

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// jobResultDocument is the wire shape of GET /job-results/:id once the job is done (API §3.1).
type jobResultDocument struct {
	Data struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Attributes struct {
			Status  int             `json:"status"`
			Payload json.RawMessage `json:"payload"`
		} `json:"attributes"`
	} `json:"data"`
}

// waitJob polls the result of job id, started by cl and accepted at accepted, until it is
// done or ctx ends. GET /job-results answers 404 while the job runs (API §3.1); the official
// client polls every n seconds with no bound (API §3.2). Job polls are requests like any
// other (they count against the rate limit), so the pacer spends them where they pay: the
// first poll when jobs of this kind are typically done, then fine polls until the job is
// done, slower ones once it runs far longer than usual. ctx bounds the wait, so a job that
// never finishes cannot hang an apply. A finished job returns the payload the synchronous
// call would have returned; a failed one becomes an *APIError carrying the inner status and
// the payload's error codes.
func (c *Client) waitJob(ctx context.Context, id string, cl call, accepted time.Time) (json.RawMessage, error) {
	poll := call{method: http.MethodGet, path: "/job-results/" + url.PathEscape(id)}
	w := c.pacer.start(jobKind(cl), accepted)
	defer w.stop()
	for {
		if err := sleep(ctx, time.Until(w.next)); err != nil {
			return nil, fmt.Errorf("waiting for DatoCMS job %s: %w", id, err)
		}
		w.polling()
		res, err := c.send(ctx, poll)
		switch {
		case err == nil:
			w.done()
			return jobOutcome(res, id, cl)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("waiting for DatoCMS job %s: %w", id, ctx.Err())
		case !IsNotFound(err):
			return nil, fmt.Errorf("waiting for DatoCMS job %s: %w", id, err)
		}
		w.pending()
	}
}

// jobKind groups jobs whose durations are alike: the method and the first path segment of
// the call that started them (creates, updates and deletes of uploads take different times).
func jobKind(cl call) string {
	segment, _, _ := strings.Cut(strings.TrimPrefix(cl.path, "/"), "/")
	return cl.method + " /" + segment
}

// jobPacer schedules job polls. For each kind of job it learns when a first poll typically
// finds the job done: after a first poll that came too early it takes the time of the poll
// that succeeded; after one that succeeded it tries a little earlier next time, so the
// estimate tracks the real duration from both sides and most jobs need a single poll.
type jobPacer struct {
	fine    time.Duration // interval of fine polls, and the first poll of a kind never seen
	slowest time.Duration // cap of the interval of jobs that run far longer than usual

	mu      sync.Mutex
	typical map[string]time.Duration // per job kind: offset of a first poll that usually succeeds
	fineNow int                      // jobs polling at the fine interval right now
}

const (
	// earlier is how much a successful first poll moves the next first poll forward.
	earlier = 0.97
	// minFineWindow is how long a job of unknown duration is polled at the fine interval.
	minFineWindow = 2 * time.Second
	// slowGrowth multiplies the interval of a job that outlived its fine window.
	slowGrowth = 1.5
)

func newJobPacer(fine, slowest time.Duration) *jobPacer {
	return &jobPacer{fine: fine, slowest: slowest, typical: map[string]time.Duration{}}
}

// jobWait is the poll schedule of one job.
type jobWait struct {
	p          *jobPacer
	kind       string
	accepted   time.Time
	next       time.Time // when to send the next poll
	lastSent   time.Duration
	polls      int
	guessed    bool          // the first poll was scheduled from the learned typical duration
	fineUntil  time.Duration // offset after which polls slow down
	interval   time.Duration // current interval once slowing down
	inFinePool bool
}

func (p *jobPacer) start(kind string, accepted time.Time) *jobWait {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := &jobWait{p: p, kind: kind, accepted: accepted, fineUntil: minFineWindow}
	first, known := p.typical[kind]
	if known {
		w.guessed = true
		w.fineUntil = max(minFineWindow, 3*first)
	} else {
		first = p.fine
	}
	w.next = accepted.Add(first)
	return w
}

// polling records that a poll is being sent now.
func (w *jobWait) polling() {
	w.polls++
	w.lastSent = time.Since(w.accepted)
}

// pending schedules the poll after one that found the job still running. Fine polls share
// one budget of a poll per fine interval across every job waiting at that pace, so many
// slow jobs at once cannot crowd out the rest of the work.
func (w *jobWait) pending() { w.pendingAt(time.Now()) }

func (w *jobWait) pendingAt(now time.Time) {
	p := w.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(w.accepted) < w.fineUntil {
		if !w.inFinePool {
			w.inFinePool = true
			p.fineNow++
		}
		// Counted from when the last poll was sent, not answered: a poll's round trip is
		// part of the interval, so a job is looked at every fine interval, not every
		// interval plus round trip.
		w.next = w.accepted.Add(w.lastSent).Add(p.fine * time.Duration(p.fineNow))
		return
	}
	w.leaveFinePoolLocked()
	if w.interval == 0 {
		w.interval = p.fine
	}
	w.interval = min(time.Duration(float64(w.interval)*slowGrowth), p.slowest)
	w.next = now.Add(w.interval)
}

// done learns from a job that finished at the last poll.
func (w *jobWait) done() {
	p := w.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.polls == 1 && w.guessed {
		// Done at the first poll: the job may have been ready earlier; try a little sooner.
		p.typical[w.kind] = time.Duration(float64(p.typical[w.kind]) * earlier)
		return
	}
	p.typical[w.kind] = w.lastSent
}

func (w *jobWait) stop() {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	w.leaveFinePoolLocked()
}

func (w *jobWait) leaveFinePoolLocked() {
	if w.inFinePool {
		w.inFinePool = false
		w.p.fineNow--
	}
}

// jobOutcome turns a job_result document into the payload of the original call or an error.
func jobOutcome(res *response, id string, cl call) (json.RawMessage, error) {
	var doc jobResultDocument
	if err := json.Unmarshal(res.body, &doc); err != nil || doc.Data.Attributes.Status == 0 {
		return nil, &APIError{
			Status: res.status, Method: cl.method, Path: cl.path, RequestID: res.requestID, JobID: id,
			Body: "unexpected job result: " + snippet(res.body),
		}
	}
	status := doc.Data.Attributes.Status
	if status >= 200 && status <= 299 {
		return doc.Data.Attributes.Payload, nil
	}
	apiErr := &APIError{Status: status, Method: cl.method, Path: cl.path, RequestID: res.requestID, JobID: id}
	apiErr.fillFromBody(doc.Data.Attributes.Payload)
	return nil, apiErr
}
