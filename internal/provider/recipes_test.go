package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// The recipes of the documentation, run as they are written: each test reads the example
// under examples/recipes/ and only points ${path.module} at its own folder of files.

func recipeConfig(t *testing.T, srv *datocmstest.Server, name, dir string) string {
	t.Helper()
	hcl := string(readFile(t, filepath.Join(repoRoot(t), "examples", "recipes", name, "main.tf")))
	return providerBlock(srv, "") + strings.ReplaceAll(hcl, "${path.module}", filepath.ToSlash(dir))
}

// uploadsIn returns the server's uploads in collection id, by filename.
func uploadsIn(srv *datocmstest.Server, id string) map[string]datocmstest.Upload {
	out := map[string]datocmstest.Upload{}
	for _, up := range srv.Uploads("") {
		if strPtrEq(up.UploadCollectionID, id) {
			out[up.Filename] = up
		}
	}
	return out
}

// TestAccRecipe_folderThenMove: a folder of files becomes uploads in a managed collection
// (folder-into-collection), then moves into a new nested collection while the old collection
// goes, in one apply (move-into-new-collection): uploads keep their IDs and URLs, no file is
// sent again.
func TestAccRecipe_folderThenMove(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "press-kit", "hero.png"), 60, 12, 8)
	writePNG(t, filepath.Join(dir, "press-kit", "logos", "acme.png"), 61, 8, 8)
	writeFile(t, filepath.Join(dir, "press-kit", "factsheet.pdf"), []byte("%PDF-1.4 facts"))
	writeFile(t, filepath.Join(dir, "press-kit", "notes.txt"), []byte("not part of the kit"))
	keys := []string{"factsheet.pdf", "hero.png", "logos/acme.png"}
	addr := func(key string) string { return fmt.Sprintf("datocms_upload.press_kit[%q]", key) }

	// The same IDs and URLs after every step.
	sameIDs, sameURLs := make([]valueTracker, len(keys)), make([]valueTracker, len(keys))
	for i := range keys {
		sameIDs[i], sameURLs[i] = statecheck.CompareValue(compare.ValuesSame()), statecheck.CompareValue(compare.ValuesSame())
	}
	idChecks := func(more ...statecheck.StateCheck) []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for i, key := range keys {
			out = append(out, sameIDs[i].AddStateValue(addr(key), tfjsonpath.New("id")),
				sameURLs[i].AddStateValue(addr(key), tfjsonpath.New("url")))
		}
		return append(out, more...)
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoCollections(srv),
		Steps: []resource.TestStep{
			{
				Config: recipeConfig(t, srv, "folder-into-collection", dir),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: idChecks(
					statecheck.ExpectKnownOutputValue("press_kit_urls", knownvalue.MapSizeExact(3)),
					serverCheck(func() error {
						if got := collectionTree(srv); got != "Press kit#1" {
							return fmt.Errorf("collections: %s", got)
						}
						in := uploadsIn(srv, collectionID(t, srv, "Press kit"))
						for _, name := range []string{"factsheet.pdf", "hero.png", "acme.png"} {
							if up, ok := in[name]; !ok || !slices.Equal(up.Tags, []string{"press-kit"}) {
								return fmt.Errorf("collection holds %v, want %s tagged press-kit", slices.Collect(mapKeys(in)), name)
							}
						}
						if len(srv.Uploads("")) != 3 {
							return fmt.Errorf("server holds %d uploads, want 3 (notes.txt is not part of the kit)", len(srv.Uploads("")))
						}
						srv.ResetRequests()
						return nil
					}),
				),
			},
			{
				// One apply: the uploads move, then the emptied old collection goes (it was
				// created with create_before_destroy, which orders its destroy last).
				Config: recipeConfig(t, srv, "move-into-new-collection", dir),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("datocms_upload_collection.press_kit", plancheck.ResourceActionDestroy),
						plancheck.ExpectResourceAction(addr("hero.png"), plancheck.ResourceActionUpdate),
						expectChangedAttributes(addr("hero.png"), "upload_collection_id"),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: idChecks(
					treeIs(srv, "Brand#1[Press#1]"),
					serverCheck(func() error {
						if in := uploadsIn(srv, collectionID(t, srv, "Press")); len(in) != 3 {
							return fmt.Errorf("Press holds %v, want the 3 uploads", slices.Collect(mapKeys(in)))
						}
						if n := srv.CountRequests("POST", "/uploads") + srv.CountRequests("PUT", "/storage/"); n != 0 {
							return fmt.Errorf("%d uploads or file transfers: moving must not send files", n)
						}
						if n := srv.CountRequests("DELETE", "/uploads"); n != 0 {
							return fmt.Errorf("%d uploads deleted", n)
						}
						return nil
					}),
				),
			},
			// for_each instances cannot stay in state at the end: plugin-testing's final
			// state read does not support them.
			{Config: providerBlock(srv, "")},
		},
	})
}

