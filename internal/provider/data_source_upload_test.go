package provider

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// TestAccUploadDataSource_lookups finds one upload by id, md5 and file name, each returning
// what the server holds; zero or several matches are errors that say how many and which.
func TestAccUploadDataSource_lookups(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	col := srv.CreateUploadCollection("", "Docs")
	seeded := seedUploads(t, srv, []seedUpload{
		{name: "hero.png", content: pngContent(t, 40), in: datocms.CreateUploadInput{Tags: []string{"hero"}}},
		{name: "a.txt", content: []byte("same bytes")},
		{name: "b.txt", content: []byte("same bytes"), in: datocms.CreateUploadInput{UploadCollectionID: &col}},
		{name: "dup.txt", content: []byte("first")},
		{name: "dup.txt", content: []byte("second")},
		// Its name contains "hero.png": a lookup by name must not take it.
		{name: "superhero.png", content: pngContent(t, 41)},
	})
	hero, _ := srv.Upload("", seeded[0].ID)
	one := func(body string) string {
		return providerBlock(srv, "") + "data \"datocms_upload\" \"test\" {\n" + body + "\n}\n"
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(srv, "") + fmt.Sprintf(`
data "datocms_upload" "by_id" {
  id = %q
}

data "datocms_upload" "by_md5" {
  md5 = %q
}

data "datocms_upload" "by_filename" {
  filename = "HERO.png"
}
`, hero.ID, hero.MD5),
				ConfigStateChecks: []statecheck.StateCheck{
					// Every attribute, as the server holds it; the three lookups agree.
					statecheck.ExpectKnownValue("data.datocms_upload.by_id", tfjsonpath.New("url"), knownvalue.StringExact(hero.URL)),
					statecheck.ExpectKnownValue("data.datocms_upload.by_id", tfjsonpath.New("filename"), knownvalue.StringExact("hero.png")),
					statecheck.ExpectKnownValue("data.datocms_upload.by_id", tfjsonpath.New("tags"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("hero")})),
					statecheck.ExpectKnownValue("data.datocms_upload.by_id", tfjsonpath.New("width"), knownvalue.Int64Exact(8)),
					statecheck.ExpectKnownValue("data.datocms_upload.by_md5", tfjsonpath.New("id"), knownvalue.StringExact(hero.ID)),
					statecheck.ExpectKnownValue("data.datocms_upload.by_filename", tfjsonpath.New("id"), knownvalue.StringExact(hero.ID)),
					statecheck.ExpectKnownValue("data.datocms_upload.by_filename", tfjsonpath.New("md5"), knownvalue.StringExact(hero.MD5)),
					statecheck.ExpectKnownValue("data.datocms_upload.by_md5", tfjsonpath.New("filename"), knownvalue.StringExact("hero.png")),
				},
			},
			{
				Config: one(fmt.Sprintf("  md5 = %q", seeded[1].MD5)),
				ExpectError: wrappedError(fmt.Sprintf(`Several uploads found.*2 uploads have md5 %q: .*(%s \(a.txt\).*%s \(b.txt, in collection %s\)|%s \(b.txt, in collection %s\).*%s \(a.txt\))`,
					seeded[1].MD5, seeded[1].ID, seeded[2].ID, col, seeded[2].ID, col, seeded[1].ID)),
			},
			{
				Config: one(`  filename = "dup.txt"`),
				ExpectError: wrappedError(fmt.Sprintf(`Several uploads found.*2 uploads are named "dup.txt": .*(%s.*%s|%s.*%s)`,
					seeded[3].ID, seeded[4].ID, seeded[4].ID, seeded[3].ID)),
			},
			{Config: one(`  md5 = "00000000000000000000000000000000"`), ExpectError: wrappedError(`No upload found.*No upload in the environment has md5 "00000000000000000000000000000000"`)},
			{Config: one(`  filename = "missing.png"`), ExpectError: wrappedError(`No upload found.*No upload in the environment is named "missing.png"`)},
			{Config: one(`  id = "no-such-upload"`), ExpectError: wrappedError(`Upload not found.*no upload "no-such-upload"`)},
			{Config: one(fmt.Sprintf("  id = %q\n  md5 = %q", hero.ID, hero.MD5)), PlanOnly: true, ExpectError: wrappedError(`Invalid Attribute Combination.*Exactly one of these attributes must be configured`)},
			{Config: one(""), PlanOnly: true, ExpectError: wrappedError(`Missing Attribute Configuration.*Exactly one of these attributes must be configured`)},
			{Config: providerBlock(srv, "")}, // the destroy at the end runs with this configuration
		},
	})
}

// TestAccUploadDataSource_matchesResource: for an upload that datocms_upload manages, the data
// source returns the same values, default_field_metadata included, so they can be copied
// from one to the other.
func TestAccUploadDataSource_matchesResource(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "fox.png"), 50, 16, 16)
	col := srv.CreateUploadCollection("", "Animals")
	config := uploadConfig(srv, fmt.Sprintf(`
  source               = %q
  author               = "Jane Doe"
  tags                 = ["fox", "animal"]
  upload_collection_id = %q
  default_field_metadata = {
    en = {
      alt         = "Red fox"
      custom_data = { credit = "ACME" }
      focal_point = { x = 0.3, y = 0.6 }
    }
    it = { title = "Volpe" }
  }`, src, col)) + `
data "datocms_upload" "test" {
  id = datocms_upload.test.id
}

data "datocms_uploads" "test" {
  upload_collection_id = datocms_upload.test.upload_collection_id
}
`
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "url", "path", "basename", "filename", "md5", "size", "format", "mime_type", "width",
		"height", "is_image", "author", "copyright", "notes", "tags", "upload_collection_id", "default_field_metadata", "created_at"} {
		checks = append(checks,
			statecheck.CompareValuePairs(testResource, tfjsonpath.New(attr), "data.datocms_upload.test", tfjsonpath.New(attr), compare.ValuesSame()),
			statecheck.CompareValuePairs(testResource, tfjsonpath.New(attr), "data.datocms_uploads.test", tfjsonpath.New("uploads").AtSliceIndex(0).AtMapKey(attr), compare.ValuesSame()))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps:                    []resource.TestStep{{Config: config, ConfigStateChecks: checks}},
	})
}
