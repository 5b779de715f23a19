package datocmstest

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestTransportChecks(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithToken("secret"), WithEnvironments("main", "sandbox"))
	c.token = "secret"
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		hdr    []string
		status int
		code   string
	}{
		{"missing authorization", "GET", "/site", nil, []string{"Authorization", ""}, 401, "INVALID_AUTHORIZATION_HEADER"},
		{"malformed authorization", "GET", "/site", nil, []string{"Authorization", "Token secret"}, 401, "INVALID_AUTHORIZATION_HEADER"},
		{"empty bearer", "GET", "/site", nil, []string{"Authorization", "Bearer "}, 401, "INVALID_AUTHORIZATION_HEADER"},
		{"wrong token", "GET", "/site", nil, []string{"Authorization", "Bearer nope"}, 401, "INVALID_AUTHORIZATION_HEADER"},
		{"missing api version", "GET", "/site", nil, []string{"X-Api-Version", ""}, 422, "INVALID_API_VERSION"},
		{"wrong api version", "GET", "/site", nil, []string{"X-Api-Version", "2"}, 422, "INVALID_API_VERSION"},
		{"unknown environment", "GET", "/site", nil, []string{"X-Environment", "nope"}, 422, "INVALID_ENVIRONMENT"},
		{"wrong content type", "POST", "/upload-requests", map[string]any{"data": map[string]any{"type": "upload_request"}}, []string{"Content-Type", "text/plain"}, 422, "INVALID_CONTENT_TYPE_HEADER"},
		{"unknown route", "GET", "/nope", nil, nil, 404, "NOT_FOUND"},
		{"unknown nested route", "POST", "/uploads/bulk/tag", map[string]any{}, nil, 404, "NOT_FOUND"},
		{"wrong method", "PATCH", "/uploads", nil, nil, 405, "INVALID_REQUEST"},
		{"wrong method on item", "POST", "/uploads/abc", map[string]any{}, nil, 405, "INVALID_REQUEST"},
		{"unknown upload", "GET", "/uploads/abc", nil, nil, 404, "NOT_FOUND"},
		{"unknown job", "GET", "/job-results/abc", nil, nil, 404, "NOT_FOUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := c.do(tt.method, tt.path, tt.body, tt.hdr...)
			r.wantError(t, tt.status, tt.code)
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cc := r.header.Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("Cache-Control on error = %q", cc)
			}
			entry := dig(r.doc, "data", "0").(map[string]any)
			if entry["type"] != "api_error" || entry["id"] == "" {
				t.Errorf("error entry = %v", entry)
			}
			if _, ok := dig(entry, "attributes", "transient").(bool); ok {
				t.Errorf("transient present on a permanent error")
			}
			if dig(entry, "attributes", "doc_url") != "https://www.datocms.com/docs/content-management-api/errors#"+tt.code {
				t.Errorf("doc_url = %v", dig(entry, "attributes", "doc_url"))
			}
		})
	}
}

func TestBadJSONBody(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	req, _ := http.NewRequestWithContext(t.Context(), "POST", s.URL()+"/uploads", bytes.NewReader([]byte(`{"data":`)))
	req.Header.Set("Authorization", "Bearer x")
	req.Header.Set("X-Api-Version", "3")
	req.Header.Set("Content-Type", "application/json")
	c.send(req).wantError(t, 422, "INVALID_JSON_BODY")
}

