package datocmstest

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestUploadRequest(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithSiteID("77"), WithStorageRequestHeaders(map[string]string{"x-acl": "public-read", "x-two": "2"}))
	tests := []struct {
		filename any // nil = no attributes
		wantName string
	}{
		{"Hero Image.PNG", "hero-image.png"},
		{"men%C3%B9 estivo!!.png", "men-c3-b9-estivo-.png"},
		{"--weird__name--.tar.gz", "weird__name--.tar.gz"},
		{"ünïcode", "n-code"},
		{"", "file"},
		{nil, "file"}, // attributes without a filename
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		attrs := map[string]any{}
		if tt.filename != nil {
			attrs["filename"] = tt.filename
		}
		body := map[string]any{"data": map[string]any{"type": "upload_request", "attributes": attrs}}
		r := c.do("POST", "/upload-requests", body)
		r.want(t, 201)
		if dig(r.doc, "data", "type") != "upload_request" {
			t.Errorf("type = %v", dig(r.doc, "data", "type"))
		}
		id := dig(r.doc, "data", "id").(string)
		if !regexp.MustCompile(`^/77/\d+-` + regexp.QuoteMeta(tt.wantName) + `$`).MatchString(id) {
			t.Errorf("filename %v: id %q, want /77/<digits>-%s", tt.filename, id, tt.wantName)
		}
		if seen[id] {
			t.Errorf("duplicate id %s", id)
		}
		seen[id] = true
		u, err := url.Parse(r.attr("url").(string))
		if err != nil || u.Path != "/storage"+id || u.Query().Get("expires") == "" || len(u.Query().Get("signature")) != 64 {
			t.Errorf("url = %v", r.attr("url"))
		}
		if h := r.attr("request_headers").(map[string]any); len(h) != 2 || h["x-acl"] != "public-read" || h["x-two"] != "2" {
			t.Errorf("request_headers = %v", h)
		}
	}
	// Strict: the documented body always has attributes; a body-less request, or one
	// without attributes, is refused.
	c.do("POST", "/upload-requests", nil).wantError(t, 422, "INVALID_ATTRIBUTES")
	c.do("POST", "/upload-requests", map[string]any{"data": map[string]any{"type": "upload_request"}}).wantError(t, 422, "INVALID_ATTRIBUTES")
	bad := map[string]any{"data": map[string]any{"type": "upload", "attributes": map[string]any{}}}
	c.do("POST", "/upload-requests", bad).wantError(t, 422, "INVALID_TYPE")
	withCol := map[string]any{"data": map[string]any{"type": "upload_request", "attributes": map[string]any{}, "relationships": map[string]any{
		"upload_collection": map[string]any{"data": map[string]any{"type": "upload_collection", "id": "nope"}},
	}}}
	c.do("POST", "/upload-requests", withCol).wantError(t, 422, "INVALID_FIELD", "upload_collection", "INVALID_RELATIONSHIP")
}

func TestStoragePut(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	content := []byte("hello storage")
	sum := md5.Sum(content)
	wantMD5 := hex.EncodeToString(sum[:])

	tests := []struct {
		name   string
		mutate func(req *http.Request)
		status int
	}{
		{"ok", func(*http.Request) {}, 200},
		{"bad signature", func(r *http.Request) {
			q := r.URL.Query()
			q.Set("signature", strings.Repeat("0", 64))
			r.URL.RawQuery = q.Encode()
		}, 403},
		{"missing signature", func(r *http.Request) { r.URL.RawQuery = "" }, 403},
		{"expired", func(r *http.Request) {
			path := strings.TrimPrefix(r.URL.Path, "/storage")
			exp := time.Now().Add(-time.Second).Unix()
			r.URL.RawQuery = url.Values{"expires": {fmt.Sprint(exp)}, "signature": {s.sign(path, exp)}}.Encode()
		}, 403},
		{"other path", func(r *http.Request) { r.URL.Path += "x" }, 403},
		{"missing request header", func(r *http.Request) { r.Header.Del("x-datocms-storage-acl") }, 403},
		{"wrong request header", func(r *http.Request) { r.Header.Set("x-datocms-storage-acl", "private") }, 403},
		{"authorization present", func(r *http.Request) { r.Header.Set("Authorization", "Bearer t") }, 400},
		{"chunked", func(r *http.Request) { r.ContentLength = -1; r.Body = io.NopCloser(bytes.NewReader(content)) }, 411},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, rawURL, headers := c.uploadRequest("a.txt")
			req, _ := http.NewRequestWithContext(t.Context(), "PUT", rawURL, bytes.NewReader(content))
			for k, v := range headers {
				req.Header.Set(k, v.(string))
			}
			tt.mutate(req)
			r := c.send(req)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			create := c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil))
			if tt.status != 200 {
				create.wantError(t, 422, "INVALID_FIELD", "path", "INVALID_FORMAT") // nothing stored
				return
			}
			if r.header.Get("ETag") != `"`+wantMD5+`"` || len(r.raw) != 0 {
				t.Errorf("ETag %q, body %q", r.header.Get("ETag"), r.raw)
			}
			c.waitJob(create)
		})
	}
}

