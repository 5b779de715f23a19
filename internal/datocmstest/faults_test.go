package datocmstest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a second passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lastRequest returns the newest request log entry.
func lastRequest(t *testing.T, s *Server) Request {
	t.Helper()
	reqs := s.Requests()
	if len(reqs) == 0 {
		t.Fatal("request log is empty")
	}
	return reqs[len(reqs)-1]
}

// rawExchange sends a raw HTTP/1.1 request and returns every byte the
// server sent until it closed the connection.
func rawExchange(t *testing.T, s *Server, req string) []byte {
	t.Helper()
	u, _ := url.Parse(s.URL())
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(conn)
	if err != nil && !strings.Contains(err.Error(), "reset") {
		t.Fatal(err)
	}
	return got
}

const rawGetSite = "GET /site HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nX-Api-Version: 3\r\n\r\n"

func collectionCount(t *testing.T, c *client) int {
	t.Helper()
	r := c.do("GET", "/upload-collections", nil)
	r.want(t, 200)
	return len(dig(r.doc, "data").([]any))
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	t.Run("json error, nothing applied", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithFaultRules(FaultRule{Method: "POST", Path: "/upload-collections", Action: "status",
			Status: 503, Details: map[string]any{"why": "maintenance"}, Transient: true, Times: 1}))
		r := c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "x"}))
		r.wantError(t, 503, "SERVICE_UNAVAILABLE")
		if r.errDetail("why") != "maintenance" || dig(r.doc, "data", "0", "attributes", "transient") != true || r.header.Get("X-Api-Version") != "3" {
			t.Errorf("fault answer %s %v", r.raw, r.header)
		}
		if n := collectionCount(t, c); n != 0 {
			t.Errorf("a status fault applied the write: %d collections", n)
		}
		if e := s.Requests()[0]; e.Fault != "status" || e.Status != 503 {
			t.Errorf("log entry %+v", e)
		}
		c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "x"})).want(t, 201) // times: 1
	})
	t.Run("default codes and an explicit one", func(t *testing.T) {
		t.Parallel()
		for status, code := range map[int]string{429: "RATE_LIMIT_EXCEEDED", 500: "EXCEPTION", 502: "SERVICE_UNAVAILABLE", 401: "INVALID_AUTHORIZATION_HEADER", 418: "INVALID_REQUEST"} {
			_, c := newTestServer(t, WithFaultRules(FaultRule{Action: "status", Status: status}))
			r := c.do("GET", "/site", nil)
			r.wantError(t, status, code)
			if _, ok := r.header["X-Ratelimit-Reset"]; ok {
				t.Errorf("%d: X-RateLimit-Reset without rate_limit_reset", status)
			}
		}
		_, c := newTestServer(t, WithFaultRules(FaultRule{Action: "status", Status: 422, Code: "MAINTENANCE_MODE"}))
		c.do("GET", "/site", nil).wantError(t, 422, "MAINTENANCE_MODE")
	})
	t.Run("html with a reset header", func(t *testing.T) {
		t.Parallel()
		_, c := newTestServer(t, WithFaultRules(FaultRule{Action: "status", Status: 429, HTML: true, RateLimitReset: 2}))
		r := c.do("POST", "/upload-requests", nil)
		if r.status != 429 || r.header.Get("Content-Type") != "text/html" || string(r.raw) != "<html>Too Many Requests</html>" || r.header.Get("X-RateLimit-Reset") != "2" {
			t.Errorf("got %d %v %q", r.status, r.header, r.raw)
		}
	})
	t.Run("json answers count against the rate limit, html ones do not", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithRateLimit(5), withClock(newFakeClock().now),
			WithFaultRules(FaultRule{Action: "status", Status: 500, Times: 1}))
		r := c.do("GET", "/site", nil)
		r.wantError(t, 500, "EXCEPTION")
		if r.header.Get("X-RateLimit-Remaining") != "4" {
			t.Errorf("fault answer remaining = %q", r.header.Get("X-RateLimit-Remaining"))
		}
		if err := s.SetFaultRules(FaultRule{Action: "status", Status: 502, HTML: true, Times: 1}); err != nil {
			t.Fatal(err)
		}
		c.do("GET", "/site", nil).want(t, 502)
		if r := c.do("GET", "/site", nil); r.header.Get("X-RateLimit-Remaining") != "3" {
			t.Errorf("remaining after an html fault = %q, want 3", r.header.Get("X-RateLimit-Remaining"))
		}
	})
	t.Run("storage answers like S3", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		path, u, h := c.uploadRequest("a.txt")
		if err := s.SetFaultRules(
			FaultRule{Kind: "storage", Action: "status", Status: 503, Times: 1},
			FaultRule{Path: "/storage/", Action: "status", Status: 500, Code: "Custom", Times: 1},
		); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"SlowDown", "Custom"} {
			r := c.storagePut(u, h, []byte("abc"))
			if r.status < 500 || r.header.Get("Content-Type") != "application/xml" || !strings.Contains(string(r.raw), "<Code>"+want+"</Code>") {
				t.Errorf("got %d %q, want code %s", r.status, r.raw, want)
			}
		}
		c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil)).wantError(t, 422, "INVALID_FIELD", "path") // nothing stored
		c.storagePut(u, h, []byte("abc")).want(t, 200)
	})
}