func TestResponseHeaders(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithEnvironments("main", "sandbox"), WithRateLimit(60))
	for _, env := range []string{"", "sandbox"} {
		r := c.inEnv(env).do("GET", "/site", nil)
		r.want(t, 200)
		wantEnv := env
		if env == "" {
			wantEnv = "main"
		}
		for name, want := range map[string]string{
			"Content-Type":      "application/json; charset=utf-8",
			"X-Api-Version":     "3",
			"X-Environment":     wantEnv,
			"X-Ratelimit-Limit": "60",
			"Cache-Control":     "max-age=0, private, must-revalidate",
		} {
			if got := r.header.Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		if r.header.Get("X-Request-Id") == "" || r.header.Get("X-Ratelimit-Remaining") == "" {
			t.Errorf("missing X-Request-Id or X-RateLimit-Remaining: %v", r.header)
		}
	}
	if cc := c.do("POST", "/uploads", uploadBody("", map[string]any{"path": c.putFile("a.txt", []byte("a"))}, nil)).header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control on 202 = %q", cc)
	}
}

// TestRateLimit checks the sliding window of API §4.1 with a clock that
// moves only when the test says so: 60 requests pass, the 61st gets a 429
// whose reset is the wait until the oldest request leaves the window, and a
// request after that passes.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	_, c := newTestServer(t, WithRateLimit(60), withClock(clk.now))
	_, url, headers := c.uploadRequest("a.txt") // request 1, at 0 s
	for i := 2; i <= 60; i++ {
		switch i {
		case 2:
			clk.advance(time.Second) // requests 2..30 at 1 s
		case 31:
			clk.advance(500 * time.Millisecond) // requests 31..60 at 1.5 s
		}
		r := c.do("GET", "/site", nil)
		r.want(t, 200)
		if got := r.header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(60-i) {
			t.Fatalf("request %d: remaining %s", i, got)
		}
		if r.header.Get("X-RateLimit-Limit") != "60" || r.header.Get("X-RateLimit-Reset") != "" {
			t.Fatalf("request %d: headers %v", i, r.header)
		}
	}
	clk.advance(200 * time.Millisecond) // 1.7 s: the oldest request leaves at 3 s, 1.3 s from now
	r := c.do("GET", "/site", nil)
	r.wantError(t, 429, "RATE_LIMIT_EXCEEDED")
	if r.header.Get("X-RateLimit-Reset") != "2" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("61st request: reset %q remaining %q, want 2 and 0", r.header.Get("X-RateLimit-Reset"), r.header.Get("X-RateLimit-Remaining"))
	}
	// Storage is not a CMA route: never limited.
	c.storagePut(url, headers, []byte("x")).want(t, 200)

	clk.advance(1299 * time.Millisecond) // 2.999 s: still inside the window
	if r := c.do("GET", "/site", nil); r.status != 429 || r.header.Get("X-RateLimit-Reset") != "1" {
		t.Errorf("just before the oldest leaves: %d reset %q", r.status, r.header.Get("X-RateLimit-Reset"))
	}
	clk.advance(time.Millisecond) // 3 s: request 1 has left, the refused ones never counted
	r = c.do("GET", "/site", nil)
	r.want(t, 200)
	if r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("remaining after the oldest left = %s", r.header.Get("X-RateLimit-Remaining"))
	}
	c.do("GET", "/site", nil).wantError(t, 429, "RATE_LIMIT_EXCEEDED") // requests 2..60 are still in
	clk.advance(1500 * time.Millisecond)                               // 4.5 s: requests 2..60 (at 1 and 1.5 s) have left
	for range 59 {
		c.do("GET", "/site", nil).want(t, 200)
	}
	c.do("GET", "/site", nil).wantError(t, 429, "RATE_LIMIT_EXCEEDED")
}

func TestRateLimitCountsEveryCMAAnswer(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithRateLimit(2), withClock(newFakeClock().now))
	// A request refused for its token still reached the API and counts.
	r := c.do("GET", "/site", nil, "Authorization", "")
	r.wantError(t, 401, "INVALID_AUTHORIZATION_HEADER")
	if r.header.Get("X-RateLimit-Remaining") != "1" {
		t.Errorf("401: remaining %q", r.header.Get("X-RateLimit-Remaining"))
	}
	c.do("GET", "/nope", nil).wantError(t, 404, "NOT_FOUND")
	c.do("GET", "/site", nil).wantError(t, 429, "RATE_LIMIT_EXCEEDED")
}

