package datocms_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// TestJobPolling_LearnsTypicalDuration: once the client has seen how long jobs of a kind
// take, it polls each job about once, just after it is done.
func TestJobPolling_LearnsTypicalDuration(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithJobDelay(150*time.Millisecond), datocmstest.WithRateLimit(0))
	c := newClient(t, srv, func(cfg *datocms.Config) { cfg.PollInitial = 20 * time.Millisecond })
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.txt", []byte("x"), datocms.CreateUploadInput{})

	const updates = 12
	srv.ResetRequests()
	for i := range updates {
		if _, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Notes: datocms.Set(string(rune('a' + i)))}); err != nil {
			t.Fatal(err)
		}
	}
	polls := srv.CountRequests("GET", "/job-results/")
	t.Logf("%d polls for %d jobs", polls, updates)
	// The first update polls every 20ms (about 8 polls); later ones start at the learned time.
	if perJob := float64(polls) / updates; perJob > 2 {
		t.Errorf("%d polls for %d jobs (%.2f per job), want most jobs done at their first poll", polls, updates, perJob)
	}
}

// TestJobPolling_Schedule: with nothing learned yet, a job is polled at the fine
// interval (so it is noticed soon after it is ready), then less often once it runs far
// longer than usual. The schedule is checked on the pacer itself, with no clock involved.
func TestJobPolling_Schedule(t *testing.T) {
	t.Parallel()
	p := datocms.NewJobPacerForTest(50*time.Millisecond, 2*time.Second)
	accepted := time.Now()

	first := p.Start("PUT /uploads", accepted)
	if got := first.Next().Sub(accepted); got != 50*time.Millisecond {
		t.Errorf("first poll of an unknown kind after %v, want the fine interval", got)
	}
	if got := first.PendingAt(accepted.Add(500 * time.Millisecond)).Sub(accepted.Add(500 * time.Millisecond)); got != 50*time.Millisecond {
		t.Errorf("next poll within the fine window after %v, want 50ms", got)
	}
	if got := first.PendingAt(accepted.Add(3 * time.Second)).Sub(accepted.Add(3 * time.Second)); got <= 50*time.Millisecond || got > 2*time.Second {
		t.Errorf("next poll after the fine window after %v, want slower, capped at 2s", got)
	}
	first.DoneAt(accepted.Add(3 * time.Second))
	first.Stop()

	learned := p.Start("PUT /uploads", accepted)
	if got := learned.Next().Sub(accepted); got < 2*time.Second {
		t.Errorf("first poll after a job of ~3s came at %v, want at the learned duration", got)
	}
	learned.DoneAt(learned.Next()) // done at the first poll: try a little earlier next time
	learned.Stop()
	if got := p.Start("PUT /uploads", accepted).Next().Sub(accepted); got >= learned.Next().Sub(accepted) {
		t.Errorf("after a first-poll success the next first poll is at %v, want earlier", got)
	}
	if got := p.Start("POST /uploads", accepted).Next().Sub(accepted); got != 50*time.Millisecond {
		t.Errorf("another kind of job starts at %v, want the fine interval", got)
	}
}

func TestConnectionRefused_FailsFast(t *testing.T) {
	t.Parallel()
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more

	var dials atomic.Int32
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	c, err := datocms.New(datocms.Config{Token: testToken, BaseURL: addr, HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Site(testContext(t))
	var connErr *datocms.ConnectError
	if !errors.As(err, &connErr) || connErr.BaseURL != addr {
		t.Fatalf("err = %v, want a *ConnectError for %s", err, addr)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("dialled %d times, want once: nothing ever answered there, so retrying only delays the error", n)
	}
	if !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), testToken) {
		t.Errorf("message = %q, want the URL tried and never the token", err)
	}
}

func TestRequestTimeout_ReadsAreRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithLatency(300*time.Millisecond), datocmstest.WithRateLimit(0))
	c := newClient(t, srv, func(cfg *datocms.Config) { cfg.RequestTimeout = 50 * time.Millisecond; cfg.MaxRetries = 2 })
	_, err := c.UploadReferences(testContext(t), "x")
	if err == nil || !strings.Contains(err.Error(), "no answer from DatoCMS after 50ms") {
		t.Fatalf("err = %v, want a per-request timeout", err)
	}
	// Requests are logged when they arrive, before the latency.
	if n := srv.CountRequests("GET", "/uploads/x/references"); n != 3 {
		t.Errorf("sent %d requests, want 1 + MaxRetries", n)
	}
}