func TestFaultReset(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithFaultRules(FaultRule{Method: "POST", Path: "/upload-collections", Action: "reset", Times: 1}))
	if r, err := c.try(c.request("POST", "/upload-collections", collectionBody(map[string]any{"label": "x"}))); err == nil {
		t.Fatalf("reset fault answered %d %s", r.status, r.raw)
	}
	if n := collectionCount(t, c); n != 0 {
		t.Errorf("reset applied the write: %d collections", n)
	}
	if e := s.Requests()[0]; e.Fault != "reset" || e.Status != 0 {
		t.Errorf("log entry %+v", e)
	}
	// On the wire: a few bytes of a status line, then the end.
	path, u, h := c.uploadRequest("a.txt")
	if err := s.SetFaultRules(FaultRule{Action: "reset"}); err != nil {
		t.Fatal(err)
	}
	if got := rawExchange(t, s, rawGetSite); string(got) != "HTTP/1.1 5" {
		t.Errorf("raw answer %q", got)
	}
	// A storage PUT is cut before its body is read: nothing stored.
	if err := s.SetFaultRules(FaultRule{Kind: "storage", Action: "reset"}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "PUT", u, bytes.NewReader(bytes.Repeat([]byte("x"), 1<<20)))
	req.Header.Set("x-datocms-storage-acl", h["x-datocms-storage-acl"].(string))
	if _, err := c.try(req); err == nil {
		t.Fatal("storage reset answered")
	}
	s.ClearFaultRules()
	c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil)).wantError(t, 422, "INVALID_FIELD", "path")
}

func TestFaultDropResponse(t *testing.T) {
	t.Parallel()
	t.Run("create is applied", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithFaultRules(FaultRule{Method: "POST", Path: "/uploads", Action: "drop_response", Times: 1}))
		path := c.putFile("a.txt", []byte("abc"))
		id := newEntityID()
		if r, err := c.try(c.request("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil))); err == nil {
			t.Fatalf("drop_response answered %d %s", r.status, r.raw)
		}
		if _, ok := s.Upload("", id); !ok {
			t.Fatal("the dropped create made no upload")
		}
		// Logged before the connection was closed.
		if e := lastRequest(t, s); e.Fault != "drop_response" || e.Status != 202 || e.Path != "/uploads" {
			t.Errorf("log entry %+v", e)
		}
		// A retry with the same id finds it taken: the client must look before it retries.
		c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil)).wantError(t, 422, "INVALID_FIELD", "id", "VALIDATION_UNIQUENESS")
	})
	t.Run("storage bytes are stored", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithFaultRules(FaultRule{Kind: "storage", Action: "drop_response"}))
		path, u, h := c.uploadRequest("a.txt")
		if _, err := c.try(storagePutRequest(t, u, h, []byte("stored"))); err == nil {
			t.Fatal("drop_response answered")
		}
		id := c.createFromPath(path)["id"].(string)
		if b, _ := s.FileBytes("", id); string(b) != "stored" {
			t.Errorf("bytes %q", b)
		}
	})
}

