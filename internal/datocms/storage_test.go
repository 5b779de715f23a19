package datocms_test

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// storageRequests returns the storage PUTs the server received.
func storageRequests(srv *datocmstest.Server) []datocmstest.Request {
	var out []datocmstest.Request
	for _, r := range srv.Requests() {
		if r.Kind == "storage" {
			out = append(out, r)
		}
	}
	return out
}

func TestUploadFile_StorageRequest(t *testing.T) {
	t.Parallel()
	srv := newServer(t,
		datocmstest.WithEnvironments("main", "dev"),
		datocmstest.WithStorageRequestHeaders(map[string]string{"x-amz-acl": "public-read", "x-custom-pin": "v1"}))
	c := newClient(t, srv, func(cfg *datocms.Config) { cfg.Environment = "dev" })
	ctx := testContext(t)
	content := pngBytes(t, 3, 3, 9)

	f := uploadFile(ctx, t, c, writeFile(t, "photo.png", content))
	puts := storageRequests(srv)
	if len(puts) != 1 {
		t.Fatalf("%d storage PUTs, want 1", len(puts))
	}
	r := puts[0]
	if r.Method != "PUT" || r.BodySize != int64(len(content)) || r.Status != 200 {
		t.Errorf("storage request = %s, %d bytes, status %d", r.Method, r.BodySize, r.Status)
	}
	if r.Header.Get("X-Amz-Acl") != "public-read" || r.Header.Get("X-Custom-Pin") != "v1" {
		t.Errorf("request_headers not sent verbatim: %v", r.Header)
	}
	if ct := r.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type = %q, want image/png", ct)
	}
	for _, h := range []string{"Authorization", "X-Api-Version", "X-Environment"} {
		if _, ok := r.Header[h]; ok {
			t.Errorf("storage PUT carries %s", h)
		}
	}
	if _, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path}); err != nil {
		t.Fatalf("CreateUpload after the storage PUT: %v", err)
	}
}

func TestUploadFile_StorageFailures(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	path := writeFile(t, "a.bin", []byte("payload"))

	srv.FailNextStoragePuts(2, 500)
	f, err := c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedMD5: md5Hex([]byte("payload")), ExpectedSize: 7})
	if err != nil {
		t.Fatalf("UploadFile after two 500s: %v", err)
	}
	if n := len(storageRequests(srv)); n != 3 {
		t.Errorf("%d storage PUTs, want 3 (two 500s, then success)", n)
	}
	if _, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path}); err != nil {
		t.Fatalf("CreateUpload: %v", err)
	}

	srv.ResetRequests()
	srv.FailNextStoragePuts(1, 403)
	_, err = c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedSize: -1})
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("err = %v, want the 403", err)
	}
	if msg := err.Error(); strings.Contains(msg, "signature") || strings.Contains(msg, "expires") || strings.Contains(msg, "?") {
		t.Errorf("error leaks the signed URL query: %q", msg)
	}
	if n := len(storageRequests(srv)); n != 1 {
		t.Errorf("%d storage PUTs after a 403, want 1 (no retry)", n)
	}

	// An outage outlasts the retries: the 500 comes back after 1 + MaxRetries attempts.
	srv.ResetRequests()
	few := newClient(t, srv, func(cfg *datocms.Config) { cfg.MaxRetries = 2 })
	srv.FailNextStoragePuts(5, 500)
	if _, err := few.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedSize: -1}); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("err = %v, want the 500 after 3 attempts", err)
	}
	if n := len(storageRequests(srv)); n != 3 {
		t.Errorf("%d storage PUTs, want 1 + MaxRetries = 3", n)
	}

	// 429s (storage behind a CDN throttles) never use up the retries.
	srv.ResetRequests()
	if err := srv.SetFaultRules(datocmstest.FaultRule{Method: "PUT", Path: "/storage/", Action: "status", Status: 429, Times: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := few.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedSize: -1}); err != nil {
		t.Fatalf("UploadFile after four 429s: %v", err)
	}
	if n := len(storageRequests(srv)); n != 5 {
		t.Errorf("%d storage PUTs, want 5 (four 429s, then success)", n)
	}
}

