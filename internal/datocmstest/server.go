// Package datocmstest is a local stand-in for the DatoCMS Content Management
// API, limited to what an uploads client needs: upload requests with signed
// storage URLs served by the server itself, uploads with async jobs, upload
// collections and tags, environments, records that reference uploads,
// antivirus scans, video (Mux) data and upload tracks, per-environment
// stores, the real error document and rate limit. Uploaded
// files live on disk and are always streamed, never held whole in memory.
//
// Tests control it through Go (options, fault rules, out-of-band edits,
// the request log); people and scripts through the same controls under
// /_local/, documented with the launcher cmd/datocms-local in README.md.
//
// It imports only the standard library and shares no code with the client it
// tests, so a bug on one side cannot hide the same bug on the other.
package datocmstest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is the local DatoCMS API. It implements http.Handler; New does not
// listen, NewServer does.
type Server struct {
	cfg         config
	secret      []byte // signs storage URLs
	dataDir     string
	ownsDataDir bool
	now         func() time.Time // UTC; full precision keeps creation order exact, the wire shows milliseconds
	started     time.Time        // when New ran: the creation time of every environment
	seq         atomic.Int64     // makes storage paths and job order unique
	limiter     rateLimiter
	faults      faults
	log         requestLog
	baseURL     atomic.Pointer[string]
	httpServer  *httptest.Server // set by NewServer
	stop        chan struct{}    // closed by Close: stalled requests and delays end
	removals    sync.WaitGroup   // files of released blobs being removed

	// mu guards everything below and the contents of each envStore and blob.
	mu        sync.Mutex
	envs      map[string]*envStore // fixed after New
	objects   map[string]*storageObject
	pending   []*job      // jobs that will complete (hung jobs are not here)
	later     []*deferred // changes due later: scan verdicts, Mux results, track states
	jobStats  []*job      // every job since the last DELETE /_local/jobs, in creation order
	behaviour Behaviour
	files     downloadFiles // files to download (/_local/files/), their own lock
	closeOnce sync.Once
	closeErr  error
}

// New builds a server that is not listening. Use it as an http.Handler and
// call SetBaseURL with the address it is served at.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		secret:  randomBytes(32),
		now:     func() time.Time { return time.Now().UTC() },
		envs:    map[string]*envStore{},
		objects: map[string]*storageObject{},
		stop:    make(chan struct{}),
	}
	if cfg.now != nil {
		s.now = cfg.now
	}
	s.started = s.now()
	s.behaviour = cfg.behaviour
	s.limiter.limit = cfg.rateLimit
	s.faults.latency, s.faults.jobDelay = cfg.latency, cfg.jobDelay
	seed := cfg.faultSeed
	if seed == 0 {
		seed = randomSeed()
	}
	s.faults.reseed(seed)
	for _, r := range cfg.faultRules {
		s.faults.rules = append(s.faults.rules, newActiveRule(r, ""))
	}
	for _, name := range cfg.environments {
		s.envs[name] = newEnvStore(name, cfg.nonLocalized[name])
	}
	if cfg.dataDir != "" {
		if err := os.MkdirAll(cfg.dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("datocmstest: data dir: %w", err)
		}
		s.dataDir = cfg.dataDir
	} else {
		dir, err := os.MkdirTemp("", "datocmstest-*")
		if err != nil {
			return nil, fmt.Errorf("datocmstest: data dir: %w", err)
		}
		s.dataDir, s.ownsDataDir = dir, true
	}
	return s, nil
}

// NewServer starts the server on 127.0.0.1 for a test, sets its base URL and
// stops it (removing its files) when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("datocmstest.NewServer: %v", err)
	}
	s.httpServer = httptest.NewServer(s)
	s.SetBaseURL(s.httpServer.URL)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("datocmstest: close: %v", err)
		}
	})
	return s
}

// SetBaseURL sets the absolute URL that storage URLs and upload urls start
// with, e.g. http://127.0.0.1:8787.
func (s *Server) SetBaseURL(u string) {
	u = strings.TrimRight(u, "/")
	s.baseURL.Store(&u)
}

// URL returns the base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
func (s *Server) URL() string {
	if p := s.baseURL.Load(); p != nil {
		return *p
	}
	return ""
}

// baseFor is the base URL for links in a response to r: the configured one,
// or else the host the client used.
func (s *Server) baseFor(r *http.Request) string {
	if u := s.URL(); u != "" {
		return u
	}
	return "http://" + r.Host
}

// Close ends stalled and delayed requests, stops the test listener (if
// NewServer started one) and removes the data directory if New created it.
// It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		if s.httpServer != nil {
			s.httpServer.Close()
		}
		s.removals.Wait()
		if s.ownsDataDir {
			s.closeErr = os.RemoveAll(s.dataDir)
		}
	})
	return s.closeErr
}

// ServeHTTP serves the admin API under /_local/ (no token, no rate limit,
// not logged), storage PUTs under /storage/, asset GETs under /assets/ and
// CMA calls. Everything but the admin API goes through the fault rules and
// into the request log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isAdminPath(r.URL.Path) {
		s.serveAdmin(w, r)
		return
	}
	kind := requestKind(r.URL.Path)
	body := &countingBody{ReadCloser: r.Body}
	r.Body = body
	entry := newLogEntry(kind, r, s.now())
	var c *call
	if kind == KindCMA {
		c = s.newCall(r)
		entry.Environment, entry.Body = c.envName, c.body
	}
	s.log.begin(entry)
	plan := s.faults.plan(r.Method, r.URL.Path, kind)
	var fault string
	if plan.terminal != nil {
		fault = plan.terminal.Action
	}
	report := func(status int) { s.log.finish(entry, status, body.n.Load(), fault) }
	report(0)
	s.respond(w, r, kind, c, plan, report)
}

func requestKind(path string) string {
	switch {
	case strings.HasPrefix(path, "/storage/"):
		return KindStorage
	case strings.HasPrefix(path, "/assets/"):
		return KindAsset
	default:
		return KindCMA
	}
}
