package datocmstest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithToken("tok-123"))
	c.token = "tok-123"
	c.createUpload("a.txt", []byte("abc"), map[string]any{"author": "Ann"})
	c.do("GET", "/site", nil, "X-Environment", "main")

	reqs := s.Requests()
	kinds := []string{}
	for _, r := range reqs {
		kinds = append(kinds, r.Kind+" "+r.Method)
		if got := r.Header.Get("Authorization"); r.Kind == KindCMA && got != "Bearer [redacted]" {
			t.Errorf("Authorization logged as %q", got)
		}
		if r.Status == 0 || r.Time.IsZero() {
			t.Errorf("incomplete entry %+v", r)
		}
	}
	if len(reqs) < 5 || kinds[0] != "cma POST" || kinds[1] != "storage PUT" || kinds[2] != "cma POST" || kinds[len(kinds)-1] != "cma GET" {
		t.Fatalf("kinds %v", kinds)
	}
	put, create := reqs[1], reqs[2]
	if put.BodySize != 3 || put.Body != nil || put.Environment != "" || put.Status != 200 || put.Query.Get("signature") == "" {
		t.Errorf("storage entry %+v", put)
	}
	if create.Environment != "main" || create.Status != http.StatusAccepted || dig(create.Body, "data", "attributes", "author") != "Ann" || create.Path != "/uploads" {
		t.Errorf("create entry %+v", create)
	}
	if n := s.CountRequests("POST", "/uploads"); n != 1 {
		t.Errorf("CountRequests(POST, /uploads) = %d", n)
	}
	if n := s.CountRequests("", "/job-results/"); n < 1 {
		t.Errorf("CountRequests(any, /job-results/) = %d", n)
	}
	if n := s.CountRequests("", "/"); n != len(reqs) {
		t.Errorf("CountRequests(any, /) = %d, want %d", n, len(reqs))
	}
	if n := s.WriteCount(); n != 3 { // upload-request, storage PUT, create; polls are not writes
		t.Errorf("WriteCount = %d", n)
	}
	// The copy is detached from the log.
	reqs[2].Header.Set("X", "y")
	reqs[2].Body.(map[string]any)["data"] = nil
	if s.Requests()[2].Header.Get("X") != "" || dig(s.Requests()[2].Body, "data") == nil {
		t.Error("Requests() returned shared state")
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 || s.WriteCount() != 0 {
		t.Error("ResetRequests left entries")
	}
	c.do("GET", "/site", nil, "Authorization", "")
	if r := s.Requests()[0]; r.Header.Get("Authorization") != "" || r.Status != 401 {
		t.Errorf("unauthenticated entry %+v", r)
	}
}

// TestConcurrentUse hammers the server from many goroutines; run with -race.
// The goroutines report with t.Errorf only (never t.Fatal off the test goroutine).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithRateLimit(0))
	id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
	status := func(method, path string, body any) int {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequestWithContext(t.Context(), method, s.URL()+path, rd)
		req.Header.Set("Authorization", "Bearer x")
		req.Header.Set("X-Api-Version", "3")
		req.Header.Set("Content-Type", "application/json")
		resp, err := testHTTP.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", method, path, err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 5 {
				switch i % 4 {
				case 0:
					if st := status("GET", "/uploads/"+id, nil); st != 200 {
						t.Errorf("GET: %d", st)
					}
				case 1:
					if st := status("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"notes": "n"}, nil)); st != 202 {
						t.Errorf("PUT: %d", st)
					}
				case 2:
					if err := s.EditUpload("", id, func(u *Upload) { u.Tags = append(u.Tags, "t") }); err != nil {
						t.Errorf("EditUpload: %v", err)
					}
					_ = s.Requests()
				case 3:
					if st := status("POST", "/upload-requests", map[string]any{"data": map[string]any{"type": "upload_request", "attributes": map[string]any{}}}); st != 201 {
						t.Errorf("upload request: %d", st)
					}
					_ = s.Uploads("")
				}
			}
		})
	}
	wg.Wait()
}

// TestRequestLogCompleteBeforeAnswer checks that a client holding its answer
// finds the request logged with its status, even when the answer is larger
// than the server's write buffer and so reaches the client before the
// handler returns.
func TestRequestLogCompleteBeforeAnswer(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	path := c.putFile("a.txt", []byte("a"))
	for range 20 {
		c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil)).want(t, http.StatusAccepted)
	}
	for range 30 {
		r := c.do("GET", "/uploads?page[limit]=500", nil)
		if r.status != 200 || len(r.raw) < 16<<10 {
			t.Fatalf("list: %d, %d bytes", r.status, len(r.raw))
		}
		if e := s.Requests()[len(s.Requests())-1]; e.Status != 200 {
			t.Fatalf("the answer arrived before its log entry was complete: %+v", e)
		}
	}
}
