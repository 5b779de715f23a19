package datocms

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// readsFixture is a server holding n uploads and a fresh client whose batched reads use
// small pages, so that paging and the snapshot rule show with a handful of uploads.
func readsFixture(t *testing.T, n, batchSize, pageSize, snapshotMax int) (*datocmstest.Server, *Client, []string) {
	t.Helper()
	srv := datocmstest.NewServer(t, datocmstest.WithToken("tok"), datocmstest.WithRateLimit(0))
	newClient := func() *Client {
		c, err := New(Config{Token: "tok", BaseURL: srv.URL(), RateLimit: -1, PollInitial: 2 * time.Millisecond, RetryBase: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()
	setup := newClient()
	ids := make([]string, n)
	for i := range n {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("f%d.txt", i))
		if err := os.WriteFile(path, []byte(fmt.Sprint("content ", i)), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := setup.UploadFile(ctx, UploadFileInput{LocalPath: path, ExpectedSize: -1})
		if err != nil {
			t.Fatal(err)
		}
		up, err := setup.CreateUpload(ctx, CreateUploadInput{Path: f.Path})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = up.ID
	}
	c := newClient()
	c.reads.batchSize, c.reads.pageSize, c.reads.snapshotMaxSize = batchSize, pageSize, snapshotMax
	srv.ResetRequests()
	return srv, c, ids
}

// readAll reads ids concurrently, as terraform's refresh does, and checks each answer.
func readAll(t *testing.T, c *Client, ids []string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			up, err := c.GetUpload(context.Background(), id)
			if err != nil || up.ID != id || up.MD5 == "" {
				t.Errorf("GetUpload(%s) = %+v, %v", id, up, err)
			}
		}()
	}
	wg.Wait()
}

// requestLines renders the server's log as "METHOD path?query status" lines.
func requestLines(srv *datocmstest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, fmt.Sprintf("%s %s?%s %d", r.Method, r.Path, r.Query.Encode(), r.Status))
	}
	return out
}

func TestGetUpload_SmallEnvironmentIsOneRequest(t *testing.T) {
	t.Parallel()
	srv, c, ids := readsFixture(t, 12, maxBatchIDs, snapshotPageSize, snapshotMaxUploads)
	readAll(t, c, ids)
	readAll(t, c, ids) // answered from the snapshot: no request
	if lines := requestLines(srv); len(lines) != 1 || !strings.HasPrefix(lines[0], "GET /uploads?page%5Blimit%5D=500&page%5Boffset%5D=0 200") {
		t.Errorf("requests = %q, want one listing page", lines)
	}
}

func TestGetUpload_SnapshotOnceItPaysOff(t *testing.T) {
	t.Parallel()
	// 12 uploads in pages of 5: the probe lists 5; the other 2 pages are fetched once they
	// cost no more than the batches already sent (one), so the second round completes it.
	srv, c, ids := readsFixture(t, 12, 3, 5, 100)
	readAll(t, c, ids[10:12]) // probe (page 0), then one batch by id: ids 10 and 11 are on page 2
	readAll(t, c, ids[5:7])   // remaining pages (2) <= batches+1 (2): snapshot
	srv.ResetRequests()
	readAll(t, c, ids)
	if lines := requestLines(srv); len(lines) != 0 {
		t.Errorf("reads after the snapshot sent %q, want nothing", lines)
	}
}

func TestGetUpload_LargeEnvironmentBatchesByID(t *testing.T) {
	t.Parallel()
	// Over snapshotMax: never listed whole; concurrent reads share filtered requests of at
	// most batchSize ids.
	srv, c, ids := readsFixture(t, 12, 4, 5, 10)
	readAll(t, c, ids)
	lines := requestLines(srv)
	byID := 0
	for _, l := range lines {
		if strings.Contains(l, "filter%5Bids%5D=") {
			byID++
			if n := strings.Count(l, "%2C") + 1; n > 4 {
				t.Errorf("a batch asked for %d ids, want at most 4: %s", n, l)
			}
		}
	}
	if len(lines) > 1+3+1 || byID == 0 {
		t.Errorf("requests = %q, want the probe and a few batches by id (12 ids, 5 on the probe page)", lines)
	}
}

