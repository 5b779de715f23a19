package datocmstest

import (
	"fmt"
	"strings"
	"testing"
)

func collectionBody(attrs map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"type": "upload_collection", "attributes": attrs}}
}

func colRef(id string) map[string]any {
	if id == "" {
		return map[string]any{"data": nil}
	}
	return map[string]any{"data": map[string]any{"type": "upload_collection", "id": id}}
}

func collectionWithRels(attrs, rels map[string]any) map[string]any {
	data := map[string]any{"type": "upload_collection"}
	if attrs != nil {
		data["attributes"] = attrs
	}
	if rels != nil {
		data["relationships"] = rels
	}
	return map[string]any{"data": data}
}

// tree renders the environment's collections as "label(position)[children]"
// in list order, from the API, checking that children and parent agree.
func tree(t *testing.T, c *client) string {
	t.Helper()
	r := c.do("GET", "/upload-collections", nil)
	r.want(t, 200)
	byID := map[string]map[string]any{}
	var order []string
	for _, it := range dig(r.doc, "data").([]any) {
		col := it.(map[string]any)
		byID[col["id"].(string)] = col
		order = append(order, col["id"].(string))
	}
	var render func(id string) string
	render = func(id string) string {
		col := byID[id]
		out := fmt.Sprintf("%s(%v)", dig(col, "attributes", "label"), dig(col, "attributes", "position"))
		var kids []string
		for _, ch := range dig(col, "relationships", "children", "data").([]any) {
			chID := dig(ch, "id").(string)
			if dig(byID[chID], "relationships", "parent", "data", "id") != id {
				t.Errorf("child %s of %s names another parent", chID, id)
			}
			kids = append(kids, render(chID))
		}
		if len(kids) > 0 {
			out += "[" + strings.Join(kids, " ") + "]"
		}
		return out
	}
	var tops []string
	for _, id := range order {
		if dig(byID[id], "relationships", "parent", "data") == nil {
			tops = append(tops, render(id))
		}
	}
	return strings.Join(tops, " ")
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
	// A position past the end is clamped: positions stay 1..n.
	icons := dig(c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "Icons", "position": 5})).doc, "data", "id").(string)
	explicit := newEntityID()
	r = c.do("POST", "/upload-collections", map[string]any{"data": map[string]any{"type": "upload_collection", "id": explicit, "attributes": map[string]any{"label": "First", "position": 1}}})
	if r.status != 201 || dig(r.doc, "data", "id") != explicit {
		t.Errorf("create with an explicit id: %s", r.raw)
	}
	if got := tree(t, c); got != "First(1) Heroes(2) Icons(3)" {
		t.Errorf("tree %s", got)
	}

	c.do("POST", "/upload-collections", collectionBody(map[string]any{})).wantError(t, 422, "INVALID_FIELD", "label")
	c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": ""})).wantError(t, 422, "INVALID_FIELD", "label")
	c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "x", "position": 1.5})).wantError(t, 422, "INVALID_FIELD", "position")
	c.do("POST", "/upload-collections", collectionBody(map[string]any{"label": "x", "color": "red"})).wantError(t, 422, "INVALID_ATTRIBUTES")
	c.do("POST", "/upload-collections", map[string]any{"data": map[string]any{"type": "upload_collection", "id": explicit, "attributes": map[string]any{"label": "x"}}}).wantError(t, 422, "INVALID_FIELD", "id", "VALIDATION_UNIQUENESS")
	c.do("POST", "/upload-collections", collectionWithRels(map[string]any{"label": "x"}, map[string]any{"parent": colRef("nope")})).wantError(t, 422, "INVALID_FIELD", "parent", "INVALID_RELATIONSHIP")
	c.do("POST", "/upload-collections", collectionWithRels(map[string]any{"label": "x"}, map[string]any{"children": map[string]any{"data": []any{}}})).wantError(t, 422, "INVALID_FIELD", "children")

	if n := len(dig(c.do("GET", "/upload-collections?filter[ids]="+icons+","+heroes, nil).doc, "data").([]any)); n != 2 {
		t.Errorf("filter[ids]: %d", n)
	}
	if n := len(dig(c.inEnv("sandbox").do("GET", "/upload-collections", nil).doc, "data").([]any)); n != 0 {
		t.Errorf("sandbox sees %d collections", n)
	}

	up := c.do("PUT", "/upload-collections/"+icons, collectionBody(map[string]any{"label": "Icons 2"}))
	if up.attr("label") != "Icons 2" || up.attr("position") != 3.0 {
		t.Errorf("update %s", up.raw)
	}
	c.do("GET", "/upload-collections/"+icons, nil).want(t, 200)
	c.do("GET", "/upload-collections/nope", nil).wantError(t, 404, "NOT_FOUND")
	c.do("PUT", "/upload-collections/nope", collectionBody(map[string]any{"label": "x"})).wantError(t, 404, "NOT_FOUND")

	// A collection holding an upload is not deleted: nothing is moved or orphaned.
	id := c.createUpload("a.txt", []byte("a"), nil)["id"].(string)
	c.waitJob(c.do("PUT", "/uploads/"+id, uploadBody(id, nil, map[string]any{"upload_collection": colRef(heroes)})))
	r = c.do("DELETE", "/upload-collections/"+heroes, nil)
	r.wantError(t, 422, "DELETE_RESTRICTION", "upload_collection", "UPLOAD_COLLECTION_NOT_EMPTY")
	if r.errDetail("uploads") != 1.0 || r.errDetail("children") != 0.0 {
		t.Errorf("details %s", r.raw)
	}
	if u, _ := s.Upload("", id); u.UploadCollectionID == nil || *u.UploadCollectionID != heroes {
		t.Error("a refused delete moved the upload")
	}
	c.waitJob(c.do("PUT", "/uploads/"+id, uploadBody(id, nil, map[string]any{"upload_collection": colRef("")})))
	del := c.do("DELETE", "/upload-collections/"+heroes, nil)
	if del.status != 200 || dig(del.doc, "data", "id") != heroes {
		t.Errorf("delete %s", del.raw)
	}
	c.do("DELETE", "/upload-collections/"+heroes, nil).wantError(t, 404, "NOT_FOUND")
	if got := tree(t, c); got != "First(1) Icons 2(2)" { // the gap closed
		t.Errorf("after delete: %s", got)
	}

	// A collection can be given on create.
	path := c.putFile("b.txt", []byte("b"))
	res := c.waitJob(c.do("POST", "/uploads", uploadBody("", map[string]any{"path": path}, map[string]any{"upload_collection": colRef(icons)})))
	if _, p := jobPayload(res); dig(p, "data", "relationships", "upload_collection", "data", "id") != icons {
		t.Errorf("create with collection: %s", res.raw)
	}
}

