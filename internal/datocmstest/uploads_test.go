package datocmstest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCreateJobLifecycle(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithJobDelay(300*time.Millisecond))
	content := []byte("hello world")
	path := c.putFile("Notes File.TXT", content)
	id := newEntityID()
	r := c.do("POST", "/uploads", uploadBody(id, map[string]any{
		"path": path, "author": "Ann", "copyright": nil, "notes": "n", "tags": []any{"b", "a"},
	}, nil))
	r.want(t, 202)
	jobID := dig(r.doc, "data", "id").(string)
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(jobID) || dig(r.doc, "data", "type") != "job" {
		t.Fatalf("job doc %s", r.raw)
	}
	// Pending: job 404, upload invisible, but its id is taken.
	c.do("GET", "/job-results/"+jobID, nil).wantError(t, 404, "NOT_FOUND")
	c.do("GET", "/uploads/"+id, nil).wantError(t, 404, "NOT_FOUND")
	if _, ok := s.Upload("", id); ok {
		t.Fatal("upload visible before its job completed")
	}
	dup := c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil))
	dup.wantError(t, 422, "INVALID_FIELD", "id", "VALIDATION_UNIQUENESS")

	res := c.waitJob(r)
	status, payload := jobPayload(res)
	if status != 201 || dig(res.doc, "data", "attributes", "statusText") != "Created" || dig(res.doc, "data", "type") != "job_result" || dig(res.doc, "data", "id") != jobID {
		t.Fatalf("job result %s", res.raw)
	}
	up := dig(payload, "data").(map[string]any)
	sum := md5.Sum(content)
	a := up["attributes"].(map[string]any)
	want := map[string]any{
		"filename": "notes-file.txt", "basename": "notes-file", "path": path, "size": float64(len(content)),
		"md5": hex.EncodeToString(sum[:]), "format": "txt", "mime_type": "text/plain", "is_image": false,
		"width": nil, "height": nil, "author": "Ann", "copyright": nil, "notes": "n", "blurhash": nil,
		"thumbhash": nil, "duration": nil, "frame_rate": nil, "mux_playback_id": nil, "mux_mp4_highest_res": nil,
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %#v, want %#v", k, a[k], v)
		}
	}
	if fmt.Sprint(a["tags"]) != "[b a]" || fmt.Sprint(a["smart_tags"]) != "[]" || fmt.Sprint(a["exif_info"]) != "map[]" || fmt.Sprint(a["colors"]) != "[]" {
		t.Errorf("lists: tags %v smart_tags %v exif %v colors %v", a["tags"], a["smart_tags"], a["exif_info"], a["colors"])
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(a["created_at"].(string)) {
		t.Errorf("created_at = %v", a["created_at"])
	}
	if dig(up, "relationships", "creator", "data", "type") != "access_token" || dig(up, "relationships", "upload_collection", "data") != nil {
		t.Errorf("relationships = %v", up["relationships"])
	}
	if dig(up, "meta", "antivirus", "status") != "clean" {
		t.Errorf("meta = %v", up["meta"])
	}
	// Now visible, and GET returns the same document.
	got := c.do("GET", "/uploads/"+id, nil)
	got.want(t, 200)
	if fmt.Sprint(got.doc.(map[string]any)["data"]) != fmt.Sprint(up) {
		t.Errorf("GET differs from job payload:\n%v\n%v", got.doc, up)
	}
	if u, ok := s.Upload("", id); !ok || u.MD5 != a["md5"] || u.URL != a["url"] || *u.Author != "Ann" {
		t.Errorf("Upload() = %+v", u)
	}
}