// TestStorage_FollowsRedirects: storage may answer a PUT with 307/308; the body is sent again.
func TestStorage_FollowsRedirects(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithRateLimit(0))
	backend := srv.URL()
	var redirected int
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/storage/") {
			redirected++
			http.Redirect(w, r, backend+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return
		}
		proxyTo(t, backend, w, r)
	}))
	t.Cleanup(front.Close)
	srv.SetBaseURL(front.URL) // storage URLs now point at the redirecting front
	c := newClient(t, srv, func(cfg *datocms.Config) { cfg.BaseURL = front.URL })
	ctx := testContext(t)
	content := []byte("redirected bytes")
	up := createUpload(ctx, t, c, "r.txt", content, datocms.CreateUploadInput{})
	if redirected != 1 || up.MD5 != md5Hex(content) {
		t.Errorf("redirects = %d, md5 = %s; want 1 redirect and the file's md5", redirected, up.MD5)
	}
}

// proxyTo forwards a CMA request to the server at backend.
func proxyTo(t *testing.T, backend string, w http.ResponseWriter, r *http.Request) {
	t.Helper()
	req, err := http.NewRequestWithContext(r.Context(), r.Method, backend+r.URL.RequestURI(), r.Body)
	if err != nil {
		t.Error(err)
		return
	}
	req.Header = r.Header.Clone()
	req.ContentLength = r.ContentLength
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		_, _ = w.Write(buf[:n])
		if err != nil {
			return
		}
	}
}

func TestStorage_ContentTypeIsPlain(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithRateLimit(0))
	c := newClient(t, srv)
	ctx := testContext(t)
	for name, want := range map[string]string{
		"notes.TXT": "text/plain", "data.csv": "text/csv", "page.html": "text/html", "a.svg": "image/svg+xml",
		"clip.mp4": "video/mp4", "archive.unknownext": "application/octet-stream", "noext": "application/octet-stream",
	} {
		srv.ResetRequests()
		uploadFile(ctx, t, c, writeFile(t, name, []byte("x")))
		puts := storageRequests(srv)
		if len(puts) != 1 || puts[0].Header.Get("Content-Type") != want {
			t.Errorf("%s: Content-Type = %q, want %q", name, puts[0].Header.Get("Content-Type"), want)
		}
	}
}

// The API token goes only where the request went: a redirect to another port (another
// origin) is followed without it, and a redirect to plain http off loopback is refused.
func TestRedirects_TokenStaysWithItsOrigin(t *testing.T) {
	t.Parallel()
	var leaked atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"type":"site","id":"1","attributes":{"locales":["en"]},"meta":{}}}`))
	}))
	t.Cleanup(other.Close)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/site":
			http.Redirect(w, r, other.URL+"/site", http.StatusTemporaryRedirect)
		default:
			http.Redirect(w, r, "http://example.com/site", http.StatusTemporaryRedirect)
		}
	}))
	t.Cleanup(front.Close)
	c, err := datocms.New(datocms.Config{Token: testToken, BaseURL: front.URL, RateLimit: -1, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Site(testContext(t)); err != nil {
		t.Fatalf("Site through a redirect: %v", err)
	}
	if got, _ := leaked.Load().(string); got != "" {
		t.Errorf("the token went to another origin: Authorization %q", got)
	}
	_, err = c.GetUpload(testContext(t), "x")
	if err == nil || !strings.Contains(err.Error(), "refused a redirect to http://example.com") {
		t.Errorf("a redirect to plain http off loopback: %v, want it refused", err)
	}
	if strings.Contains(fmt.Sprint(err), testToken) {
		t.Errorf("the error holds the token: %v", err)
	}
}

// A base URL with a user name or password is refused, and the error never shows it.
func TestBaseURL_Credentials(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://me:s3cret@site-api.datocms.com", "https://s3cret@site-api.datocms.com", "https://me:s3cret@bad host/"} {
		_, err := datocms.New(datocms.Config{Token: testToken, BaseURL: base})
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("base URL %s: %v, want an error without the password", strings.ReplaceAll(base, "s3cret", "***"), err)
		}
	}
}
