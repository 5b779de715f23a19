package datocmstest

import (
	"strings"
	"testing"
)

// TestBehaviour plays each answer of the behaviours DatoCMS does not document, switched
// through the admin API as a person rehearsing them would.
func TestBehaviour(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	if got := adminDo(t, s, "GET", "/_local/behaviour", nil); dig(got.doc, "unknown_ids") != "omit" ||
		dig(got.doc, "nonempty_collection_delete") != "refuse" || dig(got.doc, "replaced_file_name") != "follow" {
		t.Errorf("default behaviour: %s", got.raw)
	}
	adminDo(t, s, "PUT", "/_local/behaviour", map[string]any{"unknown_ids": "sometimes"}).want(t, 400)
	set := func(b map[string]any) {
		t.Helper()
		adminDo(t, s, "PUT", "/_local/behaviour", b).want(t, 200)
	}

	t.Run("unknown IDs in filter[ids]", func(t *testing.T) {
		id := dig(c.createUpload("a.txt", []byte("a"), nil), "id").(string)
		set(map[string]any{"unknown_ids": "omit"})
		if _, ids := listIDs(t, c, "?filter[ids]="+id+",nope"); len(ids) != 1 || ids[0] != id {
			t.Errorf("omit: %v", ids)
		}
		set(map[string]any{"unknown_ids": "reject"})
		c.do("GET", "/uploads?filter[ids]="+id+",nope", nil).wantError(t, 422, "INVALID_PARAMS", "filter[ids]")
		if _, ids := listIDs(t, c, "?filter[ids]="+id); len(ids) != 1 {
			t.Errorf("reject, known IDs only: %v", ids)
		}
		set(map[string]any{})
	})

	t.Run("deleting a collection that is not empty", func(t *testing.T) {
		for _, mode := range []string{"refuse", "orphan", "cascade"} {
			set(map[string]any{"nonempty_collection_delete": mode})
			parent := s.CreateUploadCollection("", "parent-"+mode)
			col, err := s.CreateUploadCollectionUnder("", parent, "col-"+mode)
			if err != nil {
				t.Fatal(err)
			}
			child, err := s.CreateUploadCollectionUnder("", col, "child-"+mode)
			if err != nil {
				t.Fatal(err)
			}
			id := dig(c.createUpload(mode+".txt", []byte(mode), nil), "id").(string)
			if err := s.EditUpload("", id, func(u *Upload) { u.UploadCollectionID = &col }); err != nil {
				t.Fatal(err)
			}
			r := c.do("DELETE", "/upload-collections/"+col, nil)
			up, upExists := s.Upload("", id)
			ch, childExists := s.UploadCollection("", child)
			_, colExists := s.UploadCollection("", col)
			switch mode {
			case "refuse":
				r.wantError(t, 422, "DELETE_RESTRICTION", "upload_collection", "UPLOAD_COLLECTION_NOT_EMPTY")
				if !colExists || !upExists || up.UploadCollectionID == nil {
					t.Errorf("refuse: something moved")
				}
			case "orphan":
				r.want(t, 200)
				if colExists || !upExists || up.UploadCollectionID != nil || !childExists || ch.ParentID != parent {
					t.Errorf("orphan: collection %v, upload %v in %v, child %v under %v", colExists, upExists, up.UploadCollectionID, childExists, ch.ParentID)
				}
			case "cascade":
				r.want(t, 200)
				if colExists || upExists || childExists {
					t.Errorf("cascade: collection %v, upload %v, child %v left", colExists, upExists, childExists)
				}
			}
		}
		set(map[string]any{})
	})

	t.Run("basename after a file replacement", func(t *testing.T) {
		for _, mode := range []string{"follow", "keep"} {
			set(map[string]any{"replaced_file_name": mode})
			id := dig(c.createUpload("team-"+mode+".jpg", []byte("first "+mode), nil), "id").(string)
			a := c.update(id, "", map[string]any{"path": c.putFile("new-photo.png", pngBytes(t, 2, 2))})["attributes"].(map[string]any)
			want := map[string]string{"follow": "new-photo", "keep": "team-" + mode}[mode]
			if a["basename"] != want || a["filename"] != want+".png" {
				t.Errorf("%s: basename %v, filename %v; want %s and %s.png", mode, a["basename"], a["filename"], want, want)
			}
			if err := s.ReplaceFile("", id, "from-the-ui.png", pngBytes(t, 3, 3)); err != nil {
				t.Fatal(err)
			}
			if up, _ := s.Upload("", id); (mode == "keep") != strings.HasPrefix(up.Filename, "team-") {
				t.Errorf("%s: a replacement in the UI gives %s", mode, up.Filename)
			}
		}
	})
}

// TestReferencesByVersion: GET /uploads/:id/references lists the records whose version named
// by the version parameter links the upload.
func TestReferencesByVersion(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	id := dig(c.createUpload("a.txt", []byte("a"), nil), "id").(string)
	for rec, version := range map[string]string{"both": "", "draft": "current", "live": "published"} {
		if err := s.AddReference(Reference{UploadID: id, RecordID: rec, ItemType: "article", Version: version}); err != nil {
			t.Fatal(err)
		}
	}
	for query, want := range map[string]string{
		"": "both,draft", "?version=current": "both,draft", "?version=published": "both,live",
		"?version=published-or-current": "both,draft,live",
	} {
		r := c.do("GET", "/uploads/"+id+"/references"+query, nil)
		r.want(t, 200)
		var got []string
		for _, item := range dig(r.doc, "data").([]any) {
			got = append(got, dig(item, "id").(string))
		}
		if strings.Join(got, ",") != want {
			t.Errorf("references%s = %v, want %s", query, got, want)
		}
	}
	c.do("GET", "/uploads/"+id+"/references?version=draft", nil).wantError(t, 422, "INVALID_PARAMS")
}
