package datocmstest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestOutOfBandEdits(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	up := c.createUpload("a.png", pngBytes(t, 2, 2), map[string]any{"author": "Ann"})
	id := up["id"].(string)
	oldURL := dig(up, "attributes", "url").(string)
	col := s.CreateUploadCollection("", "UI folder")
	writes := s.WriteCount()
	requests := len(s.Requests())
	time.Sleep(2 * time.Millisecond)

	err := s.EditUpload("", id, func(u *Upload) {
		u.Author, u.Notes = nil, strp("from the UI")
		u.Tags = []string{"ui"}
		u.Metadata = map[string]LocaleMetadata{"it": {Alt: strp("Alt IT"), CustomData: map[string]any{"k": "v"}}}
		u.FocalPoint = &FocalPoint{X: 0.2, Y: 0.8}
		u.Basename = "renamed"
		u.UploadCollectionID = &col
		u.SmartTags = []string{"animal"}
	})
	if err != nil {
		t.Fatal(err)
	}
	r := c.do("GET", "/uploads/"+id, nil)
	a := r.attr("default_field_metadata")
	if r.attr("author") != nil || r.attr("notes") != "from the UI" || r.attr("filename") != "renamed.png" ||
		dig(a, "it", "alt") != "Alt IT" || dig(a, "en", "focal_point", "y") != 0.8 || dig(a, "it", "custom_data", "k") != "v" ||
		dig(r.doc, "data", "relationships", "upload_collection", "data", "id") != col || dig(r.doc, "data", "attributes", "smart_tags", "0") != "animal" || r.attr("updated_at") == dig(up, "attributes", "updated_at") {
		t.Errorf("after EditUpload: %s", r.raw)
	}
	if get(c, oldURL).status != 404 || get(c, r.attr("url").(string)).status != 200 {
		t.Error("rename by EditUpload: old url should be 404, new 200")
	}

	if err := s.EditUpload("", id, func(u *Upload) { u.MD5 = "x" }); err == nil {
		t.Error("EditUpload changed a read-only field")
	}
	if err := s.EditUpload("", id, func(u *Upload) { u.UploadCollectionID = strp("nope") }); err == nil {
		t.Error("EditUpload accepted an unknown collection")
	}
	if err := s.EditUpload("", "nope", func(*Upload) {}); err == nil {
		t.Error("EditUpload of a missing upload")
	}

	// Replace the file as the UI does: new path/url/filename/md5, metadata kept.
	before, _ := s.Upload("", id)
	content := []byte("now a text file")
	if err := s.ReplaceFile("", id, "Replacement.TXT", content); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Upload("", id)
	if after.Path == before.Path || after.Filename != "replacement.txt" || after.MD5 == before.MD5 || after.Size != int64(len(content)) ||
		after.IsImage || after.Width != nil || *after.Format != "txt" || *after.Notes != "from the UI" || after.FocalPoint == nil {
		t.Errorf("after ReplaceFile: %+v", after)
	}
	if b, err := s.FileBytes("", id); err != nil || !bytes.Equal(b, content) {
		t.Errorf("FileBytes = %q, %v", b, err)
	}
	if get(c, before.URL).status != 404 || !bytes.Equal(get(c, after.URL).raw, content) {
		t.Error("ReplaceFile: old url should be 404, new url the new bytes")
	}

	if s.WriteCount() != writes || len(s.Requests()) != requests+5 { // only the 5 GETs above
		t.Errorf("out-of-band edits were logged: writes %d->%d", writes, s.WriteCount())
	}

	if err := s.DeleteUpload("", id); err != nil {
		t.Fatal(err)
	}
	c.do("GET", "/uploads/"+id, nil).wantError(t, 404, "NOT_FOUND")
	if err := s.DeleteUpload("", id); err == nil {
		t.Error("second DeleteUpload succeeded")
	}
	if _, err := s.FileBytes("", id); err == nil {
		t.Error("FileBytes of a deleted upload")
	}
	if n := countBlobs(t, s); n != 0 {
		t.Errorf("%d files left on disk", n)
	}
}

func TestOutOfBandBypassesFaults(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
	s.SetLatency(time.Hour)
	s.BadGatewayNext(1)
	s.RateLimitNext(1, true)
	s.TransientErrorNextWrites(1)
	if err := s.EditUpload("", id, func(u *Upload) { u.Notes = strp("x") }); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceFile("", id, "b.txt", []byte("b")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUpload("", id); err != nil {
		t.Fatal(err)
	}
	s.SetLatency(0)
	if r := c.do("GET", "/site", nil); r.status != 502 { // the knobs were not consumed
		t.Errorf("status %d, want 502", r.status)
	}
}

func TestNewOptionsAndClose(t *testing.T) {
	t.Parallel()
	bad := [][]Option{
		{WithEnvironments()},
		{WithEnvironments("Main")},
		{WithEnvironments("a", "a")},
		{WithLocales()},
		{WithLocales("EN")},
		{WithNonLocalizedFocalPoints("nope", true)},
		{WithRateLimit(-1)},
		{WithSiteID("a/b")},
	}
	for i, opts := range bad {
		if _, err := New(opts...); err == nil {
			t.Errorf("case %d: New accepted invalid options", i)
		}
	}

	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	dir := s.dataDir
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temp data dir not removed: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	own := filepath.Join(t.TempDir(), "data")
	s, err = New(WithDataDir(own))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(own); err != nil {
		t.Errorf("given data dir removed: %v", err)
	}
}
