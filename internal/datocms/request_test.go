package datocms_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

func TestRetry_RateLimited(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		resetHeader bool
		minWait     time.Duration // X-RateLimit-Reset: 1 means a full second per retry
	}{
		{"with reset header", true, 2 * time.Second},
		{"without reset header", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			c := newClient(t, srv)
			ctx := testContext(t)
			f := uploadFile(ctx, t, c, writeFile(t, "a.txt", []byte("x")))

			srv.RateLimitNext(2, tc.resetHeader)
			start := time.Now()
			up, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path})
			if err != nil {
				t.Fatalf("CreateUpload: %v", err)
			}
			if elapsed := time.Since(start); elapsed < tc.minWait {
				t.Errorf("took %v, want at least %v (X-RateLimit-Reset honoured)", elapsed, tc.minWait)
			}
			if n := len(requestsTo(srv, "POST", "/uploads")); n != 3 {
				t.Errorf("POST /uploads sent %d times, want 3 (2 × 429, then success)", n)
			}
			if got := srv.Uploads(""); len(got) != 1 || got[0].ID != up.ID {
				t.Errorf("server has %d uploads, want exactly the created one", len(got))
			}
		})
	}
}

// TestRetry_RateLimitNeverFails: 429s are retried for as long as the call's context lasts,
// however many there are (the official client retries them with no cap).
func TestRetry_RateLimitNeverFails(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv, func(cfg *datocms.Config) { cfg.MaxRetries = 1 })
	srv.RateLimitNext(5, false)
	if _, err := c.UploadReferences(testContext(t), "x"); !datocms.IsNotFound(err) {
		t.Fatalf("err = %v, want the 404 that follows five 429s", err)
	}
	if n := srv.CountRequests("GET", "/uploads/x/references"); n != 6 {
		t.Errorf("sent %d requests, want 6 (five 429s do not use up MaxRetries = 1)", n)
	}

	srv.RateLimitNext(1000, false)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.UploadReferences(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
}

func TestRetry_TransientError(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.txt", []byte("x"), datocms.CreateUploadInput{})

	srv.TransientErrorNextWrites(2)
	got, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Notes: datocms.Set("after retry")})
	if err != nil {
		t.Fatalf("UpdateUpload: %v", err)
	}
	if got.Notes == nil || *got.Notes != "after retry" {
		t.Errorf("notes = %v", got.Notes)
	}
	if n := len(requestsTo(srv, "PUT", "/uploads/"+up.ID)); n != 3 {
		t.Errorf("PUT sent %d times, want 3", n)
	}
}

func TestRetry_BadGateway(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.txt", []byte("x"), datocms.CreateUploadInput{})

	t.Run("GET is retried", func(t *testing.T) {
		srv.ResetRequests()
		srv.BadGatewayNext(1)
		if _, err := c.GetUpload(ctx, up.ID); err != nil {
			t.Fatalf("GetUpload: %v", err)
		}
		reqs := srv.Requests()
		if len(reqs) != 2 || reqs[0].Status != 502 || reqs[1].Status != 200 || reqs[0].Path != reqs[1].Path {
			t.Errorf("requests = %v, want the same GET twice: 502, then 200", summarize(reqs))
		}
	})
	t.Run("PUT is not retried", func(t *testing.T) {
		srv.ResetRequests()
		srv.BadGatewayNext(1)
		_, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Notes: datocms.Set("n")})
		var apiErr *datocms.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != 502 || !strings.Contains(apiErr.Body, "Bad Gateway") {
			t.Fatalf("err = %v, want *APIError 502 with the body snippet", err)
		}
		if n := srv.CountRequests("PUT", "/uploads/"+up.ID); n != 1 {
			t.Errorf("PUT sent %d times, want 1 (a write may have happened)", n)
		}
		if !strings.Contains(err.Error(), "502 Bad Gateway") {
			t.Errorf("message = %q", err)
		}
	})
}

