package datocms_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

func TestCreateUpload_EndToEnd(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithJobDelay(20*time.Millisecond))
	c := newClient(t, srv)
	ctx := testContext(t)
	content := pngBytes(t, 4, 3, 1)
	local := writeFile(t, "Hero Image.png", content)

	f, err := c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: local, ExpectedMD5: md5Hex(content), ExpectedSize: int64(len(content))})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	if f.MD5 != md5Hex(content) || f.Size != int64(len(content)) {
		t.Errorf("UploadedFile = %+v, want md5 %s size %d", f, md5Hex(content), len(content))
	}
	id := datocms.NewUploadID()
	up, err := c.CreateUpload(ctx, datocms.CreateUploadInput{
		ID: id, Path: f.Path, Author: ptr("Jane"), Copyright: ptr("ACME"), Tags: []string{"hero", "home"},
	})
	if err != nil {
		t.Fatalf("CreateUpload: %v", err)
	}

	if up.ID != id {
		t.Errorf("ID = %q, want the client-chosen %q", up.ID, id)
	}
	if up.MD5 != md5Hex(content) || up.Size != int64(len(content)) || !up.IsImage {
		t.Errorf("upload facts = md5 %s size %d image %v", up.MD5, up.Size, up.IsImage)
	}
	if up.Width == nil || *up.Width != 4 || up.Height == nil || *up.Height != 3 {
		t.Errorf("dimensions = %v x %v, want 4 x 3", up.Width, up.Height)
	}
	if up.Author == nil || *up.Author != "Jane" || up.Copyright == nil || *up.Copyright != "ACME" || up.Notes != nil {
		t.Errorf("author/copyright/notes = %v/%v/%v", up.Author, up.Copyright, up.Notes)
	}
	if !slices.Equal(up.Tags, []string{"hero", "home"}) || up.SmartTags == nil {
		t.Errorf("tags = %v, smart tags = %#v", up.Tags, up.SmartTags)
	}
	if up.URL == "" || up.CreatedAt == "" || up.AntivirusStatus == "" {
		t.Errorf("url/created_at/antivirus missing: %+v", up)
	}
	if got, want := slices.Sorted(maps.Keys(up.DefaultFieldMetadata.Locales)), []string{"en", "it"}; !slices.Equal(got, want) {
		t.Errorf("metadata locales = %v, want %v", got, want)
	}

	stored, err := srv.FileBytes("", up.ID)
	if err != nil {
		t.Fatalf("FileBytes: %v", err)
	}
	if !bytes.Equal(stored, content) {
		t.Errorf("server holds %d bytes, want the %d local bytes", len(stored), len(content))
	}
	posts := requestsTo(srv, "POST", "/uploads")
	if len(posts) != 1 {
		t.Fatalf("POST /uploads sent %d times, want 1", len(posts))
	}
	attrs := attributes(t, posts[0])
	if attrs["path"] != f.Path || !strings.HasPrefix(f.Path, "/") {
		t.Errorf("path sent = %v, want the upload-request id %q (never the URL)", attrs["path"], f.Path)
	}
	for _, key := range []string{"notes", "default_field_metadata"} {
		if _, ok := attrs[key]; ok {
			t.Errorf("unset attribute %q was sent: %v", key, attrs[key])
		}
	}
	if data := posts[0].Body.(map[string]any)["data"].(map[string]any); data["id"] != id {
		t.Errorf("data.id sent = %v, want %q", data["id"], id)
	} else if _, ok := data["relationships"]; ok {
		t.Errorf("relationships sent without a collection: %v", data["relationships"])
	}

	got, err := c.GetUpload(ctx, up.ID)
	if err != nil {
		t.Fatalf("GetUpload: %v", err)
	}
	if !reflect.DeepEqual(got, up) {
		t.Errorf("GetUpload = %s\nwant the create result %s", asJSON(got), asJSON(up))
	}
}

