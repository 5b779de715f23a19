package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// collectionTree renders the server's collections as "Label#position[children]", top level
// first, each list in position order.
func collectionTree(srv *datocmstest.Server) string {
	all := srv.UploadCollections("")
	byParent := map[string][]datocmstest.UploadCollection{}
	for _, col := range all {
		byParent[col.ParentID] = append(byParent[col.ParentID], col)
	}
	var render func(parent string) string
	render = func(parent string) string {
		var parts []string
		for _, col := range byParent[parent] {
			part := fmt.Sprintf("%s#%d", col.Label, col.Position)
			if kids := render(col.ID); kids != "" {
				part += "[" + kids + "]"
			}
			parts = append(parts, part)
		}
		return strings.Join(parts, " ")
	}
	return render("")
}

// treeIs asserts the server's collection tree.
func treeIs(srv *datocmstest.Server, want string) serverCheck {
	return func() error {
		if got := collectionTree(srv); got != want {
			return fmt.Errorf("server holds collections %s, want %s", got, want)
		}
		return nil
	}
}

// collectionID returns the id of the server's only collection with this label.
func collectionID(t *testing.T, srv *datocmstest.Server, label string) string {
	t.Helper()
	var ids []string
	for _, col := range srv.UploadCollections("") {
		if col.Label == label {
			ids = append(ids, col.ID)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("server has %d collections labelled %q", len(ids), label)
	}
	return ids[0]
}

func checkNoCollections(srv *datocmstest.Server) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if tree := collectionTree(srv); tree != "" {
			return fmt.Errorf("collections left after destroy: %s", tree)
		}
		return nil
	}
}

const (
	marketingRes = "datocms_upload_collection.marketing"
	docsRes      = "datocms_upload_collection.docs"
	heroesRes    = "datocms_upload_collection.heroes"
)