// TestHeaders_EveryCall runs every kind of call against a sandbox environment with a job
// delay (so jobs are polled) and checks the headers of everything the server received.
func TestHeaders_EveryCall(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithEnvironments("main", "sandbox-1"), datocmstest.WithJobDelay(30*time.Millisecond))
	c := newClient(t, srv, func(cfg *datocms.Config) {
		cfg.Environment = "sandbox-1"
		cfg.UserAgent = "terraform-provider-datocms/1.2.3"
	})
	ctx := testContext(t)

	md := datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{"en": {Alt: ptr("a")}}}
	up := createUpload(ctx, t, c, "a.png", pngBytes(t, 2, 2, 1), datocms.CreateUploadInput{DefaultFieldMetadata: &md})
	if _, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Notes: datocms.Set("n")}); err != nil {
		t.Fatal(err)
	}
	for _, err := range c.ListUploads(ctx, datocms.ListUploadsOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateUploadCollection(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUpload(ctx, up.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Upload("main", up.ID); ok {
		t.Error("the upload landed in the primary environment")
	}

	seen := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Kind != "cma" {
			continue
		}
		seen[strings.SplitN(strings.TrimPrefix(r.Path, "/"), "/", 2)[0]]++
		h := r.Header
		where := r.Method + " " + r.Path
		if h.Get("X-Environment") != "sandbox-1" || r.Environment != "sandbox-1" {
			t.Errorf("%s: X-Environment %q, resolved env %q", where, h.Get("X-Environment"), r.Environment)
		}
		if h.Get("Authorization") == "" || h.Get("X-Api-Version") != "3" || h.Get("Accept") != "application/json" ||
			h.Get("User-Agent") != "terraform-provider-datocms/1.2.3" {
			t.Errorf("%s: headers %v", where, h)
		}
		if hasBody := r.Method == "POST" || r.Method == "PUT"; hasBody != (h.Get("Content-Type") == "application/vnd.api+json") {
			t.Errorf("%s: Content-Type %q", where, h.Get("Content-Type"))
		}
	}
	for _, route := range []string{"site", "upload-requests", "uploads", "job-results", "upload-collections"} {
		if seen[route] == 0 {
			t.Errorf("no %s call was made: %v", route, seen)
		}
	}
}

func TestHeaders_PrimaryEnvironmentSendsNoHeader(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	if _, err := c.Site(testContext(t)); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		if _, ok := r.Header["X-Environment"]; ok {
			t.Errorf("%s %s carries X-Environment", r.Method, r.Path)
		}
	}
}

func TestLogging_NeverContainsToken(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	var buf bytes.Buffer
	c := newClient(t, srv, func(cfg *datocms.Config) {
		cfg.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := testContext(t)

	up := createUpload(ctx, t, c, "a.txt", []byte("x"), datocms.CreateUploadInput{})
	f := uploadFile(ctx, t, c, writeFile(t, "b.txt", []byte("y")))
	srv.FailNextJobs(1, false)
	if _, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path}); err == nil {
		t.Fatal("want the failed job")
	}
	srv.RateLimitNext(1, false)
	srv.TransientErrorNextWrites(1)
	if _, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Author: datocms.Set("a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUpload(ctx, "missing"); !datocms.IsNotFound(err) {
		t.Fatal(err)
	}

	logs := buf.String()
	if !strings.Contains(logs, `"msg":"DatoCMS API request"`) || !strings.Contains(logs, `"request_id"`) ||
		!strings.Contains(logs, `"duration_ms"`) || !strings.Contains(logs, "DatoCMS storage upload") {
		t.Fatalf("expected request logs, got:\n%s", logs)
	}
	if strings.Contains(logs, testToken) {
		t.Errorf("the token appears in the logs:\n%s", logs)
	}
	if strings.Contains(logs, "signature=") {
		t.Errorf("a signed storage URL appears in the logs:\n%s", logs)
	}
}

func TestContextCancelledDuringRetryWait(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv, func(cfg *datocms.Config) { cfg.RetryBase = time.Hour })
	srv.RateLimitNext(1, false)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetUpload(ctx, "x")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("err = %v after %v, want the deadline promptly", err, time.Since(start))
	}
}

// TestRateLimiter_SharedByCalls: the client's window is DatoCMS's (N requests per 3 s), and
// a request keeps its slot for a whole window after its answer.
func TestRateLimiter_SharedByCalls(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithRateLimit(0))
	c := newClient(t, srv, func(cfg *datocms.Config) { cfg.RateLimit = 5 })
	ctx := testContext(t)
	start := time.Now()
	for range 6 {
		if _, err := c.UploadReferences(ctx, "x"); !datocms.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 3*time.Second {
		t.Errorf("6 calls at 5 per 3 s took %v, want at least one window (3s) after the first answer", elapsed)
	}
}

// summarize renders logged requests for failure messages.
func summarize(reqs []datocmstest.Request) []string {
	out := make([]string, 0, len(reqs))
	for _, r := range reqs {
		out = append(out, fmt.Sprintf("%s %s?%s %d", r.Method, r.Path, r.Query.Encode(), r.Status))
	}
	return out
}
