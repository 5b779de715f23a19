package datocmstest

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// client is a minimal CMA client for tests, built on net/http only (never on
// internal/datocms: the server must be tested independently of it).
type client struct {
	t     *testing.T
	s     *Server
	token string
	env   string // X-Environment; "" sends none
}

// newTestServer starts a server for one test. Rate limiting is off unless the
// test turns it on with WithRateLimit: a test about something else must never
// see a 429 just because the machine is busy and its polls bunch up.
func newTestServer(t *testing.T, opts ...Option) (*Server, *client) {
	t.Helper()
	s := NewServer(t, append([]Option{WithRateLimit(0)}, opts...)...)
	return s, &client{t: t, s: s, token: "test-token"}
}

func (c *client) inEnv(env string) *client {
	cc := *c
	cc.env = env
	return &cc
}

type response struct {
	status int
	header http.Header
	raw    []byte
	doc    any
}

// do sends a CMA request with the standard headers; hdr holds name/value
// pairs that override them (an empty value removes the header).
func (c *client) do(method, path string, body any, hdr ...string) response {
	c.t.Helper()
	return c.send(c.request(method, path, body, hdr...))
}

func (c *client) request(method, path string, body any, hdr ...string) *http.Request {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.s.URL()+path, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("X-Api-Version", "3")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	if c.env != "" {
		req.Header.Set("X-Environment", c.env)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	return req
}

func (c *client) send(req *http.Request) response {
	c.t.Helper()
	r, err := c.sendOn(testHTTP, req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return r
}

// testHTTP is the HTTP client of every test. It is not http.DefaultClient:
// httptest.Server.Close closes the idle connections of the default
// transport, which breaks a write another parallel test is sending on one.
var testHTTP = &http.Client{Transport: &http.Transport{}}

// freshConn sends each request on a connection of its own, so Go's
// transport never retries a request a fault broke on a reused connection.
var freshConn = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// try sends a request a fault may break: it returns the transport error
// (or the error reading a cut body) instead of failing the test.
func (c *client) try(req *http.Request) (response, error) {
	c.t.Helper()
	return c.sendOn(freshConn, req)
}

func (c *client) sendOn(hc *http.Client, req *http.Request) (response, error) {
	c.t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	if err != nil {
		return r, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.doc); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q: %v", req.Method, req.URL.Path, raw, err)
		}
	}
	return r, nil
}

// adminDo calls the admin API (no token, no CMA headers).
func adminDo(t *testing.T, s *Server, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	return (&client{t: t, s: s}).send(req)
}

// dig walks a decoded JSON document: string keys index objects, numeric
// strings index arrays. Missing paths give nil.
func dig(v any, path ...string) any {
	for _, p := range path {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

func (r response) attr(name string) any { return dig(r.doc, "data", "attributes", name) }

func (r response) errCode() string {
	code, _ := dig(r.doc, "data", "0", "attributes", "code").(string)
	return code
}

func (r response) errDetail(key string) any {
	return dig(r.doc, "data", "0", "attributes", "details", key)
}

// wantError checks status, top-level code and (if given) details field/code.
func (r response) wantError(t *testing.T, status int, code string, detail ...string) {
	t.Helper()
	if r.status != status || r.errCode() != code {
		t.Fatalf("got %d %s, want %d %s; body %s", r.status, r.errCode(), status, code, r.raw)
	}
	if len(detail) >= 1 && r.errDetail("field") != detail[0] {
		t.Errorf("details.field = %v, want %s", r.errDetail("field"), detail[0])
	}
	if len(detail) >= 2 && r.errDetail("code") != detail[1] {
		t.Errorf("details.code = %v, want %s", r.errDetail("code"), detail[1])
	}
}

func (r response) want(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
}

// uploadRequest asks for a storage slot and returns its id, url and headers.
func (c *client) uploadRequest(filename string) (id, url string, headers map[string]any) {
	c.t.Helper()
	r := c.do("POST", "/upload-requests", map[string]any{"data": map[string]any{
		"type": "upload_request", "attributes": map[string]any{"filename": filename},
	}})
	r.want(c.t, http.StatusCreated)
	id, _ = dig(r.doc, "data", "id").(string)
	url, _ = r.attr("url").(string)
	headers, _ = r.attr("request_headers").(map[string]any)
	return id, url, headers
}

// storagePut PUTs content to a signed URL with the given headers.
func (c *client) storagePut(url string, headers map[string]any, content []byte) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), "PUT", url, bytes.NewReader(content))
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	for k, v := range headers {
		req.Header.Set(k, v.(string))
	}
	return c.send(req)
}

