package datocmstest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Request kinds.
const (
	KindCMA     = "cma"
	KindStorage = "storage"
	KindAsset   = "asset"
)

// Request is one request the server received, for tests to assert on.
type Request struct {
	Time        time.Time
	Kind        string // "cma", "storage" or "asset" (GET of an upload url)
	Method      string
	Path        string // URL path
	Query       url.Values
	Header      http.Header // copy; Authorization value replaced by "Bearer [redacted]" (presence kept)
	Environment string      // resolved env name (primary when header missing); "" for storage/asset
	Body        any         // decoded JSON body for CMA calls (nil if none); nil for storage
	BodySize    int64       // bytes received (storage PUT)
	Status      int         // status answered; for a drop_response fault the one not sent; 0 while being served or after a reset or stall fault
	Fault       string      // the terminal fault action that fired ("status", "reset", ...), "" if none
}

// requestLog records requests in arrival order. Entries are added when a
// request arrives and completed (status, size) when it has been answered.
type requestLog struct {
	mu      sync.Mutex
	entries []*Request
}

// newLogEntry captures what is known when r arrives. The token never
// reaches the log: only the presence of Authorization is kept.
func newLogEntry(kind string, r *http.Request, now time.Time) *Request {
	h := r.Header.Clone()
	if h.Get("Authorization") != "" {
		h.Set("Authorization", "Bearer [redacted]")
	}
	return &Request{Time: now, Kind: kind, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: h}
}

func (l *requestLog) begin(e *Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
}

// finish completes e; it may be called again as more is known.
func (l *requestLog) finish(e *Request, status int, size int64, fault string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.Status, e.BodySize, e.Fault = status, size, fault
}

// Requests returns a copy of the log, in arrival order. A request still being
// served has Status 0. Admin API calls (/_local/) are never logged.
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Request, len(s.log.entries))
	for i, e := range s.log.entries {
		out[i] = *e
		out[i].Query = cloneValues(e.Query)
		out[i].Header = e.Header.Clone()
		out[i].Body = cloneJSON(e.Body)
	}
	return out
}

func cloneValues(v url.Values) url.Values { return url.Values(http.Header(v).Clone()) }

// ResetRequests empties the log (and so the counters derived from it).
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries = nil
}

// CountRequests counts logged requests (CMA, storage and asset) with this
// method ("" = any) whose path starts with pathPrefix.
func (s *Server) CountRequests(method, pathPrefix string) int {
	return s.countLog(func(e *Request) bool {
		return (method == "" || e.Method == method) && strings.HasPrefix(e.Path, pathPrefix)
	})
}

// WriteCount counts CMA POST/PUT/DELETE requests and storage PUTs. Job polls
// are GETs, so they never count.
func (s *Server) WriteCount() int {
	return s.countLog(func(e *Request) bool {
		return (e.Kind == KindCMA && isWrite(e.Method)) || (e.Kind == KindStorage && e.Method == http.MethodPut)
	})
}

func (s *Server) countLog(match func(*Request) bool) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	n := 0
	for _, e := range s.log.entries {
		if match(e) {
			n++
		}
	}
	return n
}

// countingBody counts the request body bytes a handler read.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// statusRecorder reports the status of an answer as its head is written:
// the request log is then complete before the client can have the answer,
// so a test that got its response always finds it logged.
type statusRecorder struct {
	http.ResponseWriter
	report func(status int)
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.report(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
