package datocmstest

import (
	"fmt"
	"testing"
)

func referenceIDs(t *testing.T, c *client, uploadID string) []string {
	t.Helper()
	r := c.do("GET", "/uploads/"+uploadID+"/references", nil)
	r.want(t, 200)
	var ids []string
	for _, it := range dig(r.doc, "data").([]any) {
		ids = append(ids, dig(it, "id").(string))
	}
	return ids
}

func TestReferences(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "sandbox"))
	up := c.createUpload("a.png", pngBytes(t, 1, 1), nil)["id"].(string)
	other := c.createUpload("b.png", pngBytes(t, 1, 1), nil)["id"].(string)

	if err := s.AddReference(Reference{UploadID: up, RecordID: "rec-b", ItemType: "blog_post"}); err != nil {
		t.Fatal(err)
	}
	r := adminDo(t, s, "POST", "/_local/references", map[string]any{"upload_id": up, "record_id": "rec-a", "item_type": "article"})
	r.want(t, 201)
	articleType := dig(r.doc, "item_type_id").(string)
	if dig(r.doc, "reference", "environment") != "main" || articleType == "" {
		t.Errorf("POST answer %s", r.raw)
	}
	if err := s.AddReference(Reference{UploadID: up, RecordID: "rec-a", ItemType: "article"}); err != nil { // twice: no change
		t.Fatal(err)
	}
	if err := s.AddReference(Reference{UploadID: other, RecordID: "rec-a", ItemType: "article"}); err != nil { // one record, two uploads
		t.Fatal(err)
	}

	refs := c.do("GET", "/uploads/"+up+"/references?nested=true&version=published", nil)
	refs.want(t, 200)
	items := dig(refs.doc, "data").([]any)
	if len(items) != 2 || dig(items, "0", "id") != "rec-a" || dig(items, "1", "id") != "rec-b" { // by record id
		t.Fatalf("references %s", refs.raw)
	}
	a := items[0].(map[string]any)
	if a["type"] != "item" || dig(a, "relationships", "item_type", "data", "type") != "item_type" ||
		dig(a, "relationships", "item_type", "data", "id") != articleType || dig(a, "meta", "status") != "published" || dig(a, "meta", "current_version") == "" {
		t.Errorf("item %v", a)
	}
	blogType := dig(items, "1", "relationships", "item_type", "data", "id").(string)
	if blogType == articleType {
		t.Error("two models share an item type id")
	}
	it := c.do("GET", "/item-types/"+blogType, nil)
	it.want(t, 200)
	if dig(it.doc, "data", "type") != "item_type" || it.attr("name") != "Blog post" || it.attr("api_key") != "blog_post" {
		t.Errorf("item type %s", it.raw)
	}
	c.do("GET", "/item-types/nope", nil).wantError(t, 404, "NOT_FOUND")
	c.inEnv("sandbox").do("GET", "/item-types/"+blogType, nil).wantError(t, 404, "NOT_FOUND") // models are per environment
	c.do("GET", "/uploads/"+up+"/references?version=draft", nil).wantError(t, 422, "INVALID_PARAMS")
	c.do("GET", "/uploads/nope/references", nil).wantError(t, 404, "NOT_FOUND")

	// Bad references are refused with a status and a message naming the field.
	for _, tt := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"upload_id": up, "record_id": "rec-a", "item_type": "page"}, 409}, // rec-a is an article
		{map[string]any{"upload_id": "nope", "record_id": "r", "item_type": "page"}, 404},
		{map[string]any{"upload_id": up, "record_id": "", "item_type": "page"}, 400},
		{map[string]any{"upload_id": up, "record_id": "r", "item_type": "Not A Key"}, 400},
		{map[string]any{"upload_id": up, "record_id": "r", "item_type": "page", "environment": "nope"}, 400},
		{map[string]any{"upload_id": up, "record_id": "r", "item_type": "page", "color": "red"}, 400},
	} {
		if r := adminDo(t, s, "POST", "/_local/references", tt.body); r.status != tt.status || dig(r.doc, "error") == nil {
			t.Errorf("%v: %d %s, want %d", tt.body, r.status, r.raw, tt.status)
		}
	}

	adminDo(t, s, "DELETE", "/_local/references", map[string]any{"upload_id": up, "record_id": "rec-b"}).want(t, 200)
	adminDo(t, s, "DELETE", "/_local/references", map[string]any{"upload_id": up, "record_id": "rec-b"}).want(t, 404)
	if got := fmt.Sprint(referenceIDs(t, c, up)); got != "[rec-a]" {
		t.Errorf("after DELETE: %s", got)
	}

	// Deleting a referenced upload succeeds (API §8.3); its references go with it.
	c.do("DELETE", "/uploads/"+up, nil).want(t, 200)
	if refs := s.References("", up); len(refs) != 0 {
		t.Errorf("references of a deleted upload: %v", refs)
	}
	if got := fmt.Sprint(s.References("", other)); got != fmt.Sprint([]Reference{{UploadID: other, RecordID: "rec-a", ItemType: "article", Environment: "main"}}) {
		t.Errorf("the record's other reference: %s", got)
	}
	if err := s.RemoveReference(Reference{UploadID: other, RecordID: "rec-a"}); err != nil {
		t.Fatal(err)
	}
	if len(referenceIDs(t, c, other)) != 0 {
		t.Error("RemoveReference left the reference")
	}
}

func TestEnvironments(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithEnvironments("main", "sandbox-1"))
	// Listing works whatever X-Environment says: a client calls it when its
	// environment turned out not to exist.
	for _, env := range []string{"", "sandbox-1", "gone"} {
		r := c.inEnv(env).do("GET", "/environments", nil)
		r.want(t, 200)
		envs := dig(r.doc, "data").([]any)
		if len(envs) != 2 || dig(envs, "0", "type") != "environment" || dig(envs, "0", "id") != "main" || dig(envs, "0", "meta", "primary") != true ||
			dig(envs, "0", "meta", "status") != "ready" || dig(envs, "1", "id") != "sandbox-1" || dig(envs, "1", "meta", "primary") != false {
			t.Errorf("X-Environment %q: %s", env, r.raw)
		}
	}
	r := c.inEnv("gone").do("GET", "/environments/sandbox-1", nil)
	r.want(t, 200)
	if dig(r.doc, "data", "id") != "sandbox-1" || dig(r.doc, "data", "meta", "read_only_mode") != false {
		t.Errorf("environment %s", r.raw)
	}
	c.do("GET", "/environments/gone", nil).wantError(t, 404, "NOT_FOUND")
	// Every other route keeps refusing an unknown environment.
	for _, path := range []string{"/site", "/uploads", "/upload-collections", "/job-results/x"} {
		c.inEnv("gone").do("GET", path, nil).wantError(t, 422, "INVALID_ENVIRONMENT")
	}
	c.inEnv("gone").do("GET", "/environments", nil, "Authorization", "").wantError(t, 401, "INVALID_AUTHORIZATION_HEADER")
}
