package datocmstest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// FaultRule makes the server misbehave on purpose for the requests it
// matches. Tests set rules with WithFaultRules or SetFaultRules; people
// rehearsing failures with the launcher set the same rules as JSON through
// PUT /_local/faults (see README.md).
//
// A rule matches a request when Method (one method or a comma-separated
// list; "" = any), Path (a prefix of the URL path: CMA routes such as
// "/uploads", storage PUTs under "/storage/", job polls under
// "/job-results/", asset downloads under "/assets/") and Kind ("cma",
// "storage", "asset"; "" = any) all match. It fires at most Times times (0 =
// no limit), each time with probability Probability (0 = 1), drawn from a
// seeded source (WithFaultSeed) so a chaos run can be repeated.
//
// How rules combine, in list order: every delay rule that fires adds its
// MS; then the first terminal rule (status, reset, drop_response, stall,
// truncate) that fires decides the answer, and later terminal rules are not
// tried. Job rules (job_fail, job_delay, job_hang) are tried only when the
// request starts an async job, so a rule meant for POST /uploads is not used
// up by the polls that follow it: job_hang wins over job_fail, the first
// job_fail that fires decides the failure, and job_delay rules add up. In
// the same way track_error is tried only when a request creates an upload
// track, once it is past validation.
type FaultRule struct {
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	Kind   string `json:"kind,omitempty"`
	// Action is one of:
	//   status         answer Status at once and apply nothing: a JSON error document
	//                  with Code (a default per status), Details and Transient for CMA
	//                  routes, an S3-style XML error for storage and assets, or an HTML
	//                  page when HTML is set; RateLimitReset > 0 adds X-RateLimit-Reset
	//   reset          close the connection after a few bytes of a status line; nothing
	//                  is applied (the request never got past the front door)
	//   drop_response  apply the request fully, then close the connection without
	//                  answering
	//   delay          sleep MS before handling (adds up with other delay rules, and
	//                  does not stop another rule from firing)
	//   stall          never answer; the request ends when the client goes away or the
	//                  server closes
	//   truncate       apply the request, send the head with the full Content-Length
	//                  and only half of the body (half of the head when there is no
	//                  body), then close the connection
	//   job_fail       the job the request starts ends with inner status Status (422 by
	//                  default) and Code; nothing is applied unless Apply is set
	//   job_delay      the job the request starts takes MS longer
	//   job_hang       the job the request starts never finishes (job-results 404)
	//   track_error    the upload track the request creates ends "errored" with error
	//                  Message instead of "ready"
	Action         string         `json:"action"`
	Status         int            `json:"status,omitempty"`
	Code           string         `json:"code,omitempty"`
	Details        map[string]any `json:"details,omitempty"`
	Transient      bool           `json:"transient,omitempty"`
	HTML           bool           `json:"html,omitempty"`
	RateLimitReset int            `json:"rate_limit_reset,omitempty"`
	MS             int            `json:"ms,omitempty"`
	Apply          bool           `json:"apply,omitempty"`
	Message        string         `json:"message,omitempty"`
	Times          int            `json:"times,omitempty"`
	Probability    float64        `json:"probability,omitempty"`
}

// FaultRuleState is a rule as the server holds it, with what is left of it.
// GET /_local/faults shows it as the rule's fields plus remaining and fired.
type FaultRuleState struct {
	FaultRule
	Remaining *int `json:"remaining"` // nil when the rule has no Times limit
	Fired     int  `json:"fired"`     // how often it fired so far
}

// UnmarshalJSON reads a state as GET /_local/faults shows it. Without it the
// strict FaultRule.UnmarshalJSON, promoted from the embedded rule, would
// refuse remaining and fired.
func (st *FaultRuleState) UnmarshalJSON(b []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	var state struct {
		Remaining *int `json:"remaining"`
		Fired     int  `json:"fired"`
	}
	if err := json.Unmarshal(b, &state); err != nil {
		return err
	}
	delete(fields, "remaining")
	delete(fields, "fired")
	rule, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(rule, &st.FaultRule); err != nil {
		return err
	}
	st.Remaining, st.Fired = state.Remaining, state.Fired
	return nil
}