func TestUploadFile_FileChanged(t *testing.T) {
	t.Parallel()
	planned := []byte("the planned content")
	current := []byte("the CHANGED content") // same size

	t.Run("content", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newClient(t, srv)
		ctx := testContext(t)
		path := writeFile(t, "a.txt", current)

		_, err := c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedMD5: md5Hex(planned), ExpectedSize: int64(len(planned))})
		var changed *datocms.FileChangedError
		if !errors.As(err, &changed) {
			t.Fatalf("err = %v, want *FileChangedError", err)
		}
		if changed.ExpectedMD5 != md5Hex(planned) || changed.ActualMD5 != md5Hex(current) || changed.LocalPath != path {
			t.Errorf("FileChangedError = %+v", changed)
		}
		if want := "changed since the plan was made: planned md5 " + md5Hex(planned) + ", now " + md5Hex(current); !strings.Contains(err.Error(), want) {
			t.Errorf("message = %q", err)
		}
		puts := storageRequests(srv)
		for _, r := range puts {
			if r.Status >= 200 && r.Status <= 299 {
				t.Errorf("storage accepted the changed file: %+v", r)
			}
		}
		if len(puts) > 1 {
			t.Errorf("%d storage PUTs, want no retry of a changed file", len(puts))
		}
		// The slot stays empty: creating an upload from it fails.
		if len(puts) == 1 {
			slot := "/" + strings.TrimPrefix(puts[0].Path, "/storage/")
			if _, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: slot}); !datocms.HasCode(err, "INVALID_FIELD") {
				t.Errorf("CreateUpload from the aborted slot: err = %v, want INVALID_FIELD", err)
			}
		}
		if n := len(srv.Uploads("")); n != 0 {
			t.Errorf("server has %d uploads", n)
		}
	})
	t.Run("size", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newClient(t, srv)
		path := writeFile(t, "a.txt", append(current, '!'))
		_, err := c.UploadFile(testContext(t), datocms.UploadFileInput{LocalPath: path, ExpectedMD5: md5Hex(planned), ExpectedSize: int64(len(planned))})
		var changed *datocms.FileChangedError
		if !errors.As(err, &changed) || changed.ActualSize != int64(len(planned))+1 {
			t.Fatalf("err = %v, want *FileChangedError with the new size", err)
		}
		if n := srv.WriteCount(); n != 0 {
			t.Errorf("%d writes reached the server, want none", n)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t)
		c := newClient(t, srv)
		_, err := c.UploadFile(testContext(t), datocms.UploadFileInput{LocalPath: filepath.Join(t.TempDir(), "nope"), ExpectedSize: -1})
		if !errors.Is(err, os.ErrNotExist) || srv.WriteCount() != 0 {
			t.Errorf("err = %v, writes %d", err, srv.WriteCount())
		}
	})
}

func TestUploadFile_EmptyFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	f, err := c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: writeFile(t, "empty.txt", nil), ExpectedMD5: md5Hex(nil), ExpectedSize: 0})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	if f.Size != 0 || f.MD5 != md5Hex(nil) {
		t.Errorf("UploadedFile = %+v", f)
	}
}

// heapInUse reads the bytes of in-use heap spans (MemStats.HeapInuse) without stopping the
// world, so it can be sampled every millisecond.
func heapInUse(samples []metrics.Sample) uint64 {
	metrics.Read(samples)
	return samples[0].Value.Uint64() + samples[1].Value.Uint64()
}

// writeSparseFile writes a sparse file of size bytes with random 1 MiB blocks spread through
// it, so the hash covers real data, and returns its MD5. The block buffer lives only in this
// call, so it is garbage by the time the caller measures the heap.
func writeSparseFile(t *testing.T, path string, size int64) string {
	t.Helper()
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 1<<20)
	for off := int64(0); off < size; off += 32 << 20 {
		rand.Read(block)
		if _, err := file.WriteAt(block, off); err != nil {
			t.Fatal(err)
		}
	}
	if err := file.Truncate(size); err != nil {
		t.Fatal(err)
	}
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(file, 0, size)); err != nil {
		t.Fatal(err)
	}
	file.Close()
	return hex.EncodeToString(h.Sum(nil))
}