func TestUpdateUpload_ReplaceFileKeepsID(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.png", pngBytes(t, 2, 2, 1), datocms.CreateUploadInput{Author: ptr("Jane")})

	newContent := pngBytes(t, 5, 5, 2)
	f := uploadFile(ctx, t, c, writeFile(t, "b.png", newContent))
	replaced, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Path: &f.Path})
	if err != nil {
		t.Fatalf("UpdateUpload: %v", err)
	}
	if replaced.ID != up.ID {
		t.Errorf("ID changed from %q to %q", up.ID, replaced.ID)
	}
	if replaced.MD5 == up.MD5 || replaced.MD5 != md5Hex(newContent) {
		t.Errorf("md5 = %s, want %s (was %s)", replaced.MD5, md5Hex(newContent), up.MD5)
	}
	if replaced.Author == nil || *replaced.Author != "Jane" {
		t.Errorf("author = %v, want kept", replaced.Author)
	}
	if stored, _ := srv.FileBytes("", up.ID); !bytes.Equal(stored, newContent) {
		t.Errorf("server bytes are not the new file")
	}
	if puts := requestsTo(srv, "PUT", "/uploads/"+up.ID); len(puts) != 1 || puts[0].Query.Has("replace_strategy") {
		t.Errorf("PUT requests = %d, query %v: want one, without replace_strategy", len(puts), puts[0].Query)
	}

	// keep_url: same format, so the path and URL stay.
	again := pngBytes(t, 6, 6, 3)
	f2 := uploadFile(ctx, t, c, writeFile(t, "c.png", again))
	kept, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Path: &f2.Path, ReplaceStrategy: "keep_url"})
	if err != nil {
		t.Fatalf("UpdateUpload keep_url: %v", err)
	}
	if kept.URL != replaced.URL || kept.MD5 != md5Hex(again) {
		t.Errorf("keep_url: url %q -> %q, md5 %s", replaced.URL, kept.URL, kept.MD5)
	}
	puts := requestsTo(srv, "PUT", "/uploads/"+up.ID)
	if q := puts[len(puts)-1].Query.Get("replace_strategy"); q != "keep_url" {
		t.Errorf("replace_strategy = %q, want keep_url", q)
	}
}

func TestUpdateUpload_NullClearsAuthor(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.txt", []byte("hello"), datocms.CreateUploadInput{Author: ptr("Jane"), Notes: ptr("keep me")})

	got, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Author: datocms.Null[string](), Copyright: datocms.Set("ACME")})
	if err != nil {
		t.Fatalf("UpdateUpload: %v", err)
	}
	if got.Author != nil || got.Copyright == nil || *got.Copyright != "ACME" || got.Notes == nil {
		t.Errorf("author/copyright/notes = %v/%v/%v, want nil/ACME/kept", got.Author, got.Copyright, got.Notes)
	}
	if server, _ := srv.Upload("", up.ID); server.Author != nil {
		t.Errorf("server still has author %q", *server.Author)
	}
	puts := requestsTo(srv, "PUT", "/uploads/"+up.ID)
	if len(puts) != 1 {
		t.Fatalf("PUT sent %d times", len(puts))
	}
	attrs := attributes(t, puts[0])
	if v, ok := attrs["author"]; !ok || v != nil {
		t.Errorf("author sent as %v (present %v), want JSON null", v, ok)
	}
	if _, ok := attrs["notes"]; ok {
		t.Errorf("unset notes was sent")
	}
	if data := puts[0].Body.(map[string]any)["data"].(map[string]any); data["id"] != up.ID || data["type"] != "upload" {
		t.Errorf("PUT data = %v, want type upload and id %q", data, up.ID)
	}
}

func TestUpdateUpload_EmptyInputSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.txt", []byte("x"), datocms.CreateUploadInput{})
	if !(datocms.UpdateUploadInput{}).IsEmpty() || (datocms.UpdateUploadInput{Notes: datocms.Null[string]()}).IsEmpty() {
		t.Fatal("IsEmpty is wrong")
	}
	writes := srv.WriteCount()
	got, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{})
	if err != nil || got.ID != up.ID {
		t.Fatalf("UpdateUpload = %v, %v", got, err)
	}
	if srv.WriteCount() != writes {
		t.Errorf("an empty update wrote to the server")
	}
}