func TestNestedUploadCollections(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	create := func(label, parent string, position int) string {
		t.Helper()
		attrs := map[string]any{"label": label}
		if position > 0 {
			attrs["position"] = position
		}
		r := c.do("POST", "/upload-collections", collectionWithRels(attrs, map[string]any{"parent": colRef(parent)}))
		r.want(t, 201)
		return dig(r.doc, "data", "id").(string)
	}
	move := func(id string, attrs, rels map[string]any) response {
		t.Helper()
		return c.do("PUT", "/upload-collections/"+id, collectionWithRels(attrs, rels))
	}
	media := create("Media", "", 0)
	docs := create("Docs", "", 0)
	photos := create("Photos", media, 0)
	videos := create("Videos", media, 0)
	logos := create("Logos", media, 1) // inserted first; the others move down
	raw, err := s.CreateUploadCollectionUnder("", photos, "Raw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUploadCollectionUnder("", "nope", "x"); err == nil {
		t.Error("CreateUploadCollectionUnder accepted an unknown parent")
	}
	if got := tree(t, c); got != "Media(1)[Logos(1) Photos(2)[Raw(1)] Videos(3)] Docs(2)" {
		t.Fatalf("tree %s", got)
	}
	r := c.do("GET", "/upload-collections/"+photos, nil)
	if dig(r.doc, "data", "relationships", "parent", "data", "id") != media || dig(r.doc, "data", "relationships", "children", "data", "0", "id") != raw {
		t.Errorf("photos %s", r.raw)
	}

	// Reorder among siblings, like a list move.
	move(videos, map[string]any{"position": 1}, nil).want(t, 200)
	if got := tree(t, c); got != "Media(1)[Videos(1) Logos(2) Photos(3)[Raw(1)]] Docs(2)" {
		t.Errorf("after reorder: %s", got)
	}
	// Move under another parent at a position; the old list closes its gap.
	move(photos, map[string]any{"position": 1}, map[string]any{"parent": colRef(docs)}).want(t, 200)
	// Move to the top level, last when no position is given.
	move(logos, nil, map[string]any{"parent": colRef("")}).want(t, 200)
	if got := tree(t, c); got != "Media(1)[Videos(1)] Docs(2)[Photos(1)[Raw(1)]] Logos(3)" {
		t.Errorf("after moves: %s", got)
	}
	// No cycles: not under itself, not under its own descendant.
	move(docs, nil, map[string]any{"parent": colRef(docs)}).wantError(t, 422, "INVALID_FIELD", "parent", "CIRCULAR_REFERENCE")
	move(docs, nil, map[string]any{"parent": colRef(raw)}).wantError(t, 422, "INVALID_FIELD", "parent", "CIRCULAR_REFERENCE")
	move(docs, nil, map[string]any{"parent": colRef("nope")}).wantError(t, 422, "INVALID_FIELD", "parent", "INVALID_RELATIONSHIP")
	move(docs, map[string]any{"label": "changed"}, map[string]any{"parent": map[string]any{"data": "x"}}).wantError(t, 422, "INVALID_FIELD", "parent", "INVALID_FORMAT")

	// children reorders, and must list exactly the current children.
	clips := create("Clips", media, 0)
	children := func(ids ...string) map[string]any {
		var data []any
		for _, id := range ids {
			data = append(data, map[string]any{"type": "upload_collection", "id": id})
		}
		return map[string]any{"children": map[string]any{"data": data}}
	}
	move(media, nil, children(clips, videos)).want(t, 200)
	if got := tree(t, c); got != "Media(1)[Clips(1) Videos(2)] Docs(2)[Photos(1)[Raw(1)]] Logos(3)" {
		t.Errorf("after children: %s", got)
	}
	move(media, nil, children(clips)).wantError(t, 422, "INVALID_FIELD", "children")
	move(media, nil, children(clips, videos, raw)).wantError(t, 422, "INVALID_FIELD", "children")
	move(media, nil, children(clips, clips)).wantError(t, 422, "INVALID_FIELD", "children")

	// A collection with children is not deleted either.
	r = c.do("DELETE", "/upload-collections/"+docs, nil)
	r.wantError(t, 422, "DELETE_RESTRICTION")
	if r.errDetail("children") != 1.0 {
		t.Errorf("details %s", r.raw)
	}
	c.do("DELETE", "/upload-collections/"+raw, nil).want(t, 200)
	c.do("DELETE", "/upload-collections/"+photos, nil).want(t, 200)
	c.do("DELETE", "/upload-collections/"+docs, nil).want(t, 200)
	if got := tree(t, c); got != "Media(1)[Clips(1) Videos(2)] Logos(2)" {
		t.Errorf("after deletes: %s", got)
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