func TestStoragePutOverwriteAndFaults(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	path, url, headers := c.uploadRequest("a.txt")
	s.FailNextStoragePuts(1, 500)
	c.storagePut(url, headers, []byte("first")).want(t, 500)
	s.FailNextStoragePuts(1, 403)
	c.storagePut(url, headers, []byte("first")).want(t, 403)
	c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil)).wantError(t, 422, "INVALID_FIELD", "path", "INVALID_FORMAT")
	c.storagePut(url, headers, []byte("first")).want(t, 200)
	c.storagePut(url, headers, []byte("second")).want(t, 200) // overwrites
	id := c.createFromPath(path)["id"].(string)
	if b, err := s.FileBytes("", id); err != nil || string(b) != "second" {
		t.Fatalf("FileBytes = %q, %v", b, err)
	}
	// Only the live blob is left on disk: overwritten data was removed.
	if n := countBlobs(t, s); n != 1 {
		t.Errorf("%d blobs on disk, want 1", n)
	}
	if r := get(c, s.URL()+"/storage"+path); r.status != 405 {
		t.Errorf("GET storage: %d", r.status)
	}
}

func countBlobs(t *testing.T, s *Server) int {
	t.Helper()
	s.removals.Wait() // files are removed in the background
	entries, err := os.ReadDir(s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestStoragePutShortBody sends fewer bytes than Content-Length and closes
// the connection: nothing may be stored.
func TestStoragePutShortBody(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	path, rawURL, headers := c.uploadRequest("a.txt")
	u, _ := url.Parse(rawURL)
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n", u.RequestURI(), u.Host)
	for k, v := range headers {
		fmt.Fprintf(conn, "%s: %s\r\n", k, v)
	}
	fmt.Fprint(conn, "\r\nonly ten b")
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatalf("short body accepted")
		}
	}
	c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil)).wantError(t, 422, "INVALID_FIELD", "path", "INVALID_FORMAT")
	if n := countBlobs(t, s); n != 0 {
		t.Errorf("%d blobs left on disk", n)
	}
}

func TestAssetRoute(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	img := pngBytes(t, 3, 2)
	up := c.createUpload("pic.png", img, nil)
	u := up["attributes"].(map[string]any)
	if u["url"] != s.URL()+"/assets"+u["path"].(string) {
		t.Fatalf("url %v for path %v", u["url"], u["path"])
	}
	r := get(c, u["url"].(string))
	if r.status != 200 || !bytes.Equal(r.raw, img) || r.header.Get("Content-Type") != "image/png" {
		t.Fatalf("asset: %d %q", r.status, r.header.Get("Content-Type"))
	}
	if get(c, s.URL()+"/assets/1234/nope.png").status != 404 {
		t.Error("unknown asset not 404")
	}
	if r := c.storagePut(u["url"].(string), nil, []byte("x")); r.status != 405 {
		t.Errorf("PUT to an asset url: %d", r.status)
	}
	// Replace with a new url: the old one stops serving.
	newPath := c.putFile("pic2.png", pngBytes(t, 4, 4))
	up2 := c.update(up["id"].(string), "", map[string]any{"path": newPath})
	if get(c, u["url"].(string)).status != 404 {
		t.Error("old url still serves after replace")
	}
	if r := get(c, dig(up2, "attributes", "url").(string)); r.status != 200 {
		t.Errorf("new url: %d", r.status)
	}
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if last.Kind != KindAsset || last.Status != 200 || last.Environment != "" {
		t.Errorf("asset log entry = %+v", last)
	}
}

