package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// The recipes of the documentation, run exactly as a user copies them: each recipe's
// directory is copied verbatim into a workspace (its required_providers block included, which
// terraform-plugin-testing's reattach mode cannot run), the test's files are written next to
// it, and the real terraform binary plans and applies it against the local API server, the
// provider configured through the environment. The checks are terraform-plugin-testing's
// plan and state checks, run on `terraform show -json` of the saved plan and of the state.

// featureImportForEach is for_each on import blocks (the adopt-collection recipe). Terraform
// and OpenTofu both have it from 1.7.0.
var featureImportForEach = cliFeature{
	name:      "for_each on import blocks",
	terraform: tfversion.Version1_7_0,
	openTofu:  version.Must(version.NewVersion("1.7.0")),
}

// recipeWorkspace is a workspace where recipes run against srv.
type recipeWorkspace struct {
	t   *testing.T
	ctx context.Context
	ws  *scenario.Workspace
}

func newRecipeWorkspace(t *testing.T, srv *datocmstest.Server) *recipeWorkspace {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return &recipeWorkspace{t: t, ctx: ctx, ws: cliWorkspace(t, srv)}
}

// useRecipe copies the files of examples/recipes/<name> into the workspace, unchanged.
func (r *recipeWorkspace) useRecipe(name string) {
	r.t.Helper()
	recipe := os.DirFS(filepath.Join(repoRoot(r.t), "examples", "recipes", name))
	err := fs.WalkDir(recipe, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		content, err := fs.ReadFile(recipe, path)
		if err == nil {
			err = r.ws.Write(path, content)
		}
		return err
	})
	if err != nil {
		r.t.Fatalf("copying recipe %s: %v", name, err)
	}
}

// file writes a file of the workspace, beside the recipe (its ${path.module}).
func (r *recipeWorkspace) file(name string, content []byte) {
	r.t.Helper()
	if err := r.ws.Write(name, content); err != nil {
		r.t.Fatal(err)
	}
}

// edit changes main.tf as the recipe's comments tell a user to: old becomes replacement.
func (r *recipeWorkspace) edit(old, replacement string) {
	r.t.Helper()
	main := string(readFile(r.t, filepath.Join(r.ws.Dir, "main.tf")))
	if !strings.Contains(main, old) {
		r.t.Fatalf("main.tf does not contain %q:\n%s", old, main)
	}
	r.file("main.tf", []byte(strings.Replace(main, old, replacement, 1)))
}

// run runs a terraform command that must succeed and returns its standard output.
func (r *recipeWorkspace) run(args ...string) string {
	r.t.Helper()
	res, err := r.ws.Run(r.ctx, args...)
	if err != nil || res.ExitCode != 0 {
		r.t.Fatalf("%v\n%s", err, res)
	}
	return res.Stdout
}