func TestGetUpload_MissingIsConfirmedByItsOwnGet(t *testing.T) {
	t.Parallel()
	srv, c, ids := readsFixture(t, 3, maxBatchIDs, snapshotPageSize, snapshotMaxUploads)
	if _, err := c.GetUpload(context.Background(), ids[0]); err != nil { // takes the snapshot
		t.Fatal(err)
	}
	if err := srv.DeleteUpload("", ids[1]); err != nil {
		t.Fatal(err)
	}
	// The snapshot still holds ids[1] (it is a point-in-time read); an id it never held is
	// asked about directly, and only that answer can say "gone".
	_, err := c.GetUpload(context.Background(), "Zm9yZ290dGVuLXVwbG9hZA")
	if !IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	if n := srv.CountRequests("GET", "/uploads/Zm9yZ290dGVuLXVwbG9hZA"); n != 1 {
		t.Errorf("missing upload confirmed with %d GETs, want 1", n)
	}

	// In a batch by id, the same.
	srv2, c2, ids2 := readsFixture(t, 4, 2, 2, 1)
	if err := srv2.DeleteUpload("", ids2[3]); err != nil {
		t.Fatal(err)
	}
	_, err = c2.GetUpload(context.Background(), ids2[3])
	if !IsNotFound(err) {
		t.Fatalf("batch: err = %v, want not found", err)
	}
	if n := srv2.CountRequests("GET", "/uploads/"+ids2[3]); n != 1 {
		t.Errorf("batch: missing upload confirmed with %d GETs, want 1: %q", n, requestLines(srv2))
	}
}

func TestGetUpload_WrittenUploadIsReadAgain(t *testing.T) {
	t.Parallel()
	srv, c, ids := readsFixture(t, 2, maxBatchIDs, snapshotPageSize, snapshotMaxUploads)
	ctx := context.Background()
	readAll(t, c, ids)
	notes := "changed"
	if _, err := c.UpdateUpload(ctx, ids[0], UpdateUploadInput{Notes: Set(notes)}); err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	up, err := c.GetUpload(ctx, ids[0])
	if err != nil || up.Notes == nil || *up.Notes != notes {
		t.Fatalf("GetUpload after an update = %+v, %v; want the new notes", up, err)
	}
	if n := srv.CountRequests("GET", "/uploads/"+ids[0]); n != 1 {
		t.Errorf("an upload this client changed was answered from the snapshot (%d GETs)", n)
	}
}

func TestGetUpload_CallerCancelled(t *testing.T) {
	t.Parallel()
	srv := datocmstest.NewServer(t, datocmstest.WithToken("tok"), datocmstest.WithLatency(2*time.Second))
	c, err := New(Config{Token: "tok", BaseURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// Waiting for the batch would end with its answer (a 404 for "x"), not the deadline.
	if _, err := c.GetUpload(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("GetUpload returned %v, want the caller's deadline", err)
	}
}

// What DatoCMS answers for an unknown ID in filter[ids] is not documented. Played both ways
// by the local server: whether it leaves the ID out or refuses the whole batch, every known
// upload of the batch is read and only the unknown one is reported gone.
func TestGetUpload_UnknownIDInABatch(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"omit", "reject"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			// Pages of 2 in an environment of 6 that may not be listed whole: the reads go by id.
			srv, c, ids := readsFixture(t, 6, 100, 2, 3)
			if err := srv.SetBehaviour(datocmstest.Behaviour{UnknownIDs: mode}); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for _, id := range append(ids[2:], "no-such-upload") {
				wg.Add(1)
				go func() {
					defer wg.Done()
					up, err := c.GetUpload(context.Background(), id)
					switch {
					case id == "no-such-upload" && !IsNotFound(err):
						t.Errorf("GetUpload of an unknown ID: %v, want not found", err)
					case id != "no-such-upload" && (err != nil || up.ID != id):
						t.Errorf("GetUpload(%s) = %+v, %v", id, up, err)
					}
				}()
			}
			wg.Wait()
			batches, refused := 0, 0
			for _, r := range srv.Requests() {
				if r.Path == "/uploads" && r.Query.Get("filter[ids]") != "" {
					batches++
					if r.Status == 422 {
						refused++
					}
				}
			}
			if batches == 0 || (mode == "reject") != (refused > 0) {
				t.Errorf("%s: %d batches, %d refused:\n%s", mode, batches, refused, strings.Join(requestLines(srv), "\n"))
			}
		})
	}
}