// TestCreateUpload_StreamsLargeFile uploads 256 MiB with client and server in one process
// and checks that the heap never grows by more than 32 MiB: neither side may hold the file.
func TestCreateUpload_StreamsLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 256 MiB")
	}
	const size = 256 << 20
	path := filepath.Join(t.TempDir(), "big.bin")
	sum := writeSparseFile(t, path, size)

	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	createUpload(ctx, t, c, "warmup.txt", []byte("warm up connections and buffers"), datocms.CreateUploadInput{})

	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	runtime.GC()
	base := heapInUse(samples)
	stop, peakc := make(chan struct{}), make(chan uint64)
	go func() {
		peak := base
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peakc <- max(peak, heapInUse(samples))
				return
			case <-tick.C:
				peak = max(peak, heapInUse(samples))
			}
		}
	}()

	start := time.Now()
	f, err := c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedMD5: sum, ExpectedSize: size})
	var up *datocms.Upload
	if err == nil {
		up, err = c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path})
	}
	close(stop)
	peak := <-peakc
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	growth := int64(peak) - int64(base)
	t.Logf("256 MiB upload in %v: heap in use %.1f MiB at start, peak %.1f MiB, growth %.1f MiB",
		time.Since(start).Round(time.Millisecond), float64(base)/(1<<20), float64(peak)/(1<<20), float64(growth)/(1<<20))
	if growth >= 32<<20 {
		t.Errorf("peak heap growth %.1f MiB, want < 32 MiB", float64(growth)/(1<<20))
	}
	if up.MD5 != sum || up.Size != size {
		t.Errorf("server md5 %s size %d, want %s %d", up.MD5, up.Size, sum, int64(size))
	}
}

// Content held in memory (inline content) is sent as a file would be, retried after a storage
// failure from its first byte, and checked against the planned MD5: no temporary file.
func TestUploadFile_FromMemory(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	content := []byte("robots: all\n")
	sum := md5.Sum(content)
	srv.FailNextStoragePuts(1, 500)
	f, err := c.UploadFile(ctx, datocms.UploadFileInput{Data: bytes.NewReader(content), Filename: "robots.txt", ExpectedMD5: hex.EncodeToString(sum[:]), ExpectedSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.FileBytes("", up.ID); string(got) != string(content) || up.Filename != "robots.txt" {
		t.Errorf("stored %q as %s", got, up.Filename)
	}
	_, err = c.UploadFile(ctx, datocms.UploadFileInput{Data: bytes.NewReader([]byte("other")), Filename: "robots.txt", ExpectedMD5: hex.EncodeToString(sum[:]), ExpectedSize: -1})
	var changed *datocms.FileChangedError
	if !errors.As(err, &changed) || changed.LocalPath != "robots.txt" {
		t.Errorf("content that is not the planned one: %v", err)
	}
}

// A transfer over 64 MiB logs its progress at INFO each tenth of the way, with its rate and
// an estimate of the time left; a smaller one logs none.
func TestUploadFile_Progress(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	var log infoLog
	c := newClient(t, srv, log.into)
	ctx := testContext(t)
	small := writeFile(t, "small.bin", make([]byte, 1<<20))
	uploadFile(ctx, t, c, small)
	if logged := log.String(); logged != "" {
		t.Errorf("a 1 MiB upload logged at INFO:\n%s", logged)
	}
	large := filepath.Join(t.TempDir(), "large.bin")
	f, err := os.Create(large)
	if err == nil {
		err = f.Truncate(65<<20 + 1)
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	uploadFile(ctx, t, c, large)
	logged := log.String()
	lines := strings.Count(logged, "uploading large.bin: ")
	if lines != 10 || !strings.Contains(logged, "uploading large.bin: 100% (65.0 MiB of 65.0 MiB, ") ||
		!regexp.MustCompile(`uploading large.bin: 10% \(6.5 MiB of 65.0 MiB, [0-9.]+ MiB/s, about [0-9hms.]+ left\)`).MatchString(logged) {
		t.Errorf("%d progress lines, want 10 (one per tenth, with rate and time left):\n%s", lines, logged)
	}
}

// infoLog collects a client's INFO log as text. Writes are locked: the client logs from the
// goroutines of its transfers while a test reads.
type infoLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

// into is a newClient option that logs to l.
func (l *infoLog) into(cfg *datocms.Config) {
	cfg.Logger = slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func (l *infoLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *infoLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestProgress_unknownSize: a transfer of unknown size logs each 64 MiB, and never a share.
func TestProgress_unknownSize(t *testing.T) {
	t.Parallel()
	var log infoLog
	c := newClient(t, newServer(t), log.into)
	report := c.Progress(testContext(t), "downloading film.mp4", -1)
	for done := int64(0); done <= 200<<20; done += 1 << 20 {
		report(done)
	}
	logged := log.String()
	if n := strings.Count(logged, "downloading film.mp4: "); n != 3 || !strings.Contains(logged, "192.0 MiB so far") ||
		strings.Contains(logged, "%") {
		t.Errorf("%d progress lines, want 3 (64, 128 and 192 MiB so far):\n%s", n, logged)
	}
}