func TestCreateImageFacts(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t)
	a := c.createUpload("photo.png", pngBytes(t, 5, 3), nil)["attributes"].(map[string]any)
	if a["format"] != "png" || a["mime_type"] != "image/png" || a["width"] != 5.0 || a["height"] != 3.0 || a["is_image"] != true {
		t.Errorf("png facts: %v", a)
	}
	if bh, _ := a["blurhash"].(string); !strings.HasPrefix(bh, "L") || len(bh) != 21 || a["thumbhash"] == nil {
		t.Errorf("hashes: %v %v", a["blurhash"], a["thumbhash"])
	}
	for name, want := range map[string][2]any{
		"v.svg": {"image/svg+xml", true}, "x.webp": {"image/webp", true}, "d.pdf": {"application/pdf", false},
		"noext": {"application/octet-stream", false}, "m.MP4": {"video/mp4", false},
	} {
		a := c.createUpload(name, []byte("not an image"), nil)["attributes"].(map[string]any)
		if a["mime_type"] != want[0] || a["is_image"] != want[1] || a["width"] != nil {
			t.Errorf("%s: mime %v is_image %v width %v", name, a["mime_type"], a["is_image"], a["width"])
		}
		if name == "noext" && a["format"] != nil {
			t.Errorf("format without extension = %v", a["format"])
		}
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	path := c.putFile("a.txt", []byte("a"))
	unput, _, _ := c.uploadRequest("b.txt")
	existing := c.createUpload("c.txt", []byte("c"), nil)["id"].(string)
	_ = s
	tests := []struct {
		name   string
		body   any
		status int
		code   string
		detail []string
	}{
		{"wrong type", map[string]any{"data": map[string]any{"type": "item", "attributes": map[string]any{"path": path}}}, 422, "INVALID_TYPE", nil},
		{"no data", map[string]any{}, 422, "INVALID_FORMAT", []string{"data"}},
		{"bad id", uploadBody("not-an-id", map[string]any{"path": path}, nil), 422, "INVALID_ENTITY_ID", nil},
		{"id too large", uploadBody("281474976710656", map[string]any{"path": path}, nil), 422, "INVALID_ENTITY_ID", nil},
		{"id not a string", map[string]any{"data": map[string]any{"type": "upload", "id": 5, "attributes": map[string]any{"path": path}}}, 422, "INVALID_ENTITY_ID", nil},
		{"duplicate id", uploadBody(existing, map[string]any{"path": path}, nil), 422, "INVALID_FIELD", []string{"id", "VALIDATION_UNIQUENESS"}},
		{"missing path", uploadBody("", map[string]any{}, nil), 422, "INVALID_FIELD", []string{"path", "INVALID_FORMAT"}},
		{"unknown path", uploadBody("", map[string]any{"path": "/1234/nope.txt"}, nil), 422, "INVALID_FIELD", []string{"path", "INVALID_FORMAT"}},
		{"path never PUT", uploadBody("", map[string]any{"path": unput}, nil), 422, "INVALID_FIELD", []string{"path", "INVALID_FORMAT"}},
		{"read-only attribute", uploadBody("", map[string]any{"path": path, "size": 3}, nil), 422, "INVALID_ATTRIBUTES", []string{"size"}},
		{"basename on create", uploadBody("", map[string]any{"path": path, "basename": "x"}, nil), 422, "INVALID_ATTRIBUTES", []string{"basename"}},
		{"author not string", uploadBody("", map[string]any{"path": path, "author": 3}, nil), 422, "INVALID_FIELD", []string{"author", "INVALID_FORMAT"}},
		{"tags not strings", uploadBody("", map[string]any{"path": path, "tags": []any{1}}, nil), 422, "INVALID_FIELD", []string{"tags", "INVALID_FORMAT"}},
		{"field-keyed metadata in legacy env", uploadBody("", map[string]any{"path": path, "default_field_metadata": map[string]any{"alt": map[string]any{"en": "x"}}}, nil), 422, "INVALID_FORMAT", []string{"default_field_metadata"}},
		{"unknown collection", uploadBody("", map[string]any{"path": path}, map[string]any{"upload_collection": map[string]any{"data": map[string]any{"type": "upload_collection", "id": "nope"}}}), 422, "INVALID_FIELD", []string{"upload_collection", "INVALID_RELATIONSHIP"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c.do("POST", "/uploads", tt.body).wantError(t, tt.status, tt.code, tt.detail...)
		})
	}
	t.Run("accepted ids", func(t *testing.T) {
		t.Parallel()
		for _, id := range []string{"281474976710655", "42", newEntityID()} {
			c.waitJob(c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": path}, nil)))
			if _, ok := s.Upload("", id); !ok {
				t.Errorf("upload %s not created", id)
			}
		}
	})
}

func TestUpdateUpload(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	col := s.CreateUploadCollection("", "Heroes")
	up := c.createUpload("a.txt", []byte("a"), map[string]any{"author": "Ann", "notes": "keep", "tags": []any{"x"}})
	id := up["id"].(string)
	created := dig(up, "attributes", "updated_at")
	time.Sleep(2 * time.Millisecond)

	got := c.update(id, "", map[string]any{"author": nil, "copyright": "ACME", "tags": []any{"y", "z"}})
	a := got["attributes"].(map[string]any)
	if a["author"] != nil || a["copyright"] != "ACME" || a["notes"] != "keep" || fmt.Sprint(a["tags"]) != "[y z]" {
		t.Errorf("partial update: %v", a)
	}
	if a["updated_at"] == created || a["created_at"] != dig(up, "attributes", "created_at") {
		t.Errorf("timestamps: created %v updated %v", a["created_at"], a["updated_at"])
	}
	// Collection in, then out.
	res := c.waitJob(c.do("PUT", "/uploads/"+id, uploadBody(id, nil, map[string]any{"upload_collection": map[string]any{"data": map[string]any{"type": "upload_collection", "id": col}}})))
	if _, p := jobPayload(res); dig(p, "data", "relationships", "upload_collection", "data", "id") != col {
		t.Errorf("collection not set: %s", res.raw)
	}
	c.waitJob(c.do("PUT", "/uploads/"+id, uploadBody(id, nil, map[string]any{"upload_collection": map[string]any{"data": nil}})))
	if u, _ := s.Upload("", id); u.UploadCollectionID != nil {
		t.Errorf("collection not removed: %v", *u.UploadCollectionID)
	}

	c.do("PUT", "/uploads/nope", uploadBody("nope", nil, nil)).wantError(t, 404, "NOT_FOUND")
	c.do("PUT", "/uploads/"+id, uploadBody("other", nil, nil)).wantError(t, 422, "INVALID_FIELD", "id")
	c.do("PUT", "/uploads/"+id, uploadBody("", nil, nil)).wantError(t, 422, "INVALID_FIELD", "id")
	c.do("PUT", "/uploads/"+id+"?replace_strategy=nope", uploadBody(id, nil, nil)).wantError(t, 422, "INVALID_PARAMS")
	c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"basename": "no spaces"}, nil)).wantError(t, 422, "INVALID_FIELD", "basename", "INVALID_FORMAT")
	c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"md5": "x"}, nil)).wantError(t, 422, "INVALID_ATTRIBUTES")

	c.do("GET", "/uploads/"+id+"/references", nil).want(t, 200)
	c.do("GET", "/uploads/nope/references", nil).wantError(t, 404, "NOT_FOUND")
	del := c.do("DELETE", "/uploads/"+id, nil)
	del.want(t, 200)
	if dig(del.doc, "data", "id") != id {
		t.Errorf("delete body %s", del.raw)
	}
	c.do("GET", "/uploads/"+id, nil).wantError(t, 404, "NOT_FOUND")
	c.do("DELETE", "/uploads/"+id, nil).wantError(t, 404, "NOT_FOUND")
	if n := countBlobs(t, s); n != 0 {
		t.Errorf("%d blobs on disk after delete, want 0", n)
	}
}

