package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// Fixtures shared by the upload collection and data source tests.

// apiClient is a DatoCMS client for srv, for tests that set up or change the world as
// another user of the project would (the UI, a script), through the API.
func apiClient(t *testing.T, srv *datocmstest.Server) *datocms.Client {
	t.Helper()
	c, err := datocms.New(datocms.Config{
		Token: testToken, BaseURL: srv.URL(), RateLimit: -1,
		PollInitial: 5 * time.Millisecond, PollMax: 50 * time.Millisecond, RetryBase: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// seedUpload describes an upload to create before a test.
type seedUpload struct {
	name    string // file name given to DatoCMS
	content []byte
	in      datocms.CreateUploadInput
}

// seedUploads creates the uploads through the API, a few at a time, and returns them in
// the order given.
func seedUploads(t *testing.T, srv *datocmstest.Server, seeds []seedUpload) []*datocms.Upload {
	t.Helper()
	c := apiClient(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	paths := make([]string, len(seeds))
	for i, s := range seeds {
		paths[i] = filepath.Join(dir, fmt.Sprint(i), s.name)
		writeFile(t, paths[i], s.content)
	}
	out := make([]*datocms.Upload, len(seeds))
	errs := make([]error, len(seeds))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = createSeed(ctx, c, paths[i], seeds[i].in)
			}
		})
	}
	for i := range seeds {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("seeding upload %d (%s): %v", i, seeds[i].name, err)
		}
	}
	return out
}

func createSeed(ctx context.Context, c *datocms.Client, path string, in datocms.CreateUploadInput) (*datocms.Upload, error) {
	f, err := c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedSize: -1})
	if err != nil {
		return nil, err
	}
	in.Path = f.Path
	return c.CreateUpload(ctx, in)
}

// uploadsWithIDs checks a list of uploads by id, in order.
func uploadsWithIDs(ids []string) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(ids))
	for _, id := range ids {
		checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}))
	}
	return knownvalue.ListExact(checks)
}

// pngContent returns the bytes of a small PNG whose pixels depend on shade.
func pngContent(t *testing.T, shade uint8) []byte {
	t.Helper()
	return readFile(t, writePNG(t, filepath.Join(t.TempDir(), "p.png"), shade, 8, 6))
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serverUploads returns the ids of the server's uploads that keep selects, in the API's
// default order (creation, then id).
func serverUploads(srv *datocmstest.Server, keep func(up datocmstest.Upload) bool) []string {
	ids := []string{}
	for _, up := range srv.Uploads("") {
		if keep(up) {
			ids = append(ids, up.ID)
		}
	}
	return ids
}