func storagePutRequest(t *testing.T, u string, headers map[string]any, content []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "PUT", u, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v.(string))
	}
	return req
}

func TestFaultTruncate(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithFaultRules(FaultRule{Path: "/site", Action: "truncate"}))
	raw := rawExchange(t, s, rawGetSite)
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("no complete head: %q", raw)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...))), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	size, _ := strconv.Atoi(resp.Header.Get("Content-Length"))
	if resp.StatusCode != 200 || size < 10 || len(body) != size/2 {
		t.Errorf("status %d, Content-Length %d, %d body bytes sent", resp.StatusCode, size, len(body))
	}
	if _, err := c.try(c.request("GET", "/site", nil)); err == nil {
		t.Error("a client read a truncated body without error")
	}

	// A write is applied although its answer is cut.
	if err := s.SetFaultRules(FaultRule{Method: "POST", Action: "truncate"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.try(c.request("POST", "/upload-collections", collectionBody(map[string]any{"label": "x"}))); err == nil {
		t.Error("truncated create answered in full")
	}
	if n := collectionCount(t, c); n != 1 {
		t.Errorf("truncated create: %d collections, want 1", n)
	}
	// A storage PUT answers with no body: half of its head is sent.
	s.ClearFaultRules()
	path, u, h := c.uploadRequest("b.txt")
	if err := s.SetFaultRules(FaultRule{Kind: "storage", Action: "truncate"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.try(storagePutRequest(t, u, h, []byte("abc"))); err == nil {
		t.Error("truncated storage PUT answered")
	}
	s.ClearFaultRules()
	c.createFromPath(path) // the bytes were stored
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	const d = 60 * time.Millisecond
	s, c := newTestServer(t, WithFaultRules(
		FaultRule{Path: "/site", Action: "delay", MS: int(d / time.Millisecond)},
		FaultRule{Kind: "storage", Action: "delay", MS: int(d / time.Millisecond)},
		FaultRule{Path: "/site", Method: "POST", Action: "status", Status: 500},
	))
	start := time.Now()
	c.do("GET", "/site", nil).want(t, 200)
	if el := time.Since(start); el < d {
		t.Errorf("CMA delay: %v", el)
	}
	_, u, h := c.uploadRequest("a.txt")
	start = time.Now()
	c.storagePut(u, h, []byte("x")).want(t, 200)
	if el := time.Since(start); el < d {
		t.Errorf("storage delay: %v", el)
	}
	// A delay does not stop a terminal rule from firing too.
	start = time.Now()
	c.do("POST", "/site", nil).wantError(t, 500, "EXCEPTION")
	if el := time.Since(start); el < d {
		t.Errorf("delay + status: %v", el)
	}
	if st := s.FaultRules(); st[0].Fired != 2 || st[1].Fired != 1 || st[2].Fired != 1 {
		t.Errorf("fired %d %d %d", st[0].Fired, st[1].Fired, st[2].Fired)
	}
}

func TestFaultStall(t *testing.T) {
	t.Parallel()
	t.Run("until the client gives up", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithFaultRules(FaultRule{Path: "/site", Action: "stall", Times: 1}))
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		if _, err := c.try(c.request("GET", "/site", nil).WithContext(ctx)); err == nil {
			t.Fatal("a stalled request was answered")
		}
		waitFor(t, "the stalled request to end", func() bool { return s.Requests()[0].Fault == "stall" })
		c.do("GET", "/site", nil).want(t, 200)
	})
	t.Run("until the server closes", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithFaultRules(FaultRule{Action: "stall"}))
		req := c.request("GET", "/site", nil)
		done := make(chan error, 1)
		go func() {
			_, err := c.sendOn(freshConn, req)
			done <- err
		}()
		waitFor(t, "the request to arrive", func() bool { return len(s.Requests()) == 1 })
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err == nil {
				t.Error("a stalled request was answered")
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Close did not end the stalled request")
		}
	})
}

