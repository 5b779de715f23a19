package datocmstest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAdminSeed(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "sandbox"))
	sb := c.inEnv("sandbox")
	own := sb.createUpload("own.txt", []byte("mine"), nil)
	s.ResetRequests()

	// Older than the upload that exists: they come first in list order.
	created := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	r := adminDo(t, s, "POST", "/_local/seed", map[string]any{"count": 1200, "environment": "sandbox", "created_at": created.Format(time.RFC3339)})
	r.want(t, 201)
	if r.doc.(map[string]any)["created"] != 1200.0 || r.doc.(map[string]any)["total"] != 1201.0 || r.doc.(map[string]any)["environment"] != "sandbox" {
		t.Errorf("answer %s", r.raw)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("seeding logged %d requests", n)
	}
	if n := len(s.Uploads("main")); n != 0 {
		t.Errorf("main got %d uploads", n)
	}

	ups := s.Uploads("sandbox")
	if len(ups) != 1201 || ups[1200].ID != own["id"] {
		t.Fatalf("sandbox holds %d uploads, the last is %s", len(ups), ups[len(ups)-1].ID)
	}
	ids, paths := map[string]bool{}, map[string]bool{}
	for i, u := range ups[:1200] {
		if want := created.Add(time.Duration(i) * time.Millisecond); !u.CreatedAt.Equal(want) {
			t.Fatalf("upload %d created at %s, want %s", i, u.CreatedAt, want)
		}
		if !validEntityID(u.ID) || ids[u.ID] || paths[u.Path] || !strings.HasPrefix(u.Filename, "seed-") || u.Size != int64(len(seedContent)) {
			t.Fatalf("upload %d: %+v", i, u)
		}
		ids[u.ID], paths[u.Path] = true, true
	}

	// They are ordinary uploads: listed with the right total, readable by id, served.
	list := sb.do("GET", "/uploads?page[limit]=500", nil)
	list.want(t, 200)
	if dig(list.doc, "meta", "total_count") != 1201.0 || dig(list.doc, "data", "0", "id") != ups[0].ID {
		t.Errorf("list: total %v, first %v", dig(list.doc, "meta", "total_count"), dig(list.doc, "data", "0", "id"))
	}
	one := sb.do("GET", "/uploads/"+ups[7].ID, nil)
	one.want(t, 200)
	if one.attr("filename") != ups[7].Filename || one.attr("mime_type") != "text/plain" {
		t.Errorf("upload %s", one.raw)
	}
	resp, err := http.Get(ups[7].URL) //nolint:noctx // a test
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != seedContent {
		t.Errorf("asset: %d %q", resp.StatusCode, body)
	}

	// Without created_at the newest seeded upload was created now, after every other.
	adminDo(t, s, "POST", "/_local/seed", map[string]any{"count": 3}).want(t, 201)
	main := s.Uploads("main")
	if len(main) != 3 || time.Since(main[2].CreatedAt) > time.Minute || main[2].CreatedAt.Sub(main[0].CreatedAt) != 2*time.Millisecond {
		t.Errorf("main: %+v", main)
	}
	// Deleting a seeded upload leaves the others' shared file in place.
	if err := s.DeleteUpload("main", main[0].ID); err != nil {
		t.Fatal(err)
	}
	if b, err := s.FileBytes("main", main[1].ID); err != nil || string(b) != seedContent {
		t.Errorf("after a delete: %q %v", b, err)
	}

	for _, bad := range []map[string]any{
		{"count": 0}, {"count": maxSeedCount + 1}, {"count": 1, "environment": "nope"}, {"count": 1, "typo": true}, {"count": 1, "created_at": "yesterday"},
	} {
		if r := adminDo(t, s, "POST", "/_local/seed", bad); r.status != 400 || dig(r.doc, "error") == nil {
			t.Errorf("%v: %d %s", bad, r.status, r.raw)
		}
	}
	adminDo(t, s, "GET", "/_local/seed", nil).want(t, 405)
	if n := len(s.Uploads("main")); n != 2 {
		t.Errorf("bad requests changed main: %d uploads", n)
	}
}