func TestReplaceAndRename(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	up := c.createUpload("old.png", pngBytes(t, 2, 2), map[string]any{
		"author": "Ann", "tags": []any{"t"},
		"default_field_metadata": map[string]any{"en": map[string]any{"alt": "A", "focal_point": map[string]any{"x": 0.1, "y": 0.2}}},
	})
	id := up["id"].(string)
	oldURL := dig(up, "attributes", "url").(string)

	t.Run("create_new_url", func(t *testing.T) {
		newPath := c.putFile("New Name.png", pngBytes(t, 8, 6))
		a := c.update(id, "?replace_strategy=create_new_url", map[string]any{"path": newPath})["attributes"].(map[string]any)
		if a["path"] != newPath || a["filename"] != "new-name.png" || a["basename"] != "new-name" || a["width"] != 8.0 {
			t.Errorf("after replace: %v", a)
		}
		if a["author"] != "Ann" || fmt.Sprint(a["tags"]) != "[t]" || dig(a, "default_field_metadata", "en", "alt") != "A" || dig(a, "default_field_metadata", "it", "focal_point", "x") != 0.1 {
			t.Errorf("metadata not kept: %v", a)
		}
		if get(c, oldURL).status != 404 || get(c, a["url"].(string)).status != 200 {
			t.Error("old url should be 404 and new url 200")
		}
		oldURL = a["url"].(string)
	})
	t.Run("keep_url", func(t *testing.T) {
		newBytes := pngBytes(t, 9, 9)
		newPath := c.putFile("other.png", newBytes)
		a := c.update(id, "?replace_strategy=keep_url", map[string]any{"path": newPath})["attributes"].(map[string]any)
		if a["url"] != oldURL || a["filename"] != "new-name.png" || a["width"] != 9.0 {
			t.Errorf("keep_url: %v", a)
		}
		if r := get(c, oldURL); r.status != 200 || string(r.raw) != string(newBytes) {
			t.Errorf("keep_url: url does not serve the new bytes")
		}
	})
	t.Run("keep_url format mismatch", func(t *testing.T) {
		newPath := c.putFile("doc.txt", []byte("text"))
		r := c.do("PUT", "/uploads/"+id+"?replace_strategy=keep_url", uploadBody(id, map[string]any{"path": newPath}, nil))
		r.wantError(t, 422, "INVALID_FIELD", "replace_strategy", "FORMAT_MISMATCH")
	})
	t.Run("rename", func(t *testing.T) {
		before, _ := s.Upload("", id)
		// Strict: only slugified names are known to survive; anything else is refused.
		for _, bad := range []string{"Renamed_v2", "renamed_v2", "Renamed", "-lead", "a.b"} {
			c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"basename": bad}, nil)).wantError(t, 422, "INVALID_FIELD", "basename")
		}
		a := c.update(id, "", map[string]any{"basename": "renamed-v2"})["attributes"].(map[string]any)
		if a["basename"] != "renamed-v2" || a["filename"] != "renamed-v2.png" || !strings.HasSuffix(a["path"].(string), "-renamed-v2.png") || a["md5"] != before.MD5 {
			t.Errorf("rename: %v", a)
		}
		if get(c, before.URL).status != 404 || get(c, a["url"].(string)).status != 200 {
			t.Error("rename: old url should be 404 and new url 200")
		}
		// Sending the current basename and path changes nothing.
		same := c.update(id, "", map[string]any{"basename": "renamed-v2", "path": a["path"]})["attributes"].(map[string]any)
		if same["path"] != a["path"] {
			t.Errorf("no-op rename moved the file: %v", same["path"])
		}
	})
	t.Run("path then basename", func(t *testing.T) {
		newPath := c.putFile("third.png", pngBytes(t, 1, 1))
		a := c.update(id, "", map[string]any{"path": newPath, "basename": "final"})["attributes"].(map[string]any)
		if a["filename"] != "final.png" || a["width"] != 1.0 || a["path"] == newPath {
			t.Errorf("path+basename: %v", a)
		}
	})
	if u, _ := s.Upload("", id); u.ID != id {
		t.Errorf("replace changed the id")
	}
}