func TestRateLimitDisabled(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithRateLimit(0))
	for range 70 {
		r := c.do("GET", "/site", nil)
		r.want(t, 200)
		if r.header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("rate headers sent while disabled")
		}
	}
}

func TestForcedFaults(t *testing.T) {
	t.Parallel()
	t.Run("rate limit with reset header", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithRateLimit(60))
		s.RateLimitNext(2, true)
		for range 2 {
			r := c.do("GET", "/site", nil)
			r.wantError(t, 429, "RATE_LIMIT_EXCEEDED")
			if r.header.Get("X-RateLimit-Reset") != "1" {
				t.Errorf("X-RateLimit-Reset = %q", r.header.Get("X-RateLimit-Reset"))
			}
		}
		r := c.do("GET", "/site", nil)
		r.want(t, 200)
		if r.header.Get("X-RateLimit-Remaining") != "57" { // forced 429s count as requests
			t.Errorf("remaining = %s", r.header.Get("X-RateLimit-Remaining"))
		}
	})
	t.Run("rate limit without reset header", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		s.RateLimitNext(1, false)
		r := c.do("GET", "/site", nil)
		r.wantError(t, 429, "RATE_LIMIT_EXCEEDED")
		if _, ok := r.header["X-Ratelimit-Reset"]; ok {
			t.Errorf("reset header sent")
		}
	})
	t.Run("bad gateway", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		s.BadGatewayNext(1)
		r := c.do("GET", "/site", nil, "Authorization", "") // before auth in the order
		if r.status != 502 || r.header.Get("Content-Type") != "text/html" || string(r.raw) != "<html>Bad Gateway</html>" {
			t.Fatalf("got %d %q %q", r.status, r.header.Get("Content-Type"), r.raw)
		}
		c.do("GET", "/site", nil).want(t, 200)
	})
	t.Run("transient writes", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		s.TransientErrorNextWrites(1)
		c.do("GET", "/site", nil).want(t, 200) // reads are not writes
		body := map[string]any{"data": map[string]any{"type": "upload_collection", "attributes": map[string]any{"label": "x"}}}
		r := c.do("POST", "/upload-collections", body)
		r.wantError(t, 409, "CONCURRENT_UPLOAD_UPDATE")
		if dig(r.doc, "data", "0", "attributes", "transient") != true {
			t.Errorf("transient missing: %s", r.raw)
		}
		if n := len(dig(c.do("GET", "/upload-collections", nil).doc, "data").([]any)); n != 0 {
			t.Errorf("transient error applied the write: %d collections", n)
		}
		c.do("POST", "/upload-collections", body).want(t, 201)
	})
	t.Run("latency", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t, WithLatency(30*time.Millisecond))
		start := time.Now()
		c.do("GET", "/site", nil).want(t, 200)
		if d := time.Since(start); d < 30*time.Millisecond {
			t.Errorf("latency %v < 30ms", d)
		}
		s.SetLatency(0)
		start = time.Now()
		c.do("GET", "/site", nil).want(t, 200)
		if d := time.Since(start); d > 25*time.Millisecond {
			t.Errorf("latency after SetLatency(0): %v", d)
		}
	})
	t.Run("delete restriction", func(t *testing.T) {
		t.Parallel()
		s, c := newTestServer(t)
		id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
		s.DeleteRestrictionNext(1)
		c.do("DELETE", "/uploads/nope", nil).wantError(t, 404, "NOT_FOUND") // does not consume
		c.do("DELETE", "/uploads/"+id, nil).wantError(t, 422, "DELETE_RESTRICTION")
		if _, ok := s.Upload("", id); !ok {
			t.Fatal("restricted delete removed the upload")
		}
		c.do("DELETE", "/uploads/"+id, nil).want(t, 200)
	})
}
