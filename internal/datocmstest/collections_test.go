package datocmstest

import (
	"fmt"
	"testing"
)

func collectionBody(attrs map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"type": "upload_collection", "attributes": attrs}}
}

func TestUploadCollections(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "sandbox"))
	r := c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "Heroes"}))
	r.want(t, 201)
	heroes := dig(r.doc, "data", "id").(string)
	if r.attr("label") != "Heroes" || r.attr("position") != 1.0 || dig(r.doc, "data", "relationships", "parent", "data") != nil ||
		fmt.Sprint(dig(r.doc, "data", "relationships", "children", "data")) != "[]" || dig(r.doc, "data", "type") != "upload_collection" {
		t.Errorf("created %s", r.raw)
	}
	icons := dig(c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "Icons", "position": 5})).doc, "data", "id").(string)

	c.do("POST", "/upload-collections", collectionBody(map[string]any{})).wantError(t, 422, "INVALID_FIELD", "label")
	c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": ""})).wantError(t, 422, "INVALID_FIELD", "label")
	c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "x", "position": 1.5})).wantError(t, 422, "INVALID_FIELD", "position")
	c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "x", "color": "red"})).wantError(t, 422, "INVALID_ATTRIBUTES")

	list := c.do("GET", "/upload-collections", nil)
	if n := len(dig(list.doc, "data").([]any)); n != 2 || dig(list.doc, "data", "0", "id") != heroes {
		t.Errorf("list %s", list.raw)
	}
	if n := len(dig(c.do("GET", "/upload-collections?filter[ids]="+icons, nil).doc, "data").([]any)); n != 1 {
		t.Errorf("filter[ids]: %d", n)
	}
	if n := len(dig(c.inEnv("sandbox").do("GET", "/upload-collections", nil).doc, "data").([]any)); n != 0 {
		t.Errorf("sandbox sees %d collections", n)
	}

	up := c.do("PUT", "/upload-collections/"+icons, collectionBody(map[string]any{"label": "Icons 2"}))
	if up.attr("label") != "Icons 2" || up.attr("position") != 5.0 {
		t.Errorf("update %s", up.raw)
	}
	c.do("GET", "/upload-collections/"+icons, nil).want(t, 200)
	c.do("GET", "/upload-collections/nope", nil).wantError(t, 404, "NOT_FOUND")
	c.do("PUT", "/upload-collections/nope", collectionBody(map[string]any{"label": "x"})).wantError(t, 404, "NOT_FOUND")

	// Deleting a collection takes its uploads out of it.
	id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
	c.waitJob(c.do("PUT", "/uploads/"+id, uploadBody(id, nil, map[string]any{"upload_collection": map[string]any{"data": map[string]any{"type": "upload_collection", "id": heroes}}})))
	c.do("DELETE", "/upload-collections/"+heroes, nil).want(t, 200)
	c.do("DELETE", "/upload-collections/"+heroes, nil).wantError(t, 404, "NOT_FOUND")
	if u, _ := s.Upload("", id); u.UploadCollectionID != nil {
		t.Errorf("upload still in deleted collection")
	}

	// A collection can be given on create.
	path := c.putFile("b.txt", []byte("b"))
	res := c.waitJob(c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, map[string]any{"upload_collection": map[string]any{"data": map[string]any{"type": "upload_collection", "id": icons}}})))
	if _, p := jobPayload(res); dig(p, "data", "relationships", "upload_collection", "data", "id") != icons {
		t.Errorf("create with collection: %s", res.raw)
	}
}

func TestUploadTags(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithEnvironments("main", "sandbox"))
	c.createUpload("a.txt", []byte("a"), map[string]any{"tags": []any{"zebra", "apple"}})
	c.createUpload("b.txt", []byte("b"), map[string]any{"tags": []any{"apple", "mango"}})
	c.inEnv("sandbox").createUpload("c.txt", []byte("c"), map[string]any{"tags": []any{"sandbox-only"}})

	names := func(query string) (int, []string) {
		r := c.do("GET", "/upload-tags"+query, nil)
		r.want(t, 200)
		var out []string
		for _, tag := range dig(r.doc, "data").([]any) {
			if dig(tag, "type") != "upload_tag" || dig(tag, "id") == "" {
				t.Errorf("tag %v", tag)
			}
			out = append(out, dig(tag, "attributes", "name").(string))
		}
		return int(dig(r.doc, "meta", "total_count").(float64)), out
	}
	if total, got := names(""); total != 3 || fmt.Sprint(got) != "[apple mango zebra]" {
		t.Errorf("tags %d %v", total, got)
	}
	if total, got := names("?page[limit]=1&page[offset]=1"); total != 3 || fmt.Sprint(got) != "[mango]" {
		t.Errorf("paged tags %d %v", total, got)
	}
	if _, got := names("?filter[query]=AN"); fmt.Sprint(got) != "[mango]" {
		t.Errorf("filtered tags %v", got)
	}
	c.do("GET", "/upload-tags?page[limit]=501", nil).wantError(t, 422, "INVALID_PARAMS")
}

func TestSite(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithSiteID("999"), WithLocales("en", "de-CH"))
	r := c.do("GET", "/site", nil)
	r.want(t, 200)
	if dig(r.doc, "data", "type") != "site" || dig(r.doc, "data", "id") != "999" || fmt.Sprint(r.attr("locales")) != "[en de-CH]" ||
		dig(r.doc, "data", "meta", "non_localized_focal_points") != false {
		t.Errorf("site %s", r.raw)
	}
}