func TestFaultJobRules(t *testing.T) {
	t.Parallel()
	t.Run("job_fail, not applied", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithFaultRules(FaultRule{Method: "POST", Path: "/uploads", Action: "job_fail",
			Status: 500, Code: "MUX_ERROR", Transient: true, Times: 1}))
		path := c.putFile("a.txt", []byte("a"))
		for range 3 { // requests that start no job do not use the rule up
			c.do("GET", "/uploads", nil).want(t, 200)
		}
		id := newEntityID()
		res := c.waitJob(c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil)))
		status, payload := jobPayload(res)
		if status != 500 || dig(payload, "data", "0", "attributes", "code") != "MUX_ERROR" || dig(payload, "data", "0", "attributes", "transient") != true {
			t.Fatalf("job result %s", res.raw)
		}
		if _, ok := s.Upload("", id); ok {
			t.Error("failed job created the upload")
		}
		c.create(map[string]any{"path": path}) // times: 1
	})
	t.Run("job_fail with apply", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithFaultRules(FaultRule{Action: "job_fail", Apply: true}))
		id := newEntityID()
		res := c.waitJob(c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": c.putFile("a.txt", []byte("a"))}, nil)))
		if status, payload := jobPayload(res); status != 422 || dig(payload, "data", "0", "attributes", "code") != "INVALID_FIELD" {
			t.Fatalf("job result %s", res.raw)
		}
		if _, ok := s.Upload("", id); !ok {
			t.Error("job_fail with apply did not create the upload")
		}
	})
	t.Run("job_delay adds up, job_hang wins", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock()
		s, c := newTestServer(t, withClock(clk.now), WithJobDelay(time.Second), WithFaultRules(
			FaultRule{Action: "job_delay", MS: 2000},
			FaultRule{Method: "POST", Action: "job_delay", MS: 3000},
			FaultRule{Method: "PUT", Action: "job_hang"},
			FaultRule{Method: "PUT", Action: "job_fail"},
		))
		r := c.do("POST", "/uploads", uploadBody("", map[string]any{"path": c.putFile("a.txt", []byte("a"))}, nil))
		r.want(t, 202)
		jobID := dig(r.doc, "data", "id").(string)
		clk.advance(5999 * time.Millisecond)
		c.do("GET", "/job-results/"+jobID, nil).wantError(t, 404, "NOT_FOUND")
		clk.advance(time.Millisecond)
		res := c.do("GET", "/job-results/"+jobID, nil)
		res.want(t, 200)
		id := dig(res.doc, "data", "attributes", "payload", "data", "id").(string)
		put := c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"notes": "n"}, nil))
		clk.advance(time.Hour)
		c.do("GET", "/job-results/"+dig(put.doc, "data", "id").(string), nil).wantError(t, 404, "NOT_FOUND")
		if st := s.FaultRules(); st[0].Fired != 1 || st[1].Fired != 1 || st[2].Fired != 1 || st[3].Fired != 0 {
			t.Errorf("fired %d %d %d %d", st[0].Fired, st[1].Fired, st[2].Fired, st[3].Fired)
		}
	})
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithFaultRules(
		FaultRule{Method: "DELETE", Path: "/uploads", Action: "status", Status: 503},
		FaultRule{Method: "get, put", Path: "/upload-collections/", Action: "status", Status: 500, Times: 2},
		FaultRule{Kind: "asset", Action: "status", Status: 404},
		FaultRule{Path: "/site", Action: "status", Status: 502},
		FaultRule{Path: "/site", Action: "status", Status: 504},
	))
	c.do("DELETE", "/uploads/abc", nil).wantError(t, 503, "SERVICE_UNAVAILABLE") // prefix
	c.do("GET", "/uploads/abc", nil).wantError(t, 404, "NOT_FOUND")              // other method
	c.do("GET", "/upload-collections", nil).want(t, 200)                         // "/upload-collections/" is not a prefix of it
	c.do("GET", "/upload-collections/x", nil).wantError(t, 500, "EXCEPTION")
	c.do("PUT", "/upload-collections/x", collectionBody(nil)).wantError(t, 500, "EXCEPTION")
	c.do("GET", "/upload-collections/x", nil).wantError(t, 404, "NOT_FOUND") // times: 2 used up
	c.do("GET", "/site", nil).wantError(t, 502, "SERVICE_UNAVAILABLE")       // the first terminal rule wins
	up := c.createUpload("a.txt", []byte("a"), nil)
	if r := get(c, dig(up, "attributes", "url").(string)); r.status != 404 || !strings.Contains(string(r.raw), "NoSuchKey") {
		t.Errorf("asset fault: %d %s", r.status, r.raw)
	}
	st := s.FaultRules()
	if st[0].Remaining != nil || st[1].Remaining == nil || *st[1].Remaining != 0 || st[1].Method != "GET,PUT" || st[3].Fired != 1 || st[4].Fired != 0 {
		t.Errorf("rule states %+v", st)
	}
}