func TestSyncUpdates(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithSyncUpdates(true))
	id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
	r := c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"notes": "sync"}, nil))
	r.want(t, 200)
	if r.attr("notes") != "sync" {
		t.Errorf("sync update body %s", r.raw)
	}
}

func TestListDefaultPageSize(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithRateLimit(0))
	path := c.putFile("a.txt", []byte("a"))
	for range 31 {
		c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, nil)).want(t, http.StatusAccepted)
	}
	if n := len(s.Uploads("")); n != 31 {
		t.Fatalf("%d uploads", n)
	}
	r := c.do("GET", "/uploads", nil)
	if n := len(dig(r.doc, "data").([]any)); n != 30 || dig(r.doc, "meta", "total_count") != 31.0 {
		t.Errorf("default page: %d items, total %v", n, dig(r.doc, "meta", "total_count"))
	}
}

func TestEnvironmentSeparation(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "sandbox"), WithJobDelay(50*time.Millisecond))
	sb := c.inEnv("sandbox")
	id := sb.createUpload("a.txt", []byte("a"), nil)["id"].(string)
	c.do("GET", "/uploads/"+id, nil).wantError(t, 404, "NOT_FOUND")
	c.inEnv("main").do("GET", "/uploads/"+id, nil).wantError(t, 404, "NOT_FOUND")
	sb.do("GET", "/uploads/"+id, nil).want(t, 200)
	if _, ok := s.Upload("sandbox", id); !ok {
		t.Error("Upload(sandbox) missing")
	}
	if _, ok := s.Upload("", id); ok {
		t.Error("Upload(primary) found a sandbox upload")
	}
	if len(s.Uploads("main")) != 0 || len(s.Uploads("sandbox")) != 1 || s.Uploads("nope") != nil {
		t.Error("Uploads per env wrong")
	}
	// Jobs are per environment too.
	r := sb.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"notes": "n"}, nil))
	jobID := dig(r.doc, "data", "id").(string)
	time.Sleep(60 * time.Millisecond)
	c.do("GET", "/job-results/"+jobID, nil).wantError(t, 404, "NOT_FOUND")
	sb.do("GET", "/job-results/"+jobID, nil).want(t, 200)
	// The same id can exist in both environments.
	c.waitJob(c.do("POST", "/uploads", uploadBody(id, map[string]any{"path": c.putFile("b.txt", []byte("b"))}, nil)))
	if u, _ := s.Upload("main", id); u.Filename != "b.txt" {
		t.Errorf("main upload = %+v", u)
	}
	reqs := s.Requests()
	if reqs[0].Environment != "sandbox" {
		t.Errorf("first request env %q", reqs[0].Environment)
	}
}
