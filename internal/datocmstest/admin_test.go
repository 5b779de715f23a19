package datocmstest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var rfc3339ms = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestAdminRouting(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, WithToken("secret"), WithRateLimit(1))
	for range 3 { // no token, no rate limit
		adminDo(t, s, "GET", "/_local/uploads", nil).want(t, 200)
	}
	if r := adminDo(t, s, "GET", "/_local/nope", nil); r.status != 404 || !strings.Contains(fmt.Sprint(dig(r.doc, "error")), "README") {
		t.Errorf("unknown endpoint: %d %s", r.status, r.raw)
	}
	if r := adminDo(t, s, "POST", "/_local/jobs", nil); r.status != 405 || !strings.Contains(r.header.Get("Allow"), "GET") {
		t.Errorf("wrong method: %d %v", r.status, r.header)
	}
	adminDo(t, s, "GET", "/_local", nil).want(t, 404)
	if n := len(s.Requests()); n != 0 {
		t.Errorf("admin calls logged: %d", n)
	}
}

func TestAdminRequests(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "sandbox"))
	c.inEnv("sandbox").do("GET", "/uploads?filter%5Bids%5D=a,b&page[limit]=5", nil).want(t, 200)
	_, u, h := c.uploadRequest("a.txt")
	c.storagePut(u, h, []byte("abc")).want(t, 200)
	r := adminDo(t, s, "GET", "/_local/requests", nil)
	r.want(t, 200)
	reqs := dig(r.doc, "requests").([]any)
	if len(reqs) != 3 {
		t.Fatalf("requests %s", r.raw)
	}
	list, put := reqs[0].(map[string]any), reqs[2].(map[string]any)
	if list["method"] != "GET" || list["path"] != "/uploads" || list["status"] != 200.0 || list["kind"] != "cma" || list["environment"] != "sandbox" ||
		dig(list, "query", "filter[ids]", "0") != "a,b" || dig(list, "query", "page[limit]", "0") != "5" || !rfc3339ms.MatchString(list["time"].(string)) {
		t.Errorf("list entry %v", list)
	}
	if put["kind"] != "storage" || put["environment"] != nil || put["body_size"] != 3.0 || dig(put, "query", "signature", "0") != "[redacted]" || dig(put, "query", "expires", "0") == nil {
		t.Errorf("storage entry %v", put)
	}
	if s.Requests()[2].Query.Get("signature") == "[redacted]" {
		t.Error("redaction leaked into the log itself")
	}
	adminDo(t, s, "DELETE", "/_local/requests", nil).want(t, 200)
	if n := len(dig(adminDo(t, s, "GET", "/_local/requests", nil).doc, "requests").([]any)); n != 0 || len(s.Requests()) != 0 {
		t.Errorf("%d requests after DELETE", n)
	}
}

func TestAdminJobs(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	s, c := newTestServer(t, withClock(clk.now), WithEnvironments("main", "sandbox"), WithJobDelay(2*time.Second))
	sb := c.inEnv("sandbox")
	start := clk.now()
	r := sb.do("POST", "/uploads", uploadBody("", map[string]any{"path": sb.putFile("a.txt", []byte("a"))}, nil))
	jobID := dig(r.doc, "data", "id").(string)
	for range 2 {
		clk.advance(900 * time.Millisecond)
		sb.do("GET", "/job-results/"+jobID, nil).want(t, 404)
	}
	clk.advance(500 * time.Millisecond) // 2.3 s: ready since 0.3 s
	sb.do("GET", "/job-results/"+jobID, nil).want(t, 200)
	clk.advance(time.Second)
	sb.do("GET", "/job-results/"+jobID, nil).want(t, 200)
	c.do("GET", "/job-results/"+jobID, nil).want(t, 404) // another environment: not this job's poll
	s.HangNextJobs(1)
	hung := c.do("POST", "/uploads", uploadBody("", map[string]any{"path": c.putFile("b.txt", []byte("b"))}, nil))

	r = adminDo(t, s, "GET", "/_local/jobs", nil)
	jobs := dig(r.doc, "jobs").([]any)
	if len(jobs) != 2 {
		t.Fatalf("jobs %s", r.raw)
	}
	j := jobs[0].(map[string]any)
	want := map[string]any{
		"id": jobID, "environment": "sandbox", "method": "POST", "path": "/uploads", "done": true, "status": 201.0,
		"polls": 4.0, "polls_before_ready": 2.0,
		"created_at": formatTime(start), "ready_at": formatTime(start.Add(2 * time.Second)),
		"first_ready_poll_at": formatTime(start.Add(2300 * time.Millisecond)),
	}
	for k, v := range want {
		if j[k] != v {
			t.Errorf("%s = %v, want %v", k, j[k], v)
		}
	}
	h := jobs[1].(map[string]any)
	if h["id"] != dig(hung.doc, "data", "id") || h["ready_at"] != nil || h["done"] != false || h["status"] != nil || h["first_ready_poll_at"] != nil {
		t.Errorf("hung job %v", h)
	}
	r = adminDo(t, s, "DELETE", "/_local/jobs", nil) // forgets the finished one only
	if jobs := dig(r.doc, "jobs").([]any); len(jobs) != 1 || dig(jobs, "0", "id") != h["id"] {
		t.Errorf("after DELETE %s", r.raw)
	}
	sb.do("GET", "/job-results/"+jobID, nil).want(t, 200) // its result is still served
}