// firePattern sends n requests and returns which ones the rule hit.
func firePattern(t *testing.T, c *client, n int) string {
	t.Helper()
	var b strings.Builder
	for range n {
		switch c.do("GET", "/site", nil).status {
		case 503:
			b.WriteByte('x')
		case 200:
			b.WriteByte('.')
		default:
			t.Fatal("unexpected status")
		}
	}
	return b.String()
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	t.Parallel()
	rule := FaultRule{Path: "/site", Action: "status", Status: 503, Probability: 0.5}
	s1, c1 := newTestServer(t, WithFaultSeed(7), WithFaultRules(rule))
	_, c2 := newTestServer(t, WithFaultSeed(7), WithFaultRules(rule))
	_, c3 := newTestServer(t, WithFaultSeed(8), WithFaultRules(rule))
	p1, p2, p3 := firePattern(t, c1, 40), firePattern(t, c2, 40), firePattern(t, c3, 40)
	hits := strings.Count(p1, "x")
	if p1 != p2 || p1 == p3 || hits < 8 || hits > 32 {
		t.Errorf("seed 7: %s\nseed 7: %s\nseed 8: %s", p1, p2, p3)
	}
	if st := s1.FaultRules(); st[0].Fired != hits || st[0].Probability != 0.5 {
		t.Errorf("fired %d, want %d", st[0].Fired, hits)
	}
	// PUT with a seed starts the same sequence again.
	r := adminDo(t, s1, "PUT", "/_local/faults", map[string]any{"seed": 7, "rules": []any{map[string]any{"path": "/site", "action": "status", "status": 503, "probability": 0.5}}})
	r.want(t, 200)
	if dig(r.doc, "seed") != 7.0 {
		t.Errorf("seed after PUT: %s", r.raw)
	}
	if again := firePattern(t, c1, 40); again != p1 {
		t.Errorf("reseeded: %s, want %s", again, p1)
	}
}