// apply does what a terraform-plugin-testing step does, through the CLI: it plans into a
// file, runs the plan checks on that plan, applies it, runs the state checks on the state,
// and asserts that the next plan (after a refresh) is empty.
func (r *recipeWorkspace) apply(planChecks []plancheck.PlanCheck, stateChecks []statecheck.StateCheck) {
	r.t.Helper()
	r.run("plan", "-input=false", "-out=recipe.tfplan")
	var plan tfjson.Plan
	if err := json.Unmarshal([]byte(r.run("show", "-json", "recipe.tfplan")), &plan); err != nil {
		r.t.Fatalf("terraform show -json of the plan: %v", err)
	}
	var errs []error
	for _, check := range planChecks {
		var resp plancheck.CheckPlanResponse
		check.CheckPlan(r.ctx, plancheck.CheckPlanRequest{Plan: &plan}, &resp)
		errs = append(errs, resp.Error)
	}
	if err := errors.Join(errs...); err != nil {
		r.t.Fatalf("plan checks: %v", err)
	}
	r.run("apply", "-input=false", "recipe.tfplan")
	var state tfjson.State
	if err := json.Unmarshal([]byte(r.run("show", "-json")), &state); err != nil {
		r.t.Fatalf("terraform show -json of the state: %v", err)
	}
	for _, check := range stateChecks {
		var resp statecheck.CheckStateResponse
		check.CheckState(r.ctx, statecheck.CheckStateRequest{State: &state}, &resp)
		errs = append(errs, resp.Error)
	}
	if err := errors.Join(errs...); err != nil {
		r.t.Fatalf("state checks after apply: %v", err)
	}
	if empty, res, err := r.ws.PlanIsEmpty(r.ctx); err != nil || !empty {
		r.t.Fatalf("the plan after apply is not empty: %v\n%s", err, res)
	}
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
	r := newRecipeWorkspace(t, srv)
	r.useRecipe("folder-into-collection")
	writePNG(t, filepath.Join(r.ws.Dir, "press-kit", "hero.png"), 60, 12, 8)
	writePNG(t, filepath.Join(r.ws.Dir, "press-kit", "logos", "acme.png"), 61, 8, 8)
	r.file("press-kit/factsheet.pdf", []byte("%PDF-1.4 facts"))
	r.file("press-kit/notes.txt", []byte("not part of the kit"))
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

	r.apply(nil, idChecks(
		statecheck.ExpectKnownOutputValue("press_kit_urls", knownvalue.MapSizeExact(3)),
		serverCheck(func() error {
			if got := collectionTree(srv); got != "Press kit#1" {
				return fmt.Errorf("collections: %s", got)
			}
			in := uploadsIn(srv, collectionID(t, srv, "Press kit"))
			for _, name := range []string{"factsheet.pdf", "hero.png", "acme.png"} {
				if up, ok := in[name]; !ok || !slices.Equal(up.Tags, []string{"press-kit"}) {
					return fmt.Errorf("collection holds %v, want %s tagged press-kit", slices.Collect(maps.Keys(in)), name)
				}
			}
			if len(srv.Uploads("")) != 3 {
				return fmt.Errorf("server holds %d uploads, want 3 (notes.txt is not part of the kit)", len(srv.Uploads("")))
			}
			srv.ResetRequests()
			return nil
		}),
	))

	// One apply: the uploads move, then the emptied old collection goes (it was created with
	// create_before_destroy, which orders its destroy last).
	r.useRecipe("move-into-new-collection")
	r.apply([]plancheck.PlanCheck{
		plancheck.ExpectResourceAction("datocms_upload_collection.press_kit", plancheck.ResourceActionDestroy),
		plancheck.ExpectResourceAction(addr("hero.png"), plancheck.ResourceActionUpdate),
		expectChangedAttributes(addr("hero.png"), "upload_collection_id"),
	}, idChecks(
		treeIs(srv, "Brand#1[Press#1]"),
		serverCheck(func() error {
			if in := uploadsIn(srv, collectionID(t, srv, "Press")); len(in) != 3 {
				return fmt.Errorf("Press holds %v, want the 3 uploads", slices.Collect(maps.Keys(in)))
			}
			if n := srv.CountRequests("POST", "/uploads") + srv.CountRequests("PUT", "/storage/"); n != 0 {
				return fmt.Errorf("%d uploads or file transfers: moving must not send files", n)
			}
			if n := srv.CountRequests("DELETE", "/uploads"); n != 0 {
				return fmt.Errorf("%d uploads deleted", n)
			}
			return nil
		}),
	))

	r.run("destroy", "-auto-approve", "-input=false")
	if err := checkNoCollections(srv)(nil); err != nil {
		t.Error(err)
	}
}