func TestAdminUploads(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "sandbox"))
	col := s.CreateUploadCollection("sandbox", "Heroes")
	a := c.createUpload("a.txt", []byte("abc"), map[string]any{"author": "Ann", "tags": []any{"t1"}})
	b := c.inEnv("sandbox").createUpload("b.png", pngBytes(t, 1, 1), nil)
	if err := s.EditUpload("sandbox", b["id"].(string), func(u *Upload) { u.UploadCollectionID = &col }); err != nil {
		t.Fatal(err)
	}
	r := adminDo(t, s, "GET", "/_local/uploads", nil)
	ups := dig(r.doc, "uploads").([]any)
	if len(ups) != 2 {
		t.Fatalf("uploads %s", r.raw)
	}
	first, second := ups[0].(map[string]any), ups[1].(map[string]any)
	if first["environment"] != "main" || first["id"] != a["id"] || first["md5"] != dig(a, "attributes", "md5") || first["size"] != 3.0 ||
		first["basename"] != "a" || first["filename"] != "a.txt" || first["path"] != dig(a, "attributes", "path") || first["author"] != "Ann" ||
		fmt.Sprint(first["tags"]) != "[t1]" || first["upload_collection_id"] != nil || first["created_at"] != dig(a, "attributes", "created_at") {
		t.Errorf("first %v", first)
	}
	if second["environment"] != "sandbox" || second["upload_collection_id"] != col || second["author"] != nil {
		t.Errorf("second %v", second)
	}
	if ups := dig(adminDo(t, s, "GET", "/_local/uploads?environment=sandbox", nil).doc, "uploads").([]any); len(ups) != 1 || dig(ups, "0", "id") != b["id"] {
		t.Errorf("sandbox only: %v", ups)
	}
	adminDo(t, s, "GET", "/_local/uploads?environment=nope", nil).want(t, 400)
}

// TestAdminFiles: files put under /_local/files are served with their length, counted when
// downloaded, listed, and replaced by a second put; other methods and nested names are refused.
func TestAdminFiles(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t)
	put := func(name, body string) response {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, s.URL()+"/_local/files/"+name, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return (&client{t: t, s: s}).send(req)
	}
	if r := put("kit.pdf", "v1"); r.status != 200 || dig(r.doc, "url") != s.FileURL("kit.pdf") || dig(r.doc, "size") != 2.0 {
		t.Errorf("put: %d %s", r.status, r.raw)
	}
	put("kit.pdf", "version 2")
	r := adminDo(t, s, "GET", "/_local/files/kit.pdf", nil)
	if r.status != 200 || string(r.raw) != "version 2" || r.header.Get("Content-Length") != "9" {
		t.Errorf("get: %d %q, length %q", r.status, r.raw, r.header.Get("Content-Length"))
	}
	if s.Downloads("kit.pdf") != 1 {
		t.Errorf("downloads: %d, want 1", s.Downloads("kit.pdf"))
	}
	list := adminDo(t, s, "GET", "/_local/files", nil)
	if fmt.Sprint(dig(list.doc, "files")) != "[map[downloads:1 name:kit.pdf size:9]]" {
		t.Errorf("list: %s", list.raw)
	}
	adminDo(t, s, "GET", "/_local/files/missing.pdf", nil).want(t, 404)
	adminDo(t, s, "GET", "/_local/files/a/b.pdf", nil).want(t, 404)
	adminDo(t, s, "DELETE", "/_local/files/kit.pdf", nil).want(t, 405)
}
