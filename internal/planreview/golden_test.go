package planreview

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGolden with the reviews rendered now")

// TestGolden reviews real plans, made by the terraform binary with the provider of this
// repository against a local API server, and compares the Markdown and HTML with the golden
// files: testdata/<scenario>.{md,html}, and examples/plan-review/review.{md,html} for the
// documentation example, so the docs always show the review of a real plan. What varies
// between runs (the server's port, IDs, times in storage paths) is normalized first.
func TestGolden(t *testing.T) {
	providerDir := buildProvider(t)
	t.Run("scenarios", func(t *testing.T) {
		t.Parallel()
		goldenScenarios(t, providerDir)
	})
	t.Run("example", func(t *testing.T) {
		t.Parallel()
		l, plan := examplePlan(t, providerDir)
		md, html := l.review(plan)
		compareGolden(t, filepath.Join("..", "..", "examples", "plan-review", "review.md"), l.normalize(md))
		compareGolden(t, filepath.Join("..", "..", "examples", "plan-review", "review.html"), l.normalize(html))
	})
}

// goldenScenarios takes one workspace through the plans a reviewer meets, each reviewed
// before it is applied: a new asset, a changed file, metadata only, a collection move,
// drift (a refresh-only plan after edits made in DatoCMS) and a destroy.
func goldenScenarios(t *testing.T, providerDir string) {
	l := newLab(t, providerDir)
	if _, err := l.srv.SeedUploads("", 1, time.Time{}); err != nil { // an upload no configuration holds
		t.Fatal(err)
	}
	reportID := l.srv.Uploads("")[0].ID
	l.apply(collectionsConfig("Photos", "") + report(reportID, `["imported"]`, "", ""))

	golden := func(name string, planJSON []byte) {
		t.Helper()
		md, html := l.review(planJSON)
		compareGolden(t, filepath.Join("testdata", name+".md"), l.normalize(md))
		compareGolden(t, filepath.Join("testdata", name+".html"), l.normalize(html))
	}

	l.write("assets/cover.png", testImage(t, 320, 200, 80, "png"))
	golden("new-asset", l.plan(collectionsConfig("Photos", "")+report(reportID, `["imported"]`, "", "")+cover(coverV1)))
	l.applyPlan()

	l.write("assets/cover.png", testImage(t, 480, 300, 120, "png"))
	golden("changed-file", l.plan(collectionsConfig("Photos", "")+report(reportID, `["imported"]`, "", "")+cover(coverV1)))
	l.applyPlan()

	metadataOnly := collectionsConfig("Photos", "") + report(reportID, `["imported", "finance"]`, "Figures for Q3", "") + cover(coverV2)
	golden("metadata-only", l.plan(metadataOnly))
	l.applyPlan()

	moved := collectionsConfig("Photography", pressCollection) +
		report(reportID, `["imported", "finance"]`, "Figures for Q3", "datocms_upload_collection.press.id") +
		cover(coverV3)
	golden("collection-move", l.plan(moved))
	l.applyPlan()

	coverID := l.uploadID("cover.png")
	if err := l.srv.ReplaceFile("", coverID, "cover.png", testImage(t, 400, 400, 200, "png")); err != nil {
		t.Fatal(err)
	}
	edit := func(id string, edit func(u *datocmstest.Upload)) {
		if err := l.srv.EditUpload("", id, edit); err != nil {
			t.Fatal(err)
		}
	}
	edit(coverID, func(u *datocmstest.Upload) { u.Author, u.Tags = ptr("John Roe"), append(u.Tags, "edited-in-ui") })
	edit(reportID, func(u *datocmstest.Upload) { u.Notes = ptr("Figures for Q3, revised") })
	golden("drift", l.plan(moved, "-refresh-only"))
	l.applyPlan() // accept the drift, so that the destroy's plan shows only the destroy

	for _, ref := range []datocmstest.Reference{
		{UploadID: coverID, RecordID: "home-page", ItemType: "page"},
		{UploadID: coverID, RecordID: "launch-post", ItemType: "article", Version: "published"},
	} {
		if err := l.srv.AddReference(ref); err != nil {
			t.Fatal(err)
		}
	}
	golden("destroy", l.plan(collectionsConfig("Photography", pressCollection)))
}

func ptr(s string) *string { return &s }

// collectionsConfig is the scenarios' upload collections: photos (labelled photosLabel) and
// archive, then extra.
func collectionsConfig(photosLabel, extra string) string {
	return fmt.Sprintf(`
resource "datocms_upload_collection" "photos" {
  label = %q
}

resource "datocms_upload_collection" "archive" {
  label = "Archive"
}
%s`, photosLabel, extra)
}

const pressCollection = `
resource "datocms_upload_collection" "press" {
  label = "Press"
}
`

// report manages the metadata of the seeded upload: tags, notes and collection ("" for
// none; otherwise an expression).
func report(id, tags, notes, collection string) string {
	s := fmt.Sprintf("\nresource \"datocms_upload_metadata\" \"report\" {\n  upload_id = %q\n  tags      = %s\n", id, tags)
	if notes != "" {
		s += fmt.Sprintf("  notes     = %q\n", notes)
	}
	if collection != "" {
		s += "  upload_collection_id = " + collection + "\n"
	}
	return s + "  default_field_metadata = {\n    en = { alt = \"Quarterly report\" }\n  }\n}\n"
}

// cover is the scenarios' upload, with the arguments args.
func cover(args string) string {
	return "\nresource \"datocms_upload\" \"cover\" {\n  source = \"${path.module}/assets/cover.png\"\n" + args + "}\n"
}

// The cover's arguments: as created; with new metadata; moved to the archive.
const (
	coverV1 = `  author               = "Jane Doe"
  tags                 = ["homepage", "hero"]
  upload_collection_id = datocms_upload_collection.photos.id
  default_field_metadata = {
    en = { alt = "Our office at dawn", focal_point = { x = 0.5, y = 0.3 } }
    it = { alt = "Il nostro ufficio all'alba", focal_point = { x = 0.5, y = 0.3 } }
  }
`
	coverV2 = `  author               = "Jane Doe"
  copyright            = "2026 ACME Inc."
  tags                 = ["homepage", "hero", "2026"]
  upload_collection_id = datocms_upload_collection.photos.id
  default_field_metadata = {
    en = { alt = "Our office at sunrise", focal_point = { x = 0.4, y = 0.6 }, custom_data = { credit = "Photo: J. Doe" } }
    it = { alt = "Il nostro ufficio all'alba", title = "Ufficio", focal_point = { x = 0.4, y = 0.6 } }
  }
`
	coverV3 = `  author               = "Jane Doe"
  copyright            = "2026 ACME Inc."
  tags                 = ["homepage", "hero", "2026"]
  upload_collection_id = datocms_upload_collection.archive.id
  default_field_metadata = {
    en = { alt = "Our office at sunrise", focal_point = { x = 0.4, y = 0.6 }, custom_data = { credit = "Photo: J. Doe" } }
    it = { alt = "Il nostro ufficio all'alba", title = "Ufficio", focal_point = { x = 0.4, y = 0.6 } }
  }
`
)

// compareGolden fails the test when the file at path does not hold got; with -update, it
// writes got there instead.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/planreview/ -run TestGolden -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s is not the review rendered now (-want +got); if the change is meant, rewrite the golden files "+
			"with go test ./internal/planreview/ -run TestGolden -update:\n%s", path, diff)
	}
}