// faultFields lists, per action, the fields a rule may set beyond the
// matching ones (method, path, kind, times, probability). Setting any other
// field is an error, so a typo'd rule fails loudly instead of half-working.
var faultFields = map[string][]string{
	"status":        {"status", "code", "details", "transient", "html", "rate_limit_reset"},
	"reset":         nil,
	"drop_response": nil,
	"delay":         {"ms"},
	"stall":         nil,
	"truncate":      nil,
	"job_fail":      {"status", "code", "details", "transient", "apply"},
	"job_delay":     {"ms"},
	"job_hang":      nil,
	"track_error":   {"message"},
}

// isLaterAction reports whether action acts on what a request starts (a job, a
// track) rather than on its answer: such rules are tried only then.
func isLaterAction(action string) bool {
	return strings.HasPrefix(action, "job_") || action == "track_error"
}

var (
	methodRE = regexp.MustCompile(`^[A-Z]+(,[A-Z]+)*$`)
	kinds    = []string{KindCMA, KindStorage, KindAsset}
)

// usedFields names the optional fields r sets.
func (r *FaultRule) usedFields() []string {
	var used []string
	for name, set := range map[string]bool{
		"status": r.Status != 0, "code": r.Code != "", "details": r.Details != nil, "transient": r.Transient,
		"html": r.HTML, "rate_limit_reset": r.RateLimitReset != 0, "ms": r.MS != 0, "apply": r.Apply,
		"message": r.Message != "",
	} {
		if set {
			used = append(used, name)
		}
	}
	slices.Sort(used)
	return used
}

// normalize validates r and fills in its defaults. Errors name the field.
func (r *FaultRule) normalize() error {
	allowed, ok := faultFields[r.Action]
	if !ok {
		return fmt.Errorf("action: unknown action %q (want one of %s)", r.Action, strings.Join(slices.Sorted(maps.Keys(faultFields)), ", "))
	}
	for _, f := range r.usedFields() {
		if !slices.Contains(allowed, f) {
			return fmt.Errorf("%s: not used by action %q", f, r.Action)
		}
	}
	r.Method = strings.ToUpper(strings.ReplaceAll(r.Method, " ", ""))
	switch {
	case r.Method != "" && !methodRE.MatchString(r.Method):
		return fmt.Errorf("method: %q is not a method or a comma-separated list of methods", r.Method)
	case r.Path != "" && !strings.HasPrefix(r.Path, "/"):
		return fmt.Errorf("path: %q must start with /", r.Path)
	case r.Kind != "" && !slices.Contains(kinds, r.Kind):
		return fmt.Errorf("kind: %q is not one of %s", r.Kind, strings.Join(kinds, ", "))
	case r.Times < 0:
		return fmt.Errorf("times: must not be negative (0 = no limit)")
	case r.Probability < 0 || r.Probability > 1:
		return fmt.Errorf("probability: %v is not between 0 and 1", r.Probability)
	case r.RateLimitReset < 0:
		return fmt.Errorf("rate_limit_reset: must not be negative")
	}
	if r.Probability == 0 {
		r.Probability = 1
	}
	switch r.Action {
	case "status":
		if r.Status < 400 || r.Status > 599 {
			return fmt.Errorf("status: required, an error status between 400 and 599")
		}
	case "job_fail":
		if r.Status == 0 {
			r.Status = http.StatusUnprocessableEntity
		}
		if r.Status < 400 || r.Status > 599 {
			return fmt.Errorf("status: %d is not an error status between 400 and 599", r.Status)
		}
	case "delay", "job_delay":
		if r.MS <= 0 {
			return fmt.Errorf("ms: required, a positive number of milliseconds")
		}
	case "track_error":
		if r.Message == "" {
			r.Message = "Mux could not process the track"
		}
	}
	r.Details = cloneObject(r.Details)
	return nil
}