func TestUpdateUpload_SyncAnswer(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithSyncUpdates(true))
	c := newClient(t, srv)
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.txt", []byte("x"), datocms.CreateUploadInput{})
	srv.ResetRequests()
	got, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{Notes: datocms.Set("n"), Basename: ptr("renamed")})
	if err != nil {
		t.Fatalf("UpdateUpload: %v", err)
	}
	if got.Notes == nil || *got.Notes != "n" || got.Basename != "renamed" {
		t.Errorf("notes/basename = %v/%q", got.Notes, got.Basename)
	}
	if n := srv.CountRequests("GET", "/job-results/"); n != 0 {
		t.Errorf("polled %d job results for a synchronous answer", n)
	}
}

func TestFieldMetadata_RoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		nonLocalized bool
		wantKeys     []string // top-level keys of the wire default_field_metadata
	}{
		{"legacy locale-keyed", false, []string{"en", "it"}},
		{"field-keyed", true, []string{"alt", "custom_data", "focal_point", "title"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, datocmstest.WithNonLocalizedFocalPoints("main", tc.nonLocalized))
			c := newClient(t, srv)
			ctx := testContext(t)

			in := datocms.FieldMetadata{
				Locales: map[string]datocms.LocaleMetadata{
					"en": {Alt: ptr("Red fox"), CustomData: map[string]any{"credit": "Jane"}},
				},
				FocalPoint: &datocms.FocalPoint{X: 0.25, Y: 0.75},
			}
			up := createUpload(ctx, t, c, "fox.png", pngBytes(t, 8, 8, 1), datocms.CreateUploadInput{DefaultFieldMetadata: &in})
			want := datocms.FieldMetadata{
				Locales: map[string]datocms.LocaleMetadata{
					"en": {Alt: ptr("Red fox"), CustomData: map[string]any{"credit": "Jane"}},
					"it": {CustomData: map[string]any{}},
				},
				FocalPoint: &datocms.FocalPoint{X: 0.25, Y: 0.75},
			}
			if !reflect.DeepEqual(up.DefaultFieldMetadata, want) {
				t.Errorf("after create = %s\nwant %s", asJSON(up.DefaultFieldMetadata), asJSON(want))
			}
			got, err := c.GetUpload(ctx, up.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.DefaultFieldMetadata, want) {
				t.Errorf("after get = %s\nwant %s", asJSON(got.DefaultFieldMetadata), asJSON(want))
			}
			server, _ := srv.Upload("", up.ID)
			if server.FocalPoint == nil || *server.FocalPoint != (datocmstest.FocalPoint{X: 0.25, Y: 0.75}) {
				t.Errorf("server focal point = %v", server.FocalPoint)
			}
			if alt := server.Metadata["en"].Alt; alt == nil || *alt != "Red fox" {
				t.Errorf("server en alt = %v", alt)
			}
			posts := requestsTo(srv, "POST", "/uploads")
			wire, _ := attributes(t, posts[0])["default_field_metadata"].(map[string]any)
			if keys := slices.Sorted(maps.Keys(wire)); !slices.Equal(keys, tc.wantKeys) {
				t.Errorf("wire keys = %v, want %v", keys, tc.wantKeys)
			}

			// Full desired state: en loses everything, it gains an alt, the focal point goes.
			next := datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{"it": {Alt: ptr("Volpe")}}}
			updated, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{DefaultFieldMetadata: &next})
			if err != nil {
				t.Fatalf("UpdateUpload: %v", err)
			}
			want = datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{
				"en": {CustomData: map[string]any{}},
				"it": {Alt: ptr("Volpe"), CustomData: map[string]any{}},
			}}
			if !reflect.DeepEqual(updated.DefaultFieldMetadata, want) {
				t.Errorf("after update = %s\nwant %s", asJSON(updated.DefaultFieldMetadata), asJSON(want))
			}
			if n := srv.CountRequests("GET", "/site"); n != 1 {
				t.Errorf("GET /site sent %d times, want 1 (cached)", n)
			}
		})
	}
}