// valueTracker is what statecheck.CompareValue returns: it compares a value across steps.
type valueTracker interface {
	AddStateValue(address string, path tfjsonpath.Path) statecheck.StateCheck
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// importing asserts that exactly these resources are imported by the plan.
func importing(want ...string) plancheck.PlanCheck {
	return planFunc(func(plan *tfjson.Plan) error {
		var got []string
		for _, rc := range plan.ResourceChanges {
			if rc.Change != nil && rc.Change.Importing != nil {
				got = append(got, rc.Address)
			}
		}
		return compareNames("imported", "plan", got, want)
	})
}

type planFunc func(plan *tfjson.Plan) error

func (f planFunc) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// TestAccRecipe_adoptCollection: the uploads of an existing collection that have a local
// file are imported, not uploaded again, and keep what they hold; a local file without an
// upload is created; uploads without a local file, or outside the collection, are left alone.
func TestAccRecipe_adoptCollection(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	legacy := srv.CreateUploadCollection("", "Legacy")
	dir := t.TempDir()
	local := map[string][]byte{
		"fox.png":   pngContent(t, 70),
		"owl.png":   pngContent(t, 71),
		"terms.txt": []byte("terms v1"),
		"new.png":   pngContent(t, 72),
	}
	for name, content := range local {
		writeFile(t, filepath.Join(dir, "legacy", name), content)
	}
	seeded := seedUploads(t, srv, []seedUpload{
		{name: "fox.png", content: local["fox.png"], in: datocms.CreateUploadInput{
			UploadCollectionID: &legacy, Tags: []string{"animal"}, Author: ptr("Jane Doe"),
			DefaultFieldMetadata: &datocms.FieldMetadata{
				Locales:    map[string]datocms.LocaleMetadata{"en": {Alt: ptr("Red fox")}, "it": {Title: ptr("Volpe")}},
				FocalPoint: &datocms.FocalPoint{X: 0.5, Y: 0.4},
			},
		}},
		{name: "owl.png", content: local["owl.png"], in: datocms.CreateUploadInput{UploadCollectionID: &legacy, Copyright: ptr("ACME")}},
		{name: "terms.txt", content: local["terms.txt"], in: datocms.CreateUploadInput{UploadCollectionID: &legacy, Notes: ptr("v1")}},
		{name: "orphan.txt", content: []byte("no local file"), in: datocms.CreateUploadInput{UploadCollectionID: &legacy}},
		{name: "owl.png", content: pngContent(t, 73)}, // same name, outside the collection
	})
	before := map[string]datocmstest.Upload{}
	for _, up := range seeded {
		before[up.ID], _ = srv.Upload("", up.ID)
	}
	srv.ResetRequests()
	addr := func(name string) string { return fmt.Sprintf("datocms_upload.legacy[%q]", name) }

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		Steps: []resource.TestStep{{
			Config: recipeConfig(t, srv, "adopt-collection", dir),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					importing(addr("fox.png"), addr("owl.png"), addr("terms.txt")),
					plancheck.ExpectResourceAction(addr("new.png"), plancheck.ResourceActionCreate),
					// Adopting changes nothing but the local source path it records.
					expectChangedAttributes(addr("fox.png"), "source"),
					expectChangedAttributes(addr("owl.png"), "source"),
					expectChangedAttributes(addr("terms.txt"), "source"),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr("fox.png"), tfjsonpath.New("id"), knownvalue.StringExact(seeded[0].ID)),
				statecheck.ExpectKnownValue(addr("owl.png"), tfjsonpath.New("id"), knownvalue.StringExact(seeded[1].ID)),
				statecheck.ExpectKnownValue(addr("terms.txt"), tfjsonpath.New("id"), knownvalue.StringExact(seeded[2].ID)),
				serverCheck(func() error {
					// One upload created (new.png), in the collection; nothing else written.
					if n := srv.CountRequests("POST", "/uploads"); n != 1 {
						return fmt.Errorf("%d creates, want 1 (new.png)", n)
					}
					if n := srv.CountRequests("PUT", "/uploads/") + srv.CountRequests("DELETE", "/uploads/"); n != 0 {
						return fmt.Errorf("%d updates or deletes of uploads, want none", n)
					}
					in := uploadsIn(srv, legacy)
					if _, ok := in["new.png"]; !ok || len(in) != 5 {
						return fmt.Errorf("Legacy holds %v", slices.Collect(mapKeys(in)))
					}
					for id, was := range before {
						now, ok := srv.Upload("", id)
						if !ok || now.UpdatedAt != was.UpdatedAt || now.MD5 != was.MD5 {
							return fmt.Errorf("upload %s (%s) changed: %+v -> %+v", id, was.Filename, was, now)
						}
					}
					return nil
				}),
			},
		}, {
			// for_each instances cannot stay in state at the end: plugin-testing's final
			// state read does not support them.
			Config: providerBlock(srv, ""),
		}},
	})
}