// putFile runs upload-request + storage PUT and returns the path to send
// as attributes.path.
func (c *client) putFile(filename string, content []byte) string {
	c.t.Helper()
	id, url, headers := c.uploadRequest(filename)
	c.storagePut(url, headers, content).want(c.t, http.StatusOK)
	return id
}

func uploadBody(id string, attrs map[string]any, rels map[string]any) map[string]any {
	data := map[string]any{"type": "upload"}
	if attrs != nil {
		data["attributes"] = attrs
	}
	if id != "" {
		data["id"] = id
	}
	if rels != nil {
		data["relationships"] = rels
	}
	return map[string]any{"data": data}
}

// jobPollInterval is how often waitJob polls: often enough to keep tests
// fast, rarely enough to stay far below 60 requests per 3 s.
const jobPollInterval = 20 * time.Millisecond

// waitJob polls a job until it is done and returns the job result response.
func (c *client) waitJob(r response) response {
	c.t.Helper()
	r.want(c.t, http.StatusAccepted)
	if dig(r.doc, "data", "type") != "job" {
		c.t.Fatalf("202 without a job: %s", r.raw)
	}
	jobID := dig(r.doc, "data", "id").(string)
	deadline := time.Now().Add(5 * time.Second)
	for {
		res := c.do("GET", "/job-results/"+jobID, nil)
		if res.status == http.StatusOK {
			return res
		}
		if res.status != http.StatusNotFound || time.Now().After(deadline) {
			c.t.Fatalf("job %s: %d %s", jobID, res.status, res.raw)
		}
		time.Sleep(jobPollInterval)
	}
}

// jobPayload returns a finished job's inner status and payload.
func jobPayload(r response) (int, any) {
	st, _ := dig(r.doc, "data", "attributes", "status").(float64)
	return int(st), dig(r.doc, "data", "attributes", "payload")
}

// createUpload runs the whole create flow and returns the created upload
// document (payload.data).
func (c *client) createUpload(filename string, content []byte, attrs map[string]any) map[string]any {
	c.t.Helper()
	if attrs == nil {
		attrs = map[string]any{}
	}
	attrs["path"] = c.putFile(filename, content)
	return c.create(attrs)
}

// createFromPath creates an upload from bytes already PUT at path.
func (c *client) createFromPath(path string) map[string]any {
	c.t.Helper()
	return c.create(map[string]any{"path": path})
}

// create sends POST /uploads, waits for the job and returns the upload.
func (c *client) create(attrs map[string]any) map[string]any {
	c.t.Helper()
	res := c.waitJob(c.do("POST", "/uploads", uploadBody("", attrs, nil)))
	status, payload := jobPayload(res)
	if status != http.StatusCreated {
		c.t.Fatalf("create job status %d: %s", status, res.raw)
	}
	return dig(payload, "data").(map[string]any)
}

// update sends PUT /uploads/:id and waits for its job; it returns the upload.
func (c *client) update(id, query string, attrs map[string]any) map[string]any {
	c.t.Helper()
	res := c.waitJob(c.do("PUT", "/uploads/"+id+query, uploadBody(id, attrs, nil)))
	status, payload := jobPayload(res)
	if status != http.StatusOK {
		c.t.Fatalf("update job status %d: %s", status, res.raw)
	}
	return dig(payload, "data").(map[string]any)
}

func get(c *client, url string) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), "GET", url, nil)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	return c.send(req)
}

// pngBytes returns a w×h PNG.
func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("png: %v", err)
	}
	return buf.Bytes()
}

func strp(s string) *string { return &s }

// fakeClock is a clock that moves only when a test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