func TestFieldMetadata_UnknownLocaleIsRejectedByTheAPI(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	f := uploadFile(ctx, t, c, writeFile(t, "a.png", pngBytes(t, 2, 2, 1)))
	md := datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{"de": {Alt: ptr("Fuchs")}}}
	_, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path, DefaultFieldMetadata: &md})
	if !datocms.HasCode(err, "INVALID_LOCALES") {
		t.Fatalf("err = %v, want INVALID_LOCALES", err)
	}
	var apiErr *datocms.APIError
	if errors.As(err, &apiErr); apiErr.Field() != "default_field_metadata" {
		t.Errorf("Field() = %q", apiErr.Field())
	}
}

func TestGetUpload_NotFound(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	_, err := c.GetUpload(testContext(t), "missing-id")
	if !datocms.IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	var apiErr *datocms.APIError
	if !errors.As(err, &apiErr) || apiErr.Path != "/uploads/missing-id" || apiErr.Method != "GET" || apiErr.RequestID == "" {
		t.Errorf("APIError = %+v", apiErr)
	}
	if !slices.Equal(apiErr.Codes(), []string{"NOT_FOUND"}) {
		t.Errorf("codes = %v", apiErr.Codes())
	}
	if n := srv.CountRequests("GET", "/uploads/missing-id"); n != 1 {
		t.Errorf("a 404 was retried: %d requests", n)
	}
}

func TestCreateUpload_FailedJob(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	f := uploadFile(ctx, t, c, writeFile(t, "a.txt", []byte("x")))
	srv.FailNextJobs(1, false)

	_, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path})
	var apiErr *datocms.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	if apiErr.Status != 422 || apiErr.JobID == "" || apiErr.Method != "POST" || apiErr.Path != "/uploads" {
		t.Errorf("APIError = %+v, want inner status 422 of POST /uploads with a job id", apiErr)
	}
	if !datocms.HasCode(err, "INVALID_FIELD") || apiErr.Field() != "path" {
		t.Errorf("codes = %v, field = %q", apiErr.Codes(), apiErr.Field())
	}
	if msg := err.Error(); !strings.Contains(msg, "422 INVALID_FIELD (field path: INVALID_FORMAT)") || !strings.Contains(msg, apiErr.JobID) {
		t.Errorf("message = %q", msg)
	}
	if datocms.IsNotFound(err) || datocms.IsRateLimited(err) {
		t.Error("wrong predicate matched")
	}
}

func TestCreateUpload_NeverEndingJobStopsAtDeadline(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	f := uploadFile(testContext(t), t, c, writeFile(t, "a.txt", []byte("x")))
	srv.HangNextJobs(1)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path})
	elapsed := time.Since(start)
	var pending *datocms.PendingCreateError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &pending) {
		t.Fatalf("err = %v, want a *PendingCreateError for context.DeadlineExceeded", err)
	}
	if pending.JobID == "" || pending.UploadID == "" || !strings.Contains(err.Error(), "DatoCMS job "+pending.JobID+" creating upload "+pending.UploadID) {
		t.Errorf("message = %q, want it to name the job and the upload", err)
	}
	if elapsed > time.Second {
		t.Errorf("returned after %v, want soon after the 300ms deadline", elapsed)
	}
	if n := srv.CountRequests("GET", "/job-results/"); n < 3 {
		t.Errorf("polled %d times", n)
	}
}

