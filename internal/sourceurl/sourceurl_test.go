package sourceurl

import (
	"crypto/md5" //nolint:gosec // test of MD5 pins
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func serve(t *testing.T, body []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file":
			_, _ = w.Write(body)
		case "/elsewhere":
			http.Redirect(w, r, "http://example.com/file", http.StatusFound)
		case "/hop":
			http.Redirect(w, r, "/file", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func sums(b []byte) (string, string) {
	s, m := sha256.Sum256(b), md5.Sum(b) //nolint:gosec // test
	return hex.EncodeToString(s[:]), hex.EncodeToString(m[:])
}

func TestDownload(t *testing.T) {
	t.Parallel()
	body := []byte(strings.Repeat("brand logo ", 100000))
	sha, md := sums(body)
	srv := serve(t, body)
	dir := t.TempDir()
	var progress []int64
	inDir := func(pattern string) (*os.File, error) { return os.CreateTemp(dir, pattern) }
	d := Downloader{CreateTemp: inDir, MaxSize: 10 << 20, Progress: func(done, _ int64) { progress = append(progress, done) }}

	for _, pin := range []Pin{{SHA256: sha}, {MD5: strings.ToUpper(md)}, {SHA256: sha, MD5: md}} {
		f, err := d.Download(t.Context(), srv.URL+"/hop", pin)
		if err != nil {
			t.Fatalf("pin %+v: %v", pin, err)
		}
		got, _ := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
		if string(got) != string(body) || f.SHA256 != sha || f.MD5 != md {
			t.Errorf("pin %+v: %d bytes, sha %s, md5 %s", pin, len(got), f.SHA256, f.MD5)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("the temporary file has a name in %s while open: %v", dir, entries)
		}
		f.Close()
	}
	if len(progress) == 0 || progress[len(progress)-1] != int64(len(body)) {
		t.Errorf("progress: %v", progress)
	}

	_, err := d.Download(t.Context(), srv.URL+"/file", Pin{SHA256: strings.Repeat("0", 64)})
	var mismatch *MismatchError
	if !errors.As(err, &mismatch) || mismatch.Got != sha || mismatch.Pinned != strings.Repeat("0", 64) || !strings.Contains(err.Error(), sha) {
		t.Errorf("a wrong pin: %v", err)
	}
	small := Downloader{CreateTemp: inDir, MaxSize: 1000}
	var tooLarge *TooLargeError
	if _, err := small.Download(t.Context(), srv.URL+"/file", Pin{SHA256: sha}); !errors.As(err, &tooLarge) {
		t.Errorf("past the size limit: %v", err)
	}
	if _, err := d.Download(t.Context(), srv.URL+"/elsewhere", Pin{SHA256: sha}); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("a redirect to plain http off loopback: %v", err)
	}
	if _, err := d.Download(t.Context(), srv.URL+"/loop", Pin{SHA256: sha}); err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Errorf("a redirect loop: %v", err)
	}
	if _, err := d.Download(t.Context(), srv.URL+"/missing", Pin{SHA256: sha}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a missing file: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("downloads left files behind: %v", entries)
	}
}

// TestDownload_cleansLeftovers: a download named in the directory by a run that never
// closed it (where names outlive their process) is removed by a later run once stale.
func TestDownload_cleansLeftovers(t *testing.T) {
	t.Parallel()
	body := []byte("leftover test")
	sha, _ := sums(body)
	srv := serve(t, body)
	dir := t.TempDir()
	stale, fresh := filepath.Join(dir, "datocms-download-1.part"), filepath.Join(dir, "datocms-download-2.part")
	for _, name := range []string{stale, fresh} {
		if err := os.WriteFile(name, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleAge)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	inDir := func(pattern string) (*os.File, error) { return os.CreateTemp(dir, pattern) }
	f, err := Downloader{CreateTemp: inDir}.Download(t.Context(), srv.URL+"/file", Pin{SHA256: sha})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale leftover is still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a recent download (maybe another run's) was removed: %v", err)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]string{
		"https://example.com/a.png":          "",
		"http://127.0.0.1:8080/a.png":        "",
		"http://example.com/a.png":           "plain http",
		"ftp://example.com/a.png":            "must use https",
		"https://me:s3cret@example.com/a":    "user name or password",
		"https://example.com/a.png#fragment": "fragment",
		"a.png":                              "absolute URL",
	} {
		err := Check(u)
		switch {
		case want == "" && err != nil, want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("Check(%q) = %v, want %q", u, err, want)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("Check(%q) repeats the password: %v", u, err)
		}
	}
}
