package datocms_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

const testToken = "tok-3f9c2a77-secret-value"

// newServer starts a local API server that only accepts testToken.
func newServer(t testing.TB, opts ...datocmstest.Option) *datocmstest.Server {
	t.Helper()
	return datocmstest.NewServer(t, append([]datocmstest.Option{datocmstest.WithToken(testToken)}, opts...)...)
}

// newClient returns a client for srv with short waits, so retries and polls stay fast.
func newClient(t testing.TB, srv *datocmstest.Server, edit ...func(*datocms.Config)) *datocms.Client {
	t.Helper()
	cfg := datocms.Config{
		Token:       testToken,
		BaseURL:     srv.URL(),
		PollInitial: 5 * time.Millisecond,
		PollMax:     50 * time.Millisecond,
		RetryBase:   10 * time.Millisecond,
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := datocms.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// testContext bounds every test call so a bug cannot hang the suite.
func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// writeFile writes content to name in a fresh temp dir and returns its path.
func writeFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pngBytes returns a small valid PNG whose pixels depend on seed.
func pngBytes(t testing.TB, w, h int, seed uint8) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{R: seed, G: uint8(x), B: uint8(y), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// uploadFile streams a local file to storage with the client, failing the test on error.
func uploadFile(ctx context.Context, t testing.TB, c *datocms.Client, path string) *datocms.UploadedFile {
	t.Helper()
	f, err := c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedSize: -1})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	return f
}

// createUpload uploads content as name and creates an upload from it.
func createUpload(ctx context.Context, t testing.TB, c *datocms.Client, name string, content []byte, in datocms.CreateUploadInput) *datocms.Upload {
	t.Helper()
	f := uploadFile(ctx, t, c, writeFile(t, name, content))
	in.Path = f.Path
	up, err := c.CreateUpload(ctx, in)
	if err != nil {
		t.Fatalf("CreateUpload: %v", err)
	}
	return up
}

// requestsTo returns the logged requests with this method and exact path.
func requestsTo(srv *datocmstest.Server, method, path string) []datocmstest.Request {
	var out []datocmstest.Request
	for _, r := range srv.Requests() {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// attributes returns data.attributes of a logged JSON:API request body.
func attributes(t testing.TB, r datocmstest.Request) map[string]any {
	t.Helper()
	data, _ := r.Body.(map[string]any)["data"].(map[string]any)
	attrs, ok := data["attributes"].(map[string]any)
	if !ok {
		t.Fatalf("%s %s: body has no data.attributes: %v", r.Method, r.Path, r.Body)
	}
	return attrs
}

func ptr[T any](v T) *T { return &v }

// asJSON renders v for readable failure messages.
func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