func TestDeleteUpload(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.txt", []byte("x"), datocms.CreateUploadInput{})

	srv.DeleteRestrictionNext(1)
	if err := c.DeleteUpload(ctx, up.ID); !datocms.HasCode(err, "DELETE_RESTRICTION") {
		t.Fatalf("restricted delete: err = %v", err)
	}
	if refs, err := c.UploadReferences(ctx, up.ID); err != nil || len(refs) != 0 {
		t.Errorf("UploadReferences = %v, %v", refs, err)
	}
	for _, rec := range []string{"rec-1", "rec-2"} {
		if err := srv.AddReference(datocmstest.Reference{UploadID: up.ID, RecordID: rec, ItemType: "blog_post"}); err != nil {
			t.Fatal(err)
		}
	}
	refs, err := c.UploadReferences(ctx, up.ID)
	if err != nil || len(refs) != 2 || refs[0].RecordID != "rec-1" || refs[1].Model != "blog_post" || refs[0].ModelID == "" {
		t.Fatalf("UploadReferences = %+v, %v; want the two records of model blog_post", refs, err)
	}
	for _, rec := range []string{"rec-1", "rec-2"} {
		if err := srv.RemoveReference(datocmstest.Reference{UploadID: up.ID, RecordID: rec}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.DeleteUpload(ctx, up.ID); err != nil {
		t.Fatalf("DeleteUpload: %v", err)
	}
	if _, ok := srv.Upload("", up.ID); ok {
		t.Error("upload still on the server")
	}
	if err := c.DeleteUpload(ctx, up.ID); !datocms.IsNotFound(err) {
		t.Errorf("second delete: err = %v, want not found", err)
	}
	if _, err := c.UploadReferences(ctx, up.ID); !datocms.IsNotFound(err) {
		t.Errorf("references of a deleted upload: err = %v", err)
	}
}

func TestListUploads_Paging(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	var want []string
	for i := range 5 {
		up := createUpload(ctx, t, c, "f.txt", []byte{byte('a' + i)}, datocms.CreateUploadInput{})
		want = append(want, up.ID)
	}
	srv.ResetRequests()

	var got []string
	for up, err := range c.ListUploads(ctx, datocms.ListUploadsOptions{PageSize: 2}) {
		if err != nil {
			t.Fatalf("ListUploads: %v", err)
		}
		got = append(got, up.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ids = %v, want %v", got, want)
	}
	pages := requestsTo(srv, "GET", "/uploads")
	var offsets []string
	for _, r := range pages {
		offsets = append(offsets, r.Query.Get("page[offset]")+"/"+r.Query.Get("page[limit]"))
	}
	if !slices.Equal(offsets, []string{"0/2", "2/2", "4/2"}) {
		t.Errorf("pages (offset/limit) = %v", offsets)
	}

	// Filters, and breaking out of the loop early.
	got = nil
	for up, err := range c.ListUploads(ctx, datocms.ListUploadsOptions{IDs: []string{want[1], want[3]}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, up.ID)
	}
	if !slices.Equal(got, []string{want[1], want[3]}) {
		t.Errorf("filter[ids] = %v", got)
	}
	for up, err := range c.ListUploads(ctx, datocms.ListUploadsOptions{MD5: md5Hex([]byte("c"))}) {
		if err != nil || up.ID != want[2] {
			t.Errorf("filter md5 = %v, %v", up, err)
		}
		break
	}
}

func TestListUploads_Error(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithToken("other-token"))
	c := newClient(t, srv)
	n := 0
	for up, err := range c.ListUploads(testContext(t), datocms.ListUploadsOptions{}) {
		n++
		if up != nil || err == nil || !datocms.HasCode(err, "INVALID_AUTHORIZATION_HEADER") {
			t.Errorf("yielded %v, %v", up, err)
		}
	}
	if n != 1 {
		t.Errorf("yielded %d times, want once", n)
	}
}

func TestUploadCollections(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)

	col, err := c.CreateUploadCollection(ctx, "Heroes")
	if err != nil {
		t.Fatalf("CreateUploadCollection: %v", err)
	}
	if col.ID == "" || col.Label != "Heroes" || col.ParentID != nil {
		t.Errorf("collection = %+v", col)
	}
	if got, err := c.GetUploadCollection(ctx, col.ID); err != nil || !reflect.DeepEqual(got, col) {
		t.Errorf("GetUploadCollection = %+v, %v", got, err)
	}
	list, err := c.ListUploadCollections(ctx)
	if err != nil || len(list) != 1 || list[0].ID != col.ID {
		t.Errorf("ListUploadCollections = %+v, %v", list, err)
	}

	up := createUpload(ctx, t, c, "a.txt", []byte("x"), datocms.CreateUploadInput{UploadCollectionID: &col.ID})
	if up.UploadCollectionID == nil || *up.UploadCollectionID != col.ID {
		t.Errorf("collection of new upload = %v", up.UploadCollectionID)
	}
	moved, err := c.UpdateUpload(ctx, up.ID, datocms.UpdateUploadInput{UploadCollectionID: datocms.Null[string]()})
	if err != nil || moved.UploadCollectionID != nil {
		t.Fatalf("remove from collection = %v, %v", moved, err)
	}
	puts := requestsTo(srv, "PUT", "/uploads/"+up.ID)
	rel := puts[0].Body.(map[string]any)["data"].(map[string]any)["relationships"].(map[string]any)["upload_collection"].(map[string]any)
	if v, ok := rel["data"]; !ok || v != nil {
		t.Errorf("upload_collection sent as %v, want {\"data\":null}", rel)
	}

	if err := c.DeleteUploadCollection(ctx, col.ID); err != nil {
		t.Fatalf("DeleteUploadCollection: %v", err)
	}
	if _, err := c.GetUploadCollection(ctx, col.ID); !datocms.IsNotFound(err) {
		t.Errorf("deleted collection: err = %v", err)
	}
}

func TestSite_CachedSingleFlight(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithLatency(20*time.Millisecond), datocmstest.WithLocales("en", "it", "de"), datocmstest.WithSiteID("77"))
	c := newClient(t, srv)
	ctx := testContext(t)
	results := make(chan *datocms.Site, 8)
	for range cap(results) {
		go func() {
			s, err := c.Site(ctx)
			if err != nil {
				t.Errorf("Site: %v", err)
			}
			results <- s
		}()
	}
	for range cap(results) {
		s := <-results
		if s == nil || s.ID != "77" || !slices.Equal(s.Locales, []string{"en", "it", "de"}) || s.NonLocalizedFocalPoints {
			t.Errorf("Site = %+v", s)
		} else {
			s.Locales[0] = "mutated"
		}
	}
	if n := srv.CountRequests("GET", "/site"); n != 1 {
		t.Errorf("GET /site sent %d times, want 1", n)
	}
	if s, _ := c.Site(ctx); s.Locales[0] != "en" {
		t.Errorf("cache was mutated through a returned value: %v", s.Locales)
	}
}

