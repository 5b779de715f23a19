package datocms_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

func listIDs(ctx context.Context, t *testing.T, c *datocms.Client, opts datocms.ListUploadsOptions) []string {
	t.Helper()
	ids := []string{}
	for up, err := range c.ListUploads(ctx, opts) {
		if err != nil {
			t.Fatalf("ListUploads(%+v): %v", opts, err)
		}
		ids = append(ids, up.ID)
	}
	return ids
}

func TestListUploads_Filters(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	col := srv.CreateUploadCollection("", "Heroes")

	hero := createUpload(ctx, t, c, "hero.png", pngBytes(t, 4, 4, 1), datocms.CreateUploadInput{
		Tags: []string{"hero", "home, page"}, UploadCollectionID: &col,
	})
	banner := createUpload(ctx, t, c, "banner.png", pngBytes(t, 4, 4, 2), datocms.CreateUploadInput{Tags: []string{"hero"}})
	manual := createUpload(ctx, t, c, "manual.pdf", []byte("%PDF-1.4 manual"), datocms.CreateUploadInput{
		Tags: []string{"hero", "home, page"}, Author: ptr("Jane Roe"),
	})
	clip := createUpload(ctx, t, c, "clip.mp4", []byte("not really a video"), datocms.CreateUploadInput{UploadCollectionID: &col})
	if err := srv.EditUpload("", banner.ID, func(u *datocmstest.Upload) {
		u.Metadata = map[string]datocmstest.LocaleMetadata{"it": {Alt: ptr("Striscione rosso")}}
	}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		opts  datocms.ListUploadsOptions
		want  []string
		query map[string][]string // parameters sent, besides paging
	}{
		{
			name:  "tags: all of them, each sent as its own value",
			opts:  datocms.ListUploadsOptions{Tags: []string{"hero", "home, page"}},
			want:  []string{hero.ID, manual.ID},
			query: map[string][]string{"filter[fields][tags][all_in][]": {"hero", "home, page"}},
		},
		{
			name:  "one type",
			opts:  datocms.ListUploadsOptions{Types: []string{"image"}},
			want:  []string{hero.ID, banner.ID},
			query: map[string][]string{"filter[fields][type][eq]": {"image"}},
		},
		{
			name:  "several types",
			opts:  datocms.ListUploadsOptions{Types: []string{"pdfdocument", "video"}},
			want:  []string{manual.ID, clip.ID},
			query: map[string][]string{"filter[fields][type][in][]": {"pdfdocument", "video"}},
		},
		{
			name:  "collection: no such API filter, so the listing is filtered here",
			opts:  datocms.ListUploadsOptions{CollectionID: col},
			want:  []string{hero.ID, clip.ID},
			query: map[string][]string{"filter[fields][upload_collection][eq]": nil},
		},
		{
			name:  "none of the documented types",
			opts:  datocms.ListUploadsOptions{ExcludeTypes: datocms.UploadTypes},
			want:  []string{},
			query: map[string][]string{"filter[fields][type][not_in][]": datocms.UploadTypes},
		},
		{
			name:  "free text in the main locale",
			opts:  datocms.ListUploadsOptions{Query: "roe"},
			want:  []string{manual.ID},
			query: map[string][]string{"filter[query]": {"roe"}},
		},
		{
			name:  "free text in another locale",
			opts:  datocms.ListUploadsOptions{Query: "striscione", Locale: "it"},
			want:  []string{banner.ID},
			query: map[string][]string{"filter[query]": {"striscione"}, "locale": {"it"}},
		},
		{
			name:  "md5",
			opts:  datocms.ListUploadsOptions{MD5: clip.MD5},
			want:  []string{clip.ID},
			query: map[string][]string{"filter[fields][md5][eq]": {clip.MD5}},
		},
		{
			name: "filename contains",
			opts: datocms.ListUploadsOptions{FilenameContains: "ANN"},
			want: []string{banner.ID},
			query: map[string][]string{"filter[fields][filename][matches][pattern]": {"ANN"},
				"filter[fields][filename][matches][regexp]": {"false"}, "filter[fields][filename][matches][case_sensitive]": {"false"}},
		},
		{
			name:  "combined, ordered",
			opts:  datocms.ListUploadsOptions{Tags: []string{"hero"}, Types: []string{"image"}, OrderBy: "filename_ASC"},
			want:  []string{banner.ID, hero.ID},
			query: map[string][]string{"filter[fields][tags][all_in][]": {"hero"}, "filter[fields][type][eq]": {"image"}, "order_by": {"filename_ASC"}},
		},
		{
			name: "no match",
			opts: datocms.ListUploadsOptions{Tags: []string{"nope"}},
			want: []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			if got := listIDs(ctx, t, c, tc.opts); !slices.Equal(got, tc.want) {
				t.Errorf("ids = %v, want %v", got, tc.want)
			}
			gets := requestsTo(srv, "GET", "/uploads")
			if len(gets) != 1 {
				t.Fatalf("%d requests, want 1", len(gets))
			}
			q := gets[0].Query
			if q.Get("page[limit]") != "500" || q.Get("page[offset]") != "0" {
				t.Errorf("paging = %v", q)
			}
			for key, want := range tc.query {
				if !slices.Equal(q[key], want) {
					t.Errorf("%s = %q, want %q", key, q[key], want)
				}
			}
		})
	}
}

// A filter the API ignored (here: a server that answers every GET /uploads with the same
// page) never lets other uploads through, and an upload on two pages is yielded once.
func TestListUploads_ChecksWhatComesBack(t *testing.T) {
	t.Parallel()
	upload := func(id, md5, collection string, tags ...string) map[string]any {
		var rel any
		if collection != "" {
			rel = map[string]any{"type": "upload_collection", "id": collection}
		}
		return map[string]any{
			"type": "upload", "id": id,
			"attributes":    map[string]any{"md5": md5, "filename": id + ".png", "tags": tags},
			"relationships": map[string]any{"upload_collection": map[string]any{"data": rel}},
		}
	}
	pages := map[string][]any{
		"0": {upload("a", "aa", "c1", "x", "y"), upload("b", "bb", "c1", "x")},
		"2": {upload("b", "bb", "c1", "x"), upload("c", "cc", "c2", "x", "y")},
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, asJSON(map[string]any{"data": pages[r.URL.Query().Get("page[offset]")], "meta": map[string]any{"total_count": 4}}))
	}))
	t.Cleanup(api.Close)
	c, err := datocms.New(datocms.Config{Token: testToken, BaseURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	for _, tc := range []struct {
		opts datocms.ListUploadsOptions
		want []string
	}{
		{datocms.ListUploadsOptions{}, []string{"a", "b", "c"}},
		{datocms.ListUploadsOptions{CollectionID: "c1"}, []string{"a", "b"}},
		{datocms.ListUploadsOptions{Tags: []string{"x", "y"}}, []string{"a", "c"}},
		{datocms.ListUploadsOptions{MD5: "CC"}, []string{"c"}},
		{datocms.ListUploadsOptions{IDs: []string{"b"}}, []string{"b"}},
		{datocms.ListUploadsOptions{FilenameContains: "A."}, []string{"a"}},
	} {
		if got := listIDs(ctx, t, c, tc.opts); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: ids = %v, want %v", tc.opts, got, tc.want)
		}
	}
}