// TestStreamingMemory checks that file bytes stream through the server: PUT,
// create and download of a large file must allocate far less than its size
// (about 300 KiB for 256 MiB when measured; 64 MiB keeps the test fast).
// Not parallel, so that no other test allocates while it measures.
func TestStreamingMemory(t *testing.T) {
	const size = 64 << 20
	_, c := newTestServer(t, WithRateLimit(0))
	path, rawURL, headers := c.uploadRequest("big.bin")

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	req, _ := http.NewRequestWithContext(t.Context(), "PUT", rawURL, io.LimitReader(patternReader{}, size))
	req.ContentLength = size
	for k, v := range headers {
		req.Header.Set(k, v.(string))
	}
	resp, err := testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %d", resp.StatusCode)
	}
	up := c.createFromPath(path)
	req, err = http.NewRequestWithContext(t.Context(), "GET", dig(up, "attributes", "url").(string), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = testHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	h := md5.New()
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	if err != nil || n != size {
		t.Fatalf("GET: %d bytes, %v", n, err)
	}

	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("moving %d MiB allocated %d KiB", size>>20, grew>>10)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != dig(up, "attributes", "md5") {
		t.Errorf("md5 of download %s != %v", got, dig(up, "attributes", "md5"))
	}
}

// patternReader yields an endless deterministic byte stream without allocating.
type patternReader struct{}

func (patternReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i * 7)
	}
	return len(p), nil
}

func TestStorageStatus201(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithStorageStatus(201))
	path, u, h := c.uploadRequest("a.txt")
	r := c.storagePut(u, h, []byte("abc"))
	if r.status != 201 || r.header.Get("ETag") == "" || len(r.raw) != 0 {
		t.Fatalf("storage PUT: %d %v %q", r.status, r.header, r.raw)
	}
	id := c.createFromPath(path)["id"].(string)
	if b, _ := s.FileBytes("", id); string(b) != "abc" {
		t.Errorf("bytes %q", b)
	}
	if _, err := New(WithStorageStatus(204)); err == nil {
		t.Error("New accepted storage status 204")
	}
}

func TestStorageSizeLimit(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithMaxUploadSize(10))
	path, u, h := c.uploadRequest("a.txt")
	r := c.storagePut(u, h, []byte("12345678901"))
	if r.status != 400 || !strings.Contains(string(r.raw), "<Code>EntityTooLarge</Code>") {
		t.Fatalf("11 bytes over a 10-byte limit: %d %s", r.status, r.raw)
	}
	c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil)).wantError(t, 422, "INVALID_FIELD", "path")
	c.storagePut(u, h, []byte("1234567890")).want(t, 200)
	if _, err := New(WithMaxUploadSize(0)); err == nil {
		t.Error("New accepted a zero size limit")
	}
}

// TestStorageSizeLimitReadsNoBody declares a body over the default 1 GiB
// limit and sends none of it: the answer must come from the headers alone.
func TestStorageSizeLimitReadsNoBody(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	_, rawURL, headers := c.uploadRequest("big.bin")
	u, _ := url.Parse(rawURL)
	var req strings.Builder
	fmt.Fprintf(&req, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", u.RequestURI(), u.Host, DefaultMaxUploadSize+1)
	for k, v := range headers {
		fmt.Fprintf(&req, "%s: %s\r\n", k, v)
	}
	req.WriteString("\r\n")
	start := time.Now()
	got := string(rawExchange(t, s, req.String()))
	if !strings.HasPrefix(got, "HTTP/1.1 400 ") || !strings.Contains(got, "EntityTooLarge") || time.Since(start) > 2*time.Second {
		t.Errorf("after %v: %q", time.Since(start), got)
	}
	if DefaultMaxUploadSize != 1<<30 {
		t.Errorf("DefaultMaxUploadSize = %d, want 1 GiB", DefaultMaxUploadSize)
	}
}