// valueTracker is what statecheck.CompareValue returns: it compares a value across steps.
type valueTracker interface {
	AddStateValue(address string, path tfjsonpath.Path) statecheck.StateCheck
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

// planned asserts that the plan has exactly these resource instances of type typ.
func planned(typ string, want ...string) plancheck.PlanCheck {
	return planFunc(func(plan *tfjson.Plan) error {
		var got []string
		for _, rc := range plan.ResourceChanges {
			if rc.Type == typ {
				got = append(got, rc.Address)
			}
		}
		slices.Sort(got)
		if want = slices.Sorted(slices.Values(want)); !slices.Equal(got, want) {
			return fmt.Errorf("the plan has %v, want %v", got, want)
		}
		return nil
	})
}

type planFunc func(plan *tfjson.Plan) error

func (f planFunc) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// TestAccRecipe_adoptCollection: the uploads of an existing collection that have a local
// file are imported, not uploaded again, and keep what they hold; a local file without an
// upload is created; uploads without a local file, or outside the collection, are left alone.
// Then a value set in local.changes, as the recipe says, plans as an update from the value
// DatoCMS holds to the new one, and is applied to the same upload.
func TestAccRecipe_adoptCollection(t *testing.T) {
	t.Parallel()
	skipUnlessCLIHas(t, featureImportForEach)
	srv := newTestServer(t)
	legacy := srv.CreateUploadCollection("", "Legacy")
	r := newRecipeWorkspace(t, srv)
	r.useRecipe("adopt-collection")
	local := map[string][]byte{
		"fox.png":   pngContent(t, 70),
		"owl.png":   pngContent(t, 71),
		"terms.txt": []byte("terms v1"),
		"new.png":   pngContent(t, 72),
	}
	for name, content := range local {
		r.file("legacy/"+name, content)
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

	// Step 1: adopt.
	r.apply([]plancheck.PlanCheck{
		importing(addr("fox.png"), addr("owl.png"), addr("terms.txt")),
		plancheck.ExpectResourceAction(addr("new.png"), plancheck.ResourceActionCreate),
		// Adopting changes nothing but the local source path it records.
		expectChangedAttributes(addr("fox.png"), "source"),
		expectChangedAttributes(addr("owl.png"), "source"),
		expectChangedAttributes(addr("terms.txt"), "source"),
	}, []statecheck.StateCheck{
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
				return fmt.Errorf("Legacy holds %v", slices.Collect(maps.Keys(in)))
			}
			for id, was := range before {
				now, ok := srv.Upload("", id)
				if !ok || now.UpdatedAt != was.UpdatedAt || now.MD5 != was.MD5 {
					return fmt.Errorf("upload %s (%s) changed: %+v -> %+v", id, was.Filename, was, now)
				}
			}
			return nil
		}),
	})

	// Step 2: change a value, as the recipe's comment shows.
	srv.ResetRequests()
	r.edit(`# "fox.png" = { author = "ACME Photo Desk" }`, `"fox.png" = { author = "ACME Photo Desk" }`)
	r.apply([]plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr("fox.png"), plancheck.ResourceActionUpdate),
		expectAttributeChange(addr("fox.png"), "author", "Jane Doe", "ACME Photo Desk"),
		expectChangedAttributes(addr("fox.png"), "author"),
		onlyUpdates(1),
	}, []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr("fox.png"), tfjsonpath.New("id"), knownvalue.StringExact(seeded[0].ID)),
		serverCheck(func() error {
			if up, _ := srv.Upload("", seeded[0].ID); !strPtrEq(up.Author, "ACME Photo Desk") {
				return fmt.Errorf("fox.png has author %v, want ACME Photo Desk", up.Author)
			}
			if n := srv.WriteCount(); n != 1 {
				return fmt.Errorf("%d writes, want 1 (the author of fox.png)", n)
			}
			return nil
		}),
	})
}