func TestSite_ErrorNotCached(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv, func(cfg *datocms.Config) { cfg.MaxRetries = -1 })
	ctx := testContext(t)
	srv.BadGatewayNext(1)
	if _, err := c.Site(ctx); err == nil {
		t.Fatal("want the 502 without retries")
	}
	if _, err := c.Site(ctx); err != nil {
		t.Fatalf("second Site: %v", err)
	}
}

func TestNewUploadID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := datocms.NewUploadID()
		b, err := base64.RawURLEncoding.DecodeString(id)
		if len(id) != 22 || err != nil || len(b) != 16 {
			t.Fatalf("id %q: len %d, decoded %d bytes, err %v", id, len(id), len(b), err)
		}
		if b[6]>>4 != 4 || b[8]>>6 != 2 {
			t.Fatalf("id %q is not an RFC 4122 v4 UUID: % x", id, b)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestNew_Validation(t *testing.T) {
	t.Parallel()
	for _, cfg := range []datocms.Config{
		{},
		{Token: "  "},
		{Token: testToken, BaseURL: "ftp://example.com"},
		{Token: testToken, BaseURL: "http://%zz"},
		{Token: testToken, BaseURL: "not a url"},
	} {
		_, err := datocms.New(cfg)
		if err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		} else if strings.Contains(err.Error(), testToken) {
			t.Errorf("error %q contains the token", err)
		}
	}
	if _, err := datocms.New(datocms.Config{Token: testToken}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// References are read in the current and the published version of each record: a published
// record whose draft dropped the upload still uses it on the live site.
func TestUploadReferences_PublishedOrCurrent(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	up := createUpload(ctx, t, c, "a.txt", []byte("a"), datocms.CreateUploadInput{})
	for _, ref := range []datocmstest.Reference{
		{UploadID: up.ID, RecordID: "live", ItemType: "article", Version: "published"},
		{UploadID: up.ID, RecordID: "draft", ItemType: "article", Version: "current"},
	} {
		if err := srv.AddReference(ref); err != nil {
			t.Fatal(err)
		}
	}
	refs, err := c.UploadReferences(ctx, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, r.RecordID)
	}
	if strings.Join(got, ",") != "draft,live" {
		t.Errorf("references = %v, want the draft and the published record", got)
	}
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/references") && r.Query.Get("version") != "published-or-current" {
			t.Errorf("%s %s?%s: want version=published-or-current", r.Method, r.Path, r.Query.Encode())
		}
	}
}