// UnmarshalJSON decodes a rule strictly: unknown fields are errors, and an
// explicit "probability": 0 is refused rather than read as "always".
func (r *FaultRule) UnmarshalJSON(b []byte) error {
	type plain FaultRule
	var aux struct {
		plain
		Probability *float64 `json:"probability"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		return err
	}
	*r = FaultRule(aux.plain)
	if p := aux.Probability; p != nil {
		if *p == 0 {
			return errors.New("probability: must be greater than 0 (leave it out for 1)")
		}
		r.Probability = *p
	}
	return nil
}

// matches reports whether r applies to a request.
func (r *FaultRule) matches(method, path, kind string) bool {
	if (r.Kind != "" && r.Kind != kind) || !strings.HasPrefix(path, r.Path) {
		return false
	}
	return r.Method == "" || slices.Contains(strings.Split(r.Method, ","), method)
}

// apiError is the CMA error a status or job_fail rule answers with.
func (r *FaultRule) apiError() *apiError {
	code := r.Code
	if code == "" {
		code = defaultErrorCode(r.Status)
	}
	e := newAPIError(r.Status, code, cloneObject(r.Details))
	e.transient = r.Transient
	return e
}

// defaultErrorCode is the CMA code a status usually comes with (API §9).
func defaultErrorCode(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "INVALID_AUTHORIZATION_HEADER"
	case status == http.StatusForbidden:
		return "INSUFFICIENT_PERMISSIONS"
	case status == http.StatusNotFound:
		return "NOT_FOUND"
	case status == http.StatusConflict:
		return "CONCURRENT_UPLOAD_UPDATE"
	case status == http.StatusUnprocessableEntity:
		return "INVALID_FIELD"
	case status == http.StatusTooManyRequests:
		return "RATE_LIMIT_EXCEEDED"
	case status == http.StatusInternalServerError:
		return "EXCEPTION"
	case status > 500:
		return "SERVICE_UNAVAILABLE"
	default:
		return "INVALID_REQUEST"
	}
}

// faults holds the fault rules and the knobs tests turn while the server runs.
type faults struct {
	mu                 sync.Mutex
	rules              []*activeRule
	rng                *mrand.Rand
	seed               uint64
	latency            time.Duration
	jobDelay           time.Duration
	deleteRestrictions int
}

type activeRule struct {
	rule      FaultRule
	knob      string // set when a Go knob such as RateLimitNext made the rule; the knob replaces its own rule
	remaining int    // -1 = no limit
	fired     int
}

func newActiveRule(r FaultRule, knob string) *activeRule {
	a := &activeRule{rule: r, knob: knob, remaining: r.Times}
	if r.Times == 0 {
		a.remaining = -1
	}
	return a
}

// randomSeed picks a seed when none was given; the admin API shows it so a
// run can be repeated.
func randomSeed() uint64 { return binary.LittleEndian.Uint64(randomBytes(8)) | 1 }

func (f *faults) reseed(seed uint64) {
	f.seed = seed
	// A seeded, repeatable source is the point here: it picks which requests
	// a fault hits, and protects nothing.
	f.rng = mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) //nolint:gosec // G404: repeatability wanted, not secrecy.
}

// fire consumes one use of r if it fires now. The caller holds f.mu. The
// random source is used only by rules with a probability below 1, so the
// same requests in the same order make the same choices.
func (f *faults) fire(r *activeRule) bool {
	if r.remaining == 0 || (r.rule.Probability < 1 && f.rng.Float64() >= r.rule.Probability) {
		return false
	}
	if r.remaining > 0 {
		r.remaining--
	}
	r.fired++
	return true
}

// faultPlan is what the rules decided for one request.
type faultPlan struct {
	delay    time.Duration
	terminal *FaultRule    // nil = serve normally
	jobRules []*activeRule // job and track rules, tried only if the request starts a job or creates a track
}

// plan matches a request against the rules; see FaultRule for how they combine.
func (f *faults) plan(method, path, kind string) faultPlan {
	f.mu.Lock()
	defer f.mu.Unlock()
	var p faultPlan
	if kind == KindCMA {
		p.delay = f.latency
	}
	for _, r := range f.rules {
		if r.remaining == 0 || !r.rule.matches(method, path, kind) {
			continue
		}
		switch {
		case isLaterAction(r.rule.Action):
			p.jobRules = append(p.jobRules, r)
		case r.rule.Action == "delay":
			if f.fire(r) {
				p.delay += time.Duration(r.rule.MS) * time.Millisecond
			}
		case p.terminal == nil && f.fire(r):
			rule := r.rule
			p.terminal = &rule
		}
	}
	return p
}

// jobPlan is how a new job will behave, decided when it is created.
type jobPlan struct {
	delay          time.Duration
	hang           bool
	fail           *apiError // the job ends with this error
	failAfterApply bool      // ... after applying its change anyway
}

// jobPlan consumes the job rules of the request that starts a job. A job
// that hangs never gets to fail or finish, so hanging wins and then no
// other job rule is used up.
func (f *faults) jobPlan(candidates []*activeRule) jobPlan {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := jobPlan{delay: f.jobDelay}
	for _, r := range candidates {
		if r.rule.Action == "job_hang" && f.fire(r) {
			p.hang = true
			return p
		}
	}
	for _, r := range candidates {
		switch r.rule.Action {
		case "job_fail":
			if p.fail == nil && f.fire(r) {
				p.fail, p.failAfterApply = r.rule.apiError(), r.rule.Apply
			}
		case "job_delay":
			if f.fire(r) {
				p.delay += time.Duration(r.rule.MS) * time.Millisecond
			}
		}
	}
	return p
}

// trackError consumes the first track_error rule of a track create that fires
// and returns its message.
func (f *faults) trackError(candidates []*activeRule) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range candidates {
		if r.rule.Action == "track_error" && f.fire(r) {
			return r.rule.Message, true
		}
	}
	return "", false
}

// normalizeRules validates rules and returns normalized copies. Errors
// name the rule by its index.
func normalizeRules(rules []FaultRule) ([]FaultRule, error) {
	out := make([]FaultRule, len(rules))
	for i, r := range rules {
		if err := r.normalize(); err != nil {
			return nil, fmt.Errorf("rules[%d].%w", i, err)
		}
		out[i] = r
	}
	return out, nil
}

// SetFaultRules replaces every fault rule, including those made by knobs
// such as RateLimitNext. On an invalid rule it changes nothing and returns
// an error naming the rule and the field.
func (s *Server) SetFaultRules(rules ...FaultRule) error {
	norm, err := normalizeRules(rules)
	if err != nil {
		return err
	}
	s.faults.set(func(f *faults) {
		f.rules = nil
		for _, r := range norm {
			f.rules = append(f.rules, newActiveRule(r, ""))
		}
	})
	return nil
}

// ClearFaultRules removes every fault rule.
func (s *Server) ClearFaultRules() { s.faults.set(func(f *faults) { f.rules = nil }) }

// FaultRules lists the rules in the order they are tried, with what is left.
func (s *Server) FaultRules() []FaultRuleState {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := []FaultRuleState{}
	for _, r := range s.faults.rules {
		st := FaultRuleState{FaultRule: r.rule, Fired: r.fired}
		st.Details = cloneObject(r.rule.Details)
		if r.remaining >= 0 {
			n := r.remaining
			st.Remaining = &n
		}
		out = append(out, st)
	}
	return out
}

// knobOrder is the order knob rules are tried in, which is the order the
// checks they stand for run in on the real API's way: a CDN's 502 before the
// rate limit, the rate limit before a refused write.
var knobOrder = []string{"bad_gateway", "rate_limit", "transient_writes", "storage_failures", "hang_jobs", "fail_jobs", "fail_tracks"}

// setKnob replaces the rule a knob made before with r used n times (n <= 0
// removes it). Knob rules go first, in knobOrder, ahead of the rules a test
// or person set.
func (s *Server) setKnob(knob string, n int, r FaultRule) {
	r.Times = n
	if err := r.normalize(); err != nil {
		panic(err) // the knobs build their rules from constants: a bug here
	}
	rank := slices.Index(knobOrder, knob)
	s.faults.set(func(f *faults) {
		f.rules = slices.DeleteFunc(f.rules, func(a *activeRule) bool { return a.knob == knob })
		if n <= 0 {
			return
		}
		at := 0
		for at < len(f.rules) && f.rules[at].knob != "" && slices.Index(knobOrder, f.rules[at].knob) < rank {
			at++
		}
		f.rules = slices.Insert(f.rules, at, newActiveRule(r, knob))
	})
}

// SetJobDelay changes how long jobs created from now on take.
func (s *Server) SetJobDelay(d time.Duration) { s.faults.set(func(f *faults) { f.jobDelay = d }) }

// SetLatency changes the sleep added before every CMA response.
func (s *Server) SetLatency(d time.Duration) { s.faults.set(func(f *faults) { f.latency = d }) }

// The knobs below are shortcuts for common fault rules. Each one replaces
// the rule it set before; n <= 0 removes it.

// FailNextJobs makes the next n jobs end with inner status 422 and an
// INVALID_FIELD error (details {field:"path", code:"INVALID_FORMAT"}). With
// afterApply the change is applied anyway (e.g. the upload exists) although
// the job reports failure.
func (s *Server) FailNextJobs(n int, afterApply bool) {
	s.setKnob("fail_jobs", n, FaultRule{Action: "job_fail", Code: "INVALID_FIELD",
		Details: map[string]any{"field": "path", "code": "INVALID_FORMAT"}, Apply: afterApply})
}

// FailNextTracks makes the next n upload tracks created end "errored" with
// error message ("" = "Mux could not process the track") instead of "ready".
func (s *Server) FailNextTracks(n int, message string) {
	s.setKnob("fail_tracks", n, FaultRule{Action: "track_error", Message: message})
}

// HangNextJobs makes the next n jobs never finish (job-results 404 forever)
// and never apply their change.
func (s *Server) HangNextJobs(n int) { s.setKnob("hang_jobs", n, FaultRule{Action: "job_hang"}) }

// RateLimitNext answers the next n CMA requests with a JSON 429
// RATE_LIMIT_EXCEEDED, with X-RateLimit-Reset: 1 when withResetHeader. They
// count against the rate limit like any request the API answers.
func (s *Server) RateLimitNext(n int, withResetHeader bool) {
	r := FaultRule{Kind: KindCMA, Action: "status", Status: http.StatusTooManyRequests}
	if withResetHeader {
		r.RateLimitReset = 1
	}
	s.setKnob("rate_limit", n, r)
}

// TransientErrorNextWrites answers the next n CMA writes (POST/PUT/DELETE)
// with 409 CONCURRENT_UPLOAD_UPDATE marked transient; nothing is applied.
func (s *Server) TransientErrorNextWrites(n int) {
	s.setKnob("transient_writes", n, FaultRule{Kind: KindCMA, Method: "POST,PUT,DELETE", Action: "status",
		Status: http.StatusConflict, Code: "CONCURRENT_UPLOAD_UPDATE", Transient: true})
}

// FailNextStoragePuts answers the next n storage PUTs with status (500 by
// default, or e.g. 403); nothing is stored.
func (s *Server) FailNextStoragePuts(n int, status int) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	s.setKnob("storage_failures", n, FaultRule{Kind: KindStorage, Method: http.MethodPut, Action: "status", Status: status})
}

// BadGatewayNext answers the next n CMA requests with an HTML 502, as a CDN
// in front of the API would.
func (s *Server) BadGatewayNext(n int) {
	s.setKnob("bad_gateway", n, FaultRule{Kind: KindCMA, Action: "status", Status: http.StatusBadGateway, HTML: true})
}

// DeleteRestrictionNext answers the next n DELETE /uploads/:id of existing
// uploads with 422 DELETE_RESTRICTION, as when records still reference them.
// It is not a fault rule because it depends on the upload existing, which is
// known only once the request is routed.
func (s *Server) DeleteRestrictionNext(n int) {
	s.faults.set(func(f *faults) { f.deleteRestrictions = n })
}

func (f *faults) set(change func(*faults)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

func (f *faults) takeDeleteRestriction() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deleteRestrictions <= 0 {
		return false
	}
	f.deleteRestrictions--
	return true
}

// FaultSeed returns the seed of the random source of fault rules with a
// probability below 1; run again with WithFaultSeed(seed) to repeat a run.
func (s *Server) FaultSeed() uint64 {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.seed
}