// TestAccRecipe_altTextForCollection: every image of the Products collection gets its alt
// text, under an address named after its file (the older of two uploads with the same name
// keeps the plain name, the newer adds its ID); what else the uploads hold stays. An alt text
// edited in the UI shows as drift on that one address and is put back.
func TestAccRecipe_altTextForCollection(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	products := srv.CreateUploadCollection("", "Products")
	other := srv.CreateUploadCollection("", "Other")
	r := newRecipeWorkspace(t, srv)
	r.useRecipe("alt-text-for-collection")
	first := seedUploads(t, srv, []seedUpload{
		{name: "blue-chair.jpg", content: pngContent(t, 80), in: datocms.CreateUploadInput{UploadCollectionID: &products}},
		{name: "red-sofa.png", content: pngContent(t, 81), in: datocms.CreateUploadInput{
			UploadCollectionID: &products, Author: ptr("UI author"),
			DefaultFieldMetadata: &datocms.FieldMetadata{
				Locales:    map[string]datocms.LocaleMetadata{"it": {Title: ptr("Divano rosso")}},
				FocalPoint: &datocms.FocalPoint{X: 0.25, Y: 0.75},
			},
		}},
		{name: "sizes.txt", content: []byte("S M L\n"), in: datocms.CreateUploadInput{UploadCollectionID: &products}},
		{name: "lamp.png", content: pngContent(t, 82), in: datocms.CreateUploadInput{UploadCollectionID: &other}},
	})
	// Seeded afterwards, so that it is the newer of the two blue-chair.jpg.
	chair2 := seedUploads(t, srv, []seedUpload{
		{name: "blue-chair.jpg", content: pngContent(t, 83), in: datocms.CreateUploadInput{UploadCollectionID: &products}},
	})[0]
	chair, sofa, sizes, lamp := first[0], first[1], first[2], first[3]
	addr := func(key string) string { return fmt.Sprintf("datocms_upload_metadata.product_alt[%q]", key) }
	chairAddr, chair2Addr, sofaAddr := addr("blue-chair.jpg"), addr("blue-chair.jpg~"+chair2.ID), addr("red-sofa.png")
	const chairAlt, sofaAlt = "Blue lounge chair with oak legs", "Product photo: red sofa"

	altsSet := serverCheck(func() error {
		for id, want := range map[string]string{chair.ID: chairAlt, chair2.ID: chairAlt, sofa.ID: sofaAlt, sizes.ID: "", lamp.ID: ""} {
			if got := altOf(srv, id, "en"); got != want {
				return fmt.Errorf("upload %s has alt %q, want %q", id, got, want)
			}
		}
		up, _ := srv.Upload("", sofa.ID)
		if !strPtrEq(up.Author, "UI author") || up.Metadata["it"].Title == nil || up.FocalPoint == nil {
			return fmt.Errorf("red-sofa.png lost its author, Italian title or focal point: %+v", up)
		}
		return nil
	})
	r.apply([]plancheck.PlanCheck{
		planned("datocms_upload_metadata", chairAddr, chair2Addr, sofaAddr),
		plancheck.ExpectResourceAction(chairAddr, plancheck.ResourceActionCreate),
		plancheck.ExpectResourceAction(chair2Addr, plancheck.ResourceActionCreate),
		plancheck.ExpectResourceAction(sofaAddr, plancheck.ResourceActionCreate),
	}, []statecheck.StateCheck{
		statecheck.ExpectKnownValue(chairAddr, tfjsonpath.New("upload_id"), knownvalue.StringExact(chair.ID)),
		statecheck.ExpectKnownValue(chair2Addr, tfjsonpath.New("upload_id"), knownvalue.StringExact(chair2.ID)),
		statecheck.ExpectKnownValue(sofaAddr, tfjsonpath.New("upload_id"), knownvalue.StringExact(sofa.ID)),
		altsSet,
	})

	// Someone edits an alt text in the UI: the plan shows that one upload, by its file name.
	mustEditUpload(t, srv, sofa.ID, func(u *datocmstest.Upload) {
		u.Metadata["en"] = datocmstest.LocaleMetadata{Alt: ptr("blurry photo")}
	})
	srv.ResetRequests()
	r.apply([]plancheck.PlanCheck{
		plancheck.ExpectResourceAction(sofaAddr, plancheck.ResourceActionUpdate),
		plancheck.ExpectKnownValue(sofaAddr, tfjsonpath.New("default_field_metadata").AtMapKey("en").AtMapKey("alt"), knownvalue.StringExact(sofaAlt)),
		onlyUpdates(1),
	}, []statecheck.StateCheck{
		altsSet,
		serverCheck(func() error {
			if n := srv.WriteCount(); n != 1 {
				return fmt.Errorf("%d writes, want 1 (the alt text of red-sofa.png)", n)
			}
			return nil
		}),
	})
}
