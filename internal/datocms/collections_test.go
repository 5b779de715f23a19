package datocms_test

import (
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

func TestUploadCollections_NestedCRUD(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)

	photos, err := c.CreateUploadCollectionWith(ctx, datocms.CreateUploadCollectionInput{Label: "Photos"})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := c.CreateUploadCollectionWith(ctx, datocms.CreateUploadCollectionInput{Label: "Docs", Position: 1})
	if err != nil {
		t.Fatal(err)
	}
	if docs.Position != 1 || len(docs.ChildIDs) != 0 || docs.ParentID != nil {
		t.Errorf("docs = %+v", docs)
	}
	// Inserting Docs at 1 moved Photos down.
	if got, _ := srv.UploadCollection("", photos.ID); got.Position != 2 {
		t.Errorf("photos at %d on the server, want 2", got.Position)
	}
	// The id is chosen by the client and sent in the body.
	posts := requestsTo(srv, "POST", "/upload-collections")
	if data := posts[1].Body.(map[string]any)["data"].(map[string]any); data["id"] != docs.ID || asJSON(data["attributes"]) != `{"label":"Docs","position":1}` {
		t.Errorf("create body = %s", asJSON(data))
	}

	team, err := c.CreateUploadCollectionWith(ctx, datocms.CreateUploadCollectionInput{Label: "Team", ParentID: &photos.ID})
	if err != nil {
		t.Fatal(err)
	}
	if team.ParentID == nil || *team.ParentID != photos.ID || team.Position != 1 {
		t.Errorf("team = %+v", team)
	}
	got, err := c.GetUploadCollection(ctx, photos.ID)
	if err != nil || !slices.Equal(got.ChildIDs, []string{team.ID}) {
		t.Errorf("photos = %+v, %v; want child %s", got, err, team.ID)
	}

	// Rename and move in one PUT; only what is set is sent.
	srv.ResetRequests()
	label := "People"
	moved, err := c.UpdateUploadCollection(ctx, team.ID, datocms.UpdateUploadCollectionInput{Label: &label, ParentID: datocms.Set(docs.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Label != "People" || moved.ParentID == nil || *moved.ParentID != docs.ID {
		t.Errorf("moved = %+v", moved)
	}
	put := requestsTo(srv, "PUT", "/upload-collections/"+team.ID)
	if len(put) != 1 || asJSON(put[0].Body) != `{"data":{"attributes":{"label":"People"},"id":"`+team.ID+`","relationships":{"parent":{"data":{"id":"`+docs.ID+`","type":"upload_collection"}}},"type":"upload_collection"}}` {
		t.Errorf("PUT bodies = %v", put)
	}
	// To the top level, at position 1: null parent.
	top, err := c.UpdateUploadCollection(ctx, team.ID, datocms.UpdateUploadCollectionInput{ParentID: datocms.Null[string](), Position: 1})
	if err != nil || top.ParentID != nil || top.Position != 1 {
		t.Fatalf("to top = %+v, %v", top, err)
	}
	if all, _ := c.ListUploadCollections(ctx); len(all) != 3 {
		t.Errorf("list = %+v", all)
	}
	// An empty update sends nothing.
	srv.ResetRequests()
	if same, err := c.UpdateUploadCollection(ctx, team.ID, datocms.UpdateUploadCollectionInput{}); err != nil || !reflect.DeepEqual(same, top) {
		t.Errorf("empty update = %+v, %v", same, err)
	}
	if n := srv.CountRequests("PUT", "/upload-collections"); n != 0 {
		t.Errorf("empty update sent %d PUTs", n)
	}

	// A cycle is refused by the API and nothing changes.
	if _, err := c.UpdateUploadCollection(ctx, photos.ID, datocms.UpdateUploadCollectionInput{ParentID: datocms.Set(photos.ID)}); err == nil {
		t.Error("own parent accepted")
	}

	// Delete forgets the cached existence.
	if ok, err := c.UploadCollectionExists(ctx, team.ID); !ok || err != nil {
		t.Fatalf("exists = %v, %v", ok, err)
	}
	if err := c.DeleteUploadCollection(ctx, team.ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.UploadCollectionExists(ctx, team.ID); ok || err != nil {
		t.Errorf("exists after delete = %v, %v", ok, err)
	}
	if err := c.DeleteUploadCollection(ctx, team.ID); !datocms.IsNotFound(err) {
		t.Errorf("second delete: %v", err)
	}
}

// A create whose answer is lost is sent again with the same id: one collection results.
func TestCreateUploadCollection_LostAnswerCreatesOne(t *testing.T) {
	t.Parallel()
	srv := newServer(t, datocmstest.WithFaultRules(datocmstest.FaultRule{Method: "POST", Path: "/upload-collections", Action: "drop_response", Times: 1}))
	c := newClient(t, srv, func(cfg *datocms.Config) {
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	})
	col, err := c.CreateUploadCollectionWith(testContext(t), datocms.CreateUploadCollectionInput{Label: "Once"})
	if err != nil {
		t.Fatal(err)
	}
	all := srv.UploadCollections("")
	if len(all) != 1 || all[0].ID != col.ID || col.Label != "Once" {
		t.Errorf("server holds %+v, client got %+v", all, col)
	}
	if n := len(requestsTo(srv, "POST", "/upload-collections")); n != 2 {
		t.Errorf("%d POSTs, want 2 (the lost one and the repeat)", n)
	}
}

func TestUploadCollectionContents(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := newClient(t, srv)
	ctx := testContext(t)
	full := srv.CreateUploadCollection("", "Full")
	empty := srv.CreateUploadCollection("", "Empty")
	child, err := srv.CreateUploadCollectionUnder("", full, "Child")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		up := createUpload(ctx, t, c, "f.txt", []byte{byte('a' + i)}, datocms.CreateUploadInput{UploadCollectionID: &full})
		ids = append(ids, up.ID)
	}
	createUpload(ctx, t, c, "other.txt", []byte("z"), datocms.CreateUploadInput{UploadCollectionID: &child})

	got, err := c.UploadCollectionContents(ctx, full, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.Uploads != 3 || len(got.UploadIDs) != 2 || !slices.Contains(ids, got.UploadIDs[0]) ||
		len(got.Children) != 1 || got.Children[0].ID != child || got.IsEmpty() {
		t.Errorf("contents of full = %+v", got)
	}
	got, err = c.UploadCollectionContents(ctx, empty, 10)
	if err != nil || !got.IsEmpty() {
		t.Errorf("contents of empty = %+v, %v", got, err)
	}
	if _, err := c.UploadCollectionContents(ctx, "missing", 10); !datocms.IsNotFound(err) {
		t.Errorf("missing: %v", err)
	}
}