func TestFaultRuleValidation(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t)
	tests := []struct {
		rule any
		want string
	}{
		{map[string]any{"action": "explode"}, `rules[0].action: unknown action "explode"`},
		{map[string]any{"action": "status"}, "rules[0].status: required"},
		{map[string]any{"action": "status", "status": 200}, "rules[0].status"},
		{map[string]any{"action": "delay"}, "rules[0].ms: required"},
		{map[string]any{"action": "status", "status": 500, "ms": 5}, `rules[0].ms: not used by action "status"`},
		{map[string]any{"action": "reset", "probability": 1.5}, "rules[0].probability"},
		{map[string]any{"action": "reset", "probability": 0}, "rules[0]: probability: must be greater than 0"},
		{map[string]any{"action": "reset", "times": -1}, "rules[0].times"},
		{map[string]any{"action": "reset", "method": "G3T"}, "rules[0].method"},
		{map[string]any{"action": "reset", "path": "uploads"}, "rules[0].path"},
		{map[string]any{"action": "reset", "kind": "cdn"}, "rules[0].kind"},
		{map[string]any{"action": "reset", "chance": 0.5}, `unknown field "chance"`},
		{map[string]any{"action": "job_fail", "status": 302}, "rules[0].status"},
		{map[string]any{"action": "reset", "html": true}, `rules[0].html: not used by action "reset"`},
	}
	for _, tt := range tests {
		r := adminDo(t, s, "PUT", "/_local/faults", map[string]any{"rules": []any{tt.rule}})
		if msg, _ := dig(r.doc, "error").(string); r.status != 400 || !strings.Contains(msg, tt.want) {
			t.Errorf("%v: %d %s, want 400 mentioning %q", tt.rule, r.status, r.raw, tt.want)
		}
	}
	adminDo(t, s, "PUT", "/_local/faults", map[string]any{}).want(t, 400)
	if len(s.FaultRules()) != 0 {
		t.Error("an invalid PUT changed the rules")
	}
	if err := s.SetFaultRules(FaultRule{Action: "reset"}, FaultRule{Action: "delay"}); err == nil || !strings.Contains(err.Error(), "rules[1].ms") {
		t.Errorf("SetFaultRules: %v", err)
	}
	if _, err := New(WithFaultRules(FaultRule{Action: "nope"})); err == nil || !strings.Contains(err.Error(), "rules[0].action") {
		t.Errorf("New: %v", err)
	}
}

func TestAdminFaults(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithToken("secret"), WithRateLimit(1), WithFaultSeed(42))
	c.token = "secret"
	s.RateLimitNext(3, true)
	r := adminDo(t, s, "PUT", "/_local/faults", map[string]any{"rules": []any{
		map[string]any{"method": "post", "path": "/uploads", "action": "drop_response", "times": 1},
		map[string]any{"action": "delay", "ms": 1, "probability": 0.25},
	}})
	r.want(t, 200)
	rules := dig(r.doc, "rules").([]any)
	if len(rules) != 2 || dig(r.doc, "seed") != 42.0 || dig(rules, "0", "method") != "POST" || dig(rules, "0", "remaining") != 1.0 ||
		dig(rules, "1", "remaining") != nil || dig(rules, "1", "probability") != 0.25 || dig(rules, "0", "fired") != 0.0 {
		t.Errorf("PUT answer %s", r.raw)
	}
	c.do("GET", "/site", nil).want(t, 200) // the PUT replaced the knob's rule too
	got := adminDo(t, s, "GET", "/_local/faults", nil)
	if fmt.Sprint(dig(got.doc, "rules", "1", "fired")) == "<nil>" || len(dig(got.doc, "rules").([]any)) != 2 {
		t.Errorf("GET %s", got.raw)
	}
	// What GET shows decodes back into FaultRuleState.
	var doc struct {
		Rules []FaultRuleState `json:"rules"`
	}
	if err := json.Unmarshal(got.raw, &doc); err != nil || len(doc.Rules) != 2 || doc.Rules[0].Remaining == nil ||
		*doc.Rules[0].Remaining != 1 || doc.Rules[0].Action != "drop_response" || doc.Rules[1].Remaining != nil || doc.Rules[1].Probability != 0.25 {
		t.Errorf("decoded %+v, %v", doc.Rules, err)
	}
	adminDo(t, s, "DELETE", "/_local/faults", nil).want(t, 200)
	if len(s.FaultRules()) != 0 {
		t.Error("DELETE left rules")
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests logged, want only the CMA one", n)
	}
}