// TestAccUploadCollection_lifecycle creates nested collections, imports them, renames,
// moves and reorders one in place, and shows edits made in the Media Area as drift.
func TestAccUploadCollection_lifecycle(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	// Docs is created after Marketing (depends_on) so that position 1 puts it first.
	cfg := func(heroes, docsExtra string) string {
		return providerBlock(srv, "") + `
resource "datocms_upload_collection" "marketing" {
  label = "Marketing"
}

resource "datocms_upload_collection" "docs" {
  label      = "Docs"
  position   = 1
  depends_on = [datocms_upload_collection.marketing]` + docsExtra + `
}

resource "datocms_upload_collection" "heroes" {
` + heroes + `
}
`
	}
	nested := cfg("  label     = \"Heroes\"\n  parent_id = datocms_upload_collection.marketing.id", "")
	movedTop := cfg("  label = \"Hero images\"", "")
	second := cfg("  label    = \"Hero images\"\n  position = 2", "")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	marketingID := statecheck.CompareValue(compare.ValuesSame())

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoCollections(srv),
		Steps: []resource.TestStep{
			{
				Config: nested,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(heroesRes, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(docsRes, tfjsonpath.New("position"), knownvalue.Int64Exact(1)),
						plancheck.ExpectUnknownValue(marketingRes, tfjsonpath.New("position")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(heroesRes, tfjsonpath.New("id")),
					marketingID.AddStateValue(marketingRes, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(heroesRes, tfjsonpath.New("label"), knownvalue.StringExact("Heroes")),
					statecheck.ExpectKnownValue(heroesRes, tfjsonpath.New("position"), knownvalue.Int64Exact(1)),
					statecheck.CompareValuePairs(heroesRes, tfjsonpath.New("parent_id"), marketingRes, tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(docsRes, tfjsonpath.New("parent_id"), knownvalue.Null()),
					treeIs(srv, "Docs#1 Marketing#2[Heroes#1]"),
				},
			},
			// Import by ID reads back everything the configuration sets.
			{ResourceName: heroesRes, ImportState: true, ImportStateVerify: true},
			{ResourceName: docsRes, ImportState: true, ImportStateVerify: true},
			{
				// Rename and move to the top level in place: unset, position follows DatoCMS
				// (a moved collection goes last).
				Config: movedTop,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(heroesRes, plancheck.ResourceActionUpdate),
						expectChangedAttributes(heroesRes, "label", "parent_id", "position"),
						expectUnknownAttributes(heroesRes, "position"),
						plancheck.ExpectResourceAction(docsRes, plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(marketingRes, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(heroesRes, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(heroesRes, tfjsonpath.New("parent_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(heroesRes, tfjsonpath.New("position"), knownvalue.Int64Exact(3)),
					treeIs(srv, "Docs#1 Marketing#2 Hero images#3"),
				},
			},
			{
				// Reorder: only position changes; Marketing (position unset) moves down silently.
				Config: second,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						expectChangedAttributes(heroesRes, "position"),
						expectAttributeChange(heroesRes, "position", 3, 2),
						plancheck.ExpectResourceAction(marketingRes, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(heroesRes, tfjsonpath.New("id")),
					marketingID.AddStateValue(marketingRes, tfjsonpath.New("id")),
					treeIs(srv, "Docs#1 Hero images#2 Marketing#3"),
				},
			},
			{
				// Drift: Docs renamed and Hero images moved into Marketing in the Media Area.
				PreConfig: func() {
					mustEdit(t, srv, collectionID(t, srv, "Docs"), func(c *datocmstest.UploadCollection) { c.Label = "Documents" })
					marketing := collectionID(t, srv, "Marketing")
					mustEdit(t, srv, collectionID(t, srv, "Hero images"), func(c *datocmstest.UploadCollection) { c.ParentID = marketing })
				},
				Config: second,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						expectChangedAttributes(docsRes, "label"),
						expectAttributeChange(docsRes, "label", "Documents", "Docs"),
						expectChangedAttributes(heroesRes, "parent_id", "position"),
						lazyPlanCheck(func() plancheck.PlanCheck {
							return expectAttributeChange(heroesRes, "parent_id", collectionID(t, srv, "Marketing"), nil)
						}),
						expectAttributeChange(heroesRes, "position", 1, 2),
						plancheck.ExpectResourceAction(marketingRes, plancheck.ResourceActionNoop),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(heroesRes, tfjsonpath.New("id")),
					treeIs(srv, "Docs#1 Hero images#2 Marketing#3"),
				},
			},
			{
				// Drift: Docs dragged to the end of the list. Both configured positions show.
				PreConfig: func() {
					mustEdit(t, srv, collectionID(t, srv, "Docs"), func(c *datocmstest.UploadCollection) { c.Position = 3 })
				},
				Config:             second,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						expectChangedAttributes(docsRes, "position"),
						expectAttributeChange(docsRes, "position", 3, 1),
						expectAttributeChange(heroesRes, "position", 1, 2),
						plancheck.ExpectResourceAction(marketingRes, plancheck.ResourceActionNoop),
					},
				},
			},
			{
				// Terraform applies independent resources in any order, and DatoCMS numbers
				// siblings 1..n: chaining them in position order makes the repair one apply.
				Config: cfg("  label      = \"Hero images\"\n  position   = 2\n  depends_on = [datocms_upload_collection.docs]", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{treeIs(srv, "Docs#1 Hero images#2 Marketing#3")},
			},
			{
				// Deleted in the Media Area: the plan creates it again.
				PreConfig: func() {
					if err := apiClient(t, srv).DeleteUploadCollection(context.Background(), collectionID(t, srv, "Docs")); err != nil {
						t.Fatal(err)
					}
				},
				Config:             second,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(docsRes, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

func mustEdit(t *testing.T, srv *datocmstest.Server, id string, edit func(c *datocmstest.UploadCollection)) {
	t.Helper()
	if err := srv.EditUploadCollection("", id, edit); err != nil {
		t.Fatal(err)
	}
}

// TestAccUploadCollection_refusesToDeleteNonEmpty: a destroy of a collection that holds
// uploads and a collection stops with an error that says what it holds, sends no DELETE,
// and moves nothing; once emptied, it is deleted.
//
// What DatoCMS does with a non-empty collection's DELETE is not documented: the local server
// plays each plausible answer (refuse, orphan its contents, delete them), and the provider,
// which never sends that DELETE, behaves the same against each.
func TestAccUploadCollection_refusesToDeleteNonEmpty(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"refuse", "orphan", "cascade"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			refusesToDeleteNonEmpty(t, newTestServer(t, datocmstest.WithBehaviour(datocmstest.Behaviour{NonEmptyCollectionDelete: mode})))
		})
	}
}

func refusesToDeleteNonEmpty(t *testing.T, srv *datocmstest.Server) {
	withCollection := providerBlock(srv, "") + `
resource "datocms_upload_collection" "full" {
  label = "Full"
}
`
	var uploads []*datocms.Upload
	var child string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoCollections(srv),
		Steps: []resource.TestStep{
			{Config: withCollection},
			{
				// Someone files two uploads and a sub-folder in it; then the configuration
				// drops the collection.
				PreConfig: func() {
					full := collectionID(t, srv, "Full")
					uploads = seedUploads(t, srv, []seedUpload{
						{name: "a.txt", content: []byte("a"), in: datocms.CreateUploadInput{UploadCollectionID: &full}},
						{name: "b.txt", content: []byte("b"), in: datocms.CreateUploadInput{UploadCollectionID: &full}},
					})
					var err error
					if child, err = srv.CreateUploadCollectionUnder("", full, "Inner"); err != nil {
						t.Fatal(err)
					}
					srv.ResetRequests()
				},
				Config: providerBlock(srv, ""),
				ExpectError: regexp.MustCompile(`(?s)Upload collection is not empty.*"Full".*still holds 2 uploads.*and 1 collection.*"Inner".*` +
					`create_before_destroy.*Otherwise move.*uploads.*apply again`),
				ConfigStateChecks: nil,
			},
			{
				// Nothing was deleted or moved, and no DELETE was sent.
				PreConfig: func() {
					if n := srv.CountRequests("DELETE", "/upload-collections"); n != 0 {
						t.Errorf("%d DELETE requests for collections, want 0", n)
					}
					if got := collectionTree(srv); got != "Full#1[Inner#1]" {
						t.Errorf("collections after the refused destroy: %s", got)
					}
					for _, up := range uploads {
						if got, _ := srv.Upload("", up.ID); !strPtrEq(got.UploadCollectionID, collectionID(t, srv, "Full")) {
							t.Errorf("upload %s moved to %v", up.ID, got.UploadCollectionID)
						}
					}
				},
				Config:             withCollection,
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				// Emptied by hand: the destroy goes through.
				PreConfig: func() {
					for _, up := range uploads {
						if err := srv.EditUpload("", up.ID, func(u *datocmstest.Upload) { u.UploadCollectionID = nil }); err != nil {
							t.Fatal(err)
						}
					}
					if err := apiClient(t, srv).DeleteUploadCollection(context.Background(), child); err != nil {
						t.Fatal(err)
					}
				},
				Config:            providerBlock(srv, ""),
				ConfigStateChecks: []statecheck.StateCheck{treeIs(srv, "")},
			},
		},
	})
	// The uploads were never touched by the destroys.
	if n := len(srv.Uploads("")); n != 2 {
		t.Errorf("server holds %d uploads, want the 2 seeded", n)
	}
}

// TestAccUploadCollection_planTimeErrors: mistakes that can be caught cheaply fail the plan,
// naming the attribute; a cycle through another collection fails the apply clearly.
func TestAccUploadCollection_planTimeErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	a := srv.CreateUploadCollection("", "A")
	b, err := srv.CreateUploadCollectionUnder("", a, "B")
	if err != nil {
		t.Fatal(err)
	}
	one := func(body string) string {
		return providerBlock(srv, "") + "resource \"datocms_upload_collection\" \"test\" {\n" + body + "\n}\n"
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      one(`  label = "X"` + "\n  parent_id = \"no-such-collection\""),
				PlanOnly:    true,
				ExpectError: wrappedError(`Unknown parent collection.*with datocms_upload_collection.test.*parent_id.*no upload collection "no-such-collection"`),
			},
			{Config: one(`  label = " "`), PlanOnly: true, ExpectError: wrappedError(`label.*must not be empty`)},
			{Config: one(`  label = "X"` + "\n  position = 0"), PlanOnly: true, ExpectError: wrappedError(`position.*between 1 and 2147483647`)},
			{Config: one(`  label = "X"` + "\n  position = 2147483648"), PlanOnly: true, ExpectError: wrappedError(`position.*between 1 and 2147483647`)},
			{
				// Adopting A and making it its own parent.
				Config:      one(fmt.Sprintf("  label = \"A\"\n  parent_id = %q", a)) + fmt.Sprintf("import {\n  to = datocms_upload_collection.test\n  id = %q\n}\n", a),
				PlanOnly:    true,
				ExpectError: wrappedError(`Collection cannot be its own parent.*parent_id is ".*", the ID of this collection`),
			},
			{
				// Moving A under B, which is inside A, by B's literal ID: caught at plan.
				PreConfig:   srv.ResetRequests,
				Config:      one(fmt.Sprintf("  label = \"A\"\n  parent_id = %q", b)) + fmt.Sprintf("import {\n  to = datocms_upload_collection.test\n  id = %q\n}\n", a),
				PlanOnly:    true,
				ExpectError: wrappedError(`Collection cannot be inside itself.*parent_id.*"B"\), a collection inside this one`),
			},
			{
				// The refused move changed nothing. Adopt A, after taking B out of it so that
				// the destroy at the end of the test can delete it.
				PreConfig: func() {
					if n := srv.WriteCount(); n != 0 {
						t.Errorf("the refused plans made %d writes", n)
					}
					if got := collectionTree(srv); got != "A#1[B#1]" {
						t.Errorf("collections after the refused move: %s", got)
					}
					mustEdit(t, srv, b, func(c *datocmstest.UploadCollection) { c.ParentID = "" })
				},
				Config: one(`  label = "A"`) + fmt.Sprintf("import {\n  to = datocms_upload_collection.test\n  id = %q\n}\n", a),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
	if got := collectionTree(srv); got != "B#1" {
		t.Errorf("collections left: %s, want B only", got)
	}
}

// TestListIDs: error messages list at most maxListedIDs items and say how many more.
func TestListIDs(t *testing.T) {
	t.Parallel()
	items := make([]string, 15)
	for i := range items {
		items[i] = fmt.Sprint(i)
	}
	if got, want := listIDs(items, 15), "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 5 more"; got != want {
		t.Errorf("listIDs = %q, want %q", got, want)
	}
	if got := listIDs(items[:2], 2); got != "0, 1" {
		t.Errorf("listIDs = %q", got)
	}
	if plural(1, "upload") != "1 upload" || plural(3, "collection") != "3 collections" {
		t.Error("plural")
	}
}
