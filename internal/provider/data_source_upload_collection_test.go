package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccUploadCollectionDataSource finds collections by id and by label (inside a parent
// to tell same-named folders apart), returning what the server holds; an ambiguous or
// unknown label is an error that lists the candidates.
func TestAccUploadCollectionDataSource(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	marketing := srv.CreateUploadCollection("", "Marketing")
	blog := srv.CreateUploadCollection("", "Blog")
	archive := srv.CreateUploadCollection("", "Archive")
	mustUnder := func(parent, label string) string {
		id, err := srv.CreateUploadCollectionUnder("", parent, label)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	marketingImages := mustUnder(marketing, "Images")
	blogImages := mustUnder(blog, "Images")
	social := mustUnder(marketing, "Social")
	one := func(body string) string {
		return providerBlock(srv, "") + "data \"datocms_upload_collection\" \"test\" {\n" + body + "\n}\n"
	}
	// expect is the value of each attribute, from the server's Go API.
	expect := func(address, id string) []statecheck.StateCheck {
		col, ok := srv.UploadCollection("", id)
		if !ok {
			t.Fatalf("no collection %s", id)
		}
		var parent knownvalue.Check = knownvalue.Null()
		if col.ParentID != "" {
			parent = knownvalue.StringExact(col.ParentID)
		}
		children := []knownvalue.Check{}
		for _, ch := range col.ChildIDs {
			children = append(children, knownvalue.StringExact(ch))
		}
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(col.ID)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("label"), knownvalue.StringExact(col.Label)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("parent_id"), parent),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("position"), knownvalue.Int64Exact(int64(col.Position))),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("child_ids"), knownvalue.ListExact(children)),
		}
	}
	var checks []statecheck.StateCheck
	checks = append(checks, expect("data.datocms_upload_collection.by_id", archive)...)
	checks = append(checks, expect("data.datocms_upload_collection.by_label", marketing)...)
	checks = append(checks, expect("data.datocms_upload_collection.in_parent", blogImages)...)
	checks = append(checks, expect("data.datocms_upload_collection.nested", social)...)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(srv, "") + fmt.Sprintf(`
data "datocms_upload_collection" "by_id" {
  id = %q
}

data "datocms_upload_collection" "by_label" {
  label = "Marketing"
}

data "datocms_upload_collection" "in_parent" {
  label     = "Images"
  parent_id = %q
}

data "datocms_upload_collection" "nested" {
  label = "Social"
}
`, archive, blog),
				ConfigStateChecks: checks,
			},
			{
				Config: one(`  label = "Images"`),
				ExpectError: wrappedError(fmt.Sprintf(`Several upload collections found.*2 upload collections are labelled "Images": `+
					`%s \(Marketing / Images\), %s \(Blog / Images\).*Set parent_id`, marketingImages, blogImages)),
			},
			{Config: one(`  label = "images"`), ExpectError: wrappedError(`Upload collection not found.*no upload collection labelled "images".*letter case included`)},
			{
				Config:      one(fmt.Sprintf("  label = \"Images\"\n  parent_id = %q", archive)),
				ExpectError: wrappedError(fmt.Sprintf(`no upload collection labelled "Images" inside collection %q`, archive)),
			},
			{Config: one(`  id = "no-such-collection"`), ExpectError: wrappedError(`Upload collection not found.*no upload collection "no-such-collection"`)},
			{Config: one(fmt.Sprintf("  id = %q\n  parent_id = %q", archive, blog)), PlanOnly: true, ExpectError: wrappedError(`Invalid Attribute Combination`)},
			{Config: one(fmt.Sprintf("  id = %q\n  label = \"Archive\"", archive)), PlanOnly: true, ExpectError: wrappedError(`Invalid Attribute Combination`)},
			{Config: providerBlock(srv, "")}, // the destroy at the end runs with this configuration
		},
	})
}
