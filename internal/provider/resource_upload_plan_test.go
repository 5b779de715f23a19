package provider

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

func fileSize(t *testing.T, path string) float64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return float64(info.Size()) // plan JSON numbers decode as float64
}

func writeGIF(t *testing.T, path string) {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, 10, 6), []color.Color{color.White, color.Black})
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, buf.Bytes())
}

// writeJPEG writes a width×height JPEG, with an EXIF orientation when orientation > 0.
func writeJPEG(t *testing.T, path string, width, height int, orientation uint16) {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, width, height)), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if orientation > 0 {
		// APP1 "Exif": a big-endian TIFF block with one directory entry, the orientation.
		tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00")
		tiff[19] = byte(orientation)
		payload := append([]byte("Exif\x00\x00"), tiff...)
		app1 := append([]byte{0xFF, 0xE1, 0, byte(len(payload) + 2)}, payload...)
		b = slices.Concat(b[:2], app1, b[2:])
	}
	writeFile(t, path, b)
}

// TestAccUpload_jpegDimensions: a JPEG's new dimensions are in the plan when no EXIF
// orientation may turn them, and unknown (then applied without an inconsistent result)
// when one does.
func TestAccUpload_jpegDimensions(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := filepath.Join(t.TempDir(), "team.jpg")
	writeJPEG(t, src, 30, 20, 0)
	cfg := uploadConfig(srv, fmt.Sprintf("  source = %q\n", src))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("width"), knownvalue.Int64Exact(30)),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("height"), knownvalue.Int64Exact(20)),
				}},
			},
			{
				PreConfig: func() { writeJPEG(t, src, 50, 40, 1) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectUnknownAttributes(testResource, "url", "path", "blurhash", "thumbhash", "antivirus_status", "threat_name"),
					expectAttributeChange(testResource, "width", 30, 50),
					expectAttributeChange(testResource, "filename", "team.jpg", "team.jpg"),
				}},
			},
			{
				PreConfig: func() { writeJPEG(t, src, 60, 40, 6) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectUnknownAttributes(testResource, "url", "path", "blurhash", "thumbhash", "width", "height", "antivirus_status", "threat_name"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("width"), knownvalue.Int64Exact(60)),
				},
			},
		},
	})
}

// TestAccUpload_quietPlans pins what a reviewer sees: a metadata change plans no unknown
// value, a rename marks unknown only what a rename changes, and a new file shows md5, size,
// format, mime_type, is_image and the dimensions at plan time (read from the file's header),
// with only the values DatoCMS computes left unknown.
func TestAccUpload_quietPlans(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "photo.png"), 1, 16, 16)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	cfg := func(extra string) string {
		return uploadConfig(srv, fmt.Sprintf("  source = %q\n%s", src, extra))
	}
	meta1 := "  author = \"Ann\"\n  tags = [\"a\"]\n  default_field_metadata = { en = { alt = \"one\" } }\n"
	meta2 := "  author = \"Bob\"\n  tags = [\"a\", \"b\"]\n  default_field_metadata = { en = { alt = \"two\" } }\n"
	renamed := meta2 + "  basename = \"renamed-photo\"\n"
	var oldMD5 string
	var oldSize float64

	placeholders := []string{"blurhash", "thumbhash", "antivirus_status", "threat_name"} // and the new file's scan
	newURL := []string{"url", "path"}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: cfg(meta1), ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResource, tfjsonpath.New("id"))}},
			{
				Config: cfg(meta2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedAttributes(testResource, "author", "tags", "default_field_metadata"),
					expectUnknownAttributes(testResource),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResource, tfjsonpath.New("id"))},
			},
			{
				Config: cfg(renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedAttributes(testResource, "basename", "filename", "url", "path"),
					expectUnknownAttributes(testResource, newURL...),
					expectAttributeChange(testResource, "filename", "photo.png", "renamed-photo.png"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResource, tfjsonpath.New("id"))},
			},
			{
				// New content, same format, basename configured: the name is kept, and the
				// new dimensions are read from the PNG header.
				PreConfig: func() {
					oldMD5, oldSize = fileMD5(t, src), fileSize(t, src)
					writePNG(t, src, 2, 40, 20)
				},
				Config: cfg(renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedAttributes(testResource, slices.Concat([]string{"md5", "size", "width", "height"}, newURL, placeholders)...),
					expectUnknownAttributes(testResource, slices.Concat(newURL, placeholders)...),
					expectAttributeChange(testResource, "width", 16, 40),
					expectAttributeChange(testResource, "height", 16, 20),
					lazyPlanCheck(func() plancheck.PlanCheck {
						return expectAttributeChange(testResource, "md5", oldMD5, fileMD5(t, src))
					}),
					lazyPlanCheck(func() plancheck.PlanCheck {
						return expectAttributeChange(testResource, "size", oldSize, fileSize(t, src))
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("basename"), knownvalue.StringExact("renamed-photo")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("width"), knownvalue.Int64Exact(40)),
				},
			},
			{
				// New content of another format, basename not configured: format, mime_type
				// and dimensions are shown at plan time, and the upload keeps its basename
				// and filename (the basename is sent with the file; the file keeps the
				// source's extension).
				PreConfig: func() { writeGIF(t, src) },
				Config:    cfg(meta2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedAttributes(testResource, slices.Concat([]string{"md5", "size", "format", "mime_type", "width", "height"}, newURL, placeholders)...),
					expectUnknownAttributes(testResource, slices.Concat(newURL, placeholders)...),
					expectAttributeChange(testResource, "width", 40, 10),
					expectAttributeChange(testResource, "format", "png", "gif"),
					expectAttributeChange(testResource, "mime_type", "image/png", "image/gif"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("format"), knownvalue.StringExact("gif")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("basename"), knownvalue.StringExact("renamed-photo")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("filename"), knownvalue.StringExact("renamed-photo.png")),
				},
			},
			{
				// Values DatoCMS changes on its own (smart tags, antivirus) never cause a diff.
				PreConfig: func() {
					up, err := onlyUpload(srv)
					if err != nil {
						t.Fatal(err)
					}
					if err := srv.EditUpload("", up.ID, func(u *datocmstest.Upload) { u.SmartTags = []string{"animal", "fox"} }); err != nil {
						t.Fatal(err)
					}
				},
				Config:   cfg(meta2),
				PlanOnly: true,
			},
		},
	})
}

// TestAccUpload_drift edits the upload as a person in the DatoCMS UI would, one attribute
// at a time: the refresh shows the edit as a change, and apply puts the configuration back
// in place, keeping the ID.
func TestAccUpload_drift(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "drift.png"), 90, 12, 12)
	colA := srv.CreateUploadCollection("", "A")
	colB := srv.CreateUploadCollection("", "B")
	config := uploadConfig(srv, fmt.Sprintf(`
  source               = %q
  basename             = "drift"
  author               = "Ann"
  copyright            = "ACME"
  notes                = "keep"
  tags                 = ["a"]
  upload_collection_id = %q
  default_field_metadata = {
    en = { alt = "Fox", focal_point = { x = 0.5, y = 0.5 } }
    it = { alt = "Volpe" }
  }`, src, colA))
	sameID := statecheck.CompareValue(compare.ValuesSame())
	edit := func(change func(u *datocmstest.Upload)) func() {
		return func() {
			up, err := onlyUpload(srv)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.EditUpload("", up.ID, change); err != nil {
				t.Fatal(err)
			}
		}
	}
	str := func(s string) *string { return &s }
	// repaired asserts that the server holds the configuration again.
	repaired := remote(srv, func(up datocmstest.Upload) error {
		switch {
		case !strPtrEq(up.Author, "Ann"), !strPtrEq(up.Copyright, "ACME"), !strPtrEq(up.Notes, "keep"):
			return fmt.Errorf("text attributes not repaired: %v %v %v", up.Author, up.Copyright, up.Notes)
		case !slices.Equal(up.Tags, []string{"a"}):
			return fmt.Errorf("tags not repaired: %v", up.Tags)
		case up.Basename != "drift", !strPtrEq(up.UploadCollectionID, colA):
			return fmt.Errorf("basename %q / collection %v not repaired", up.Basename, up.UploadCollectionID)
		case !strPtrEq(up.Metadata["en"].Alt, "Fox"), !strPtrEq(up.Metadata["it"].Alt, "Volpe"), up.Metadata["it"].Title != nil:
			return fmt.Errorf("metadata not repaired: %+v", up.Metadata)
		case up.FocalPoint == nil || *up.FocalPoint != (datocmstest.FocalPoint{X: 0.5, Y: 0.5}):
			return fmt.Errorf("focal point not repaired: %v", up.FocalPoint)
		case up.MD5 != fileMD5(t, src):
			return fmt.Errorf("file not repaired: md5 %s", up.MD5)
		}
		return nil
	})
	driftStep := func(name string, change func(u *datocmstest.Upload), changed ...string) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				t.Logf("drift step %q: editing the upload outside Terraform", name)
				edit(change)()
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
				expectChangedAttributes(testResource, changed...),
			}},
			ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResource, tfjsonpath.New("id")), repaired},
		}
	}
	var remoteMD5 string

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResource, tfjsonpath.New("id")), repaired}},
			driftStep("author", func(u *datocmstest.Upload) { u.Author = str("Mallory") }, "author"),
			driftStep("copyright", func(u *datocmstest.Upload) { u.Copyright = nil }, "copyright"),
			driftStep("notes", func(u *datocmstest.Upload) { u.Notes = str("edited in the UI") }, "notes"),
			driftStep("tags", func(u *datocmstest.Upload) { u.Tags = append(u.Tags, "added-in-ui") }, "tags"),
			driftStep("one locale", func(u *datocmstest.Upload) {
				it := u.Metadata["it"]
				it.Title = str("Titolo")
				u.Metadata["it"] = it
			}, "default_field_metadata"),
			driftStep("focal point", func(u *datocmstest.Upload) { u.FocalPoint = &datocmstest.FocalPoint{X: 0.1, Y: 0.9} }, "default_field_metadata"),
			driftStep("renamed", func(u *datocmstest.Upload) { u.Basename = "renamed-in-ui" }, "basename", "url", "path", "filename"),
			driftStep("collection", func(u *datocmstest.Upload) { u.UploadCollectionID = &colB }, "upload_collection_id"),
			{
				// The file replaced in the UI: the plan shows md5 going back to the local
				// file's, and apply uploads the local file again.
				PreConfig: func() {
					up, err := onlyUpload(srv)
					if err != nil {
						t.Fatal(err)
					}
					if err := srv.ReplaceFile("", up.ID, "other.txt", []byte("replaced in the DatoCMS UI")); err != nil {
						t.Fatal(err)
					}
					replaced, _ := onlyUpload(srv)
					remoteMD5 = replaced.MD5
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
					lazyPlanCheck(func() plancheck.PlanCheck {
						return expectAttributeChange(testResource, "md5", remoteMD5, fileMD5(t, src))
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("md5"), knownvalue.StringExact(fileMD5(t, src))),
					repaired,
				},
			},
			{
				PreConfig: func() {
					up, err := onlyUpload(srv)
					if err != nil {
						t.Fatal(err)
					}
					if err := srv.DeleteUpload("", up.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{repaired},
			},
		},
	})
}

// TestAccUpload_fileWrittenDuringApply: the source does not exist at plan time because an
// earlier resource writes it during apply. md5 is unknown in the plan, apply uploads the
// file, and the next plan is empty (terraform-plugin-testing checks that after apply).
func TestAccUpload_fileWrittenDuringApply(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	generated := filepath.Join(t.TempDir(), "generated", "report.txt")
	config := providerBlock(srv, "") + fmt.Sprintf(`
resource "terraform_data" "report" {
  provisioner "local-exec" {
    command = "mkdir -p %[1]s && printf 'generated during apply' > %[2]s"
  }
}

resource "datocms_upload" "test" {
  source     = %[3]q
  depends_on = [terraform_data.report]
}
`, filepath.Dir(generated), generated, generated)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(testResource, tfjsonpath.New("md5")),
					plancheck.ExpectUnknownValue(testResource, tfjsonpath.New("size")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("md5"), knownvalue.StringFunc(func(v string) error {
					if want := fileMD5(t, generated); v != want {
						return fmt.Errorf("md5 %s, want the generated file's %s", v, want)
					}
					return nil
				})),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("format"), knownvalue.StringExact("txt")),
				remote(srv, func(up datocmstest.Upload) error {
					got, err := srv.FileBytes("", up.ID)
					if err != nil {
						return err
					}
					if string(got) != "generated during apply" {
						return fmt.Errorf("server holds %q", got)
					}
					return nil
				}),
			},
		}},
	})
}

// TestAccUpload_fileChangedBetweenPlanAndApply: the file changes after `terraform plan
// -out` and before `terraform apply` of that plan. Apply stops with the provider's own
// error naming the file, and nothing is uploaded.
func TestAccUpload_fileChangedBetweenPlanAndApply(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "race.png"), 100, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n", src))
	var before datocmstest.Upload

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					var err error
					if before, err = onlyUpload(srv); err != nil {
						t.Fatal(err)
					}
					writePNG(t, src, 101, 8, 8) // the change the plan shows
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
					planSideEffect(func() error {
						writePNG(t, src, 102, 9, 9) // a further change after the plan was saved
						srv.ResetRequests()
						return nil
					}),
				}},
				ExpectError: wrappedError(`Source file changed since the plan was made.*race\.png.*Nothing was uploaded`),
			},
			{
				// Nothing reached DatoCMS: same file, no upload written.
				PreConfig: func() {
					after, err := onlyUpload(srv)
					if err != nil {
						t.Fatal(err)
					}
					if after.MD5 != before.MD5 || after.Path != before.Path {
						t.Fatalf("the upload changed: md5 %s -> %s, path %s -> %s", before.MD5, after.MD5, before.Path, after.Path)
					}
					for _, r := range srv.Requests() {
						if r.Kind == "cma" && r.Method == "PUT" && strings.HasPrefix(r.Path, "/uploads/") {
							t.Fatalf("apply sent %s %s", r.Method, r.Path)
						}
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
}

// TestAccUpload_unchangedMakesNoWrites: with nothing changed, a plan of N uploads reads
// them all with one listing request and writes nothing, and the apply that follows makes
// no API call.
func TestAccUpload_unchangedMakesNoWrites(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	const n = 3
	config := providerBlock(srv, "")
	for i := range n {
		src := writePNG(t, filepath.Join(dir, fmt.Sprintf("f%d.png", i)), uint8(110+i), 8, 8)
		config += fmt.Sprintf(`
resource "datocms_upload" "u%d" {
  source = %q
  tags   = ["t%d"]
  default_field_metadata = { en = { alt = "alt %d", focal_point = { x = 0.5, y = 0.5 } } }
}
`, i, src, i, i)
	}
	countCalls := func() (reads, others int) {
		for _, r := range srv.Requests() {
			switch {
			case r.Kind == "cma" && r.Method == "GET" && r.Path == "/site":
				// Once per provider process: where the uploads live (project checks).
			case r.Kind != "cma":
				others++
			case r.Method == "GET" && regexp.MustCompile(`^/uploads(/[^/]+)?$`).MatchString(r.Path):
				reads++
			default:
				others++
			}
		}
		return reads, others
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: srv.ResetRequests,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					planSideEffect(func() error {
						// The plan (with its refresh) is done: the environment is small, so one
						// listing page answers every refresh; nothing else but GET /site is sent.
						if reads, others := countCalls(); reads != 1 || others != 0 {
							return fmt.Errorf("plan of %d unchanged uploads made %d reads and %d other calls", n, reads, others)
						}
						srv.ResetRequests()
						return nil
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{serverCheck(func() error {
					if w := srv.WriteCount(); w != 0 {
						return fmt.Errorf("apply of an unchanged configuration made %d write calls", w)
					}
					if n := srv.CountRequests("GET", "/site"); n > 2 {
						return fmt.Errorf("GET /site sent %d times by the plan and the apply, want at most once each", n)
					}
					return nil
				})},
			},
		},
	})
}

// TestAccUpload_newFileChangedBetweenPlanAndApply: for an upload that does not exist yet
// there is no refresh record to keep the plan consistent, so Terraform itself stops the
// apply when it plans again and md5 differs ("inconsistent final plan"). This pins the
// documented limitation and, above all, that nothing is uploaded.
func TestAccUpload_newFileChangedBetweenPlanAndApply(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "new.png"), 170, 8, 8)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{{
			Config: uploadConfig(srv, fmt.Sprintf("  source = %q\n", src)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				planSideEffect(func() error {
					writePNG(t, src, 171, 9, 9)
					return nil
				}),
			}},
			ExpectError: wrappedError(`inconsistent final plan.*md5`),
		}},
	})
	if n := srv.WriteCount(); n != 0 {
		t.Errorf("a file changed between plan and apply led to %d write calls", n)
	}
}

func TestPlanChecks_unknownCollection(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 1, 4, 4)
	expectPlanError(t, srv, uploadConfig(srv, fmt.Sprintf("  source = %q\n  upload_collection_id = \"no-such-collection\"\n", src)),
		`Unknown upload collection.*upload_collection_id.*no upload collection "no-such-collection"`)
}

func TestPlanChecks_fileTooLarge(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	big := filepath.Join(t.TempDir(), "huge.mp4")
	f, err := os.Create(big)
	if err == nil {
		err = f.Truncate(datocms.MaxUploadSize + 1) // sparse: nothing is written to disk
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	expectPlanError(t, srv, uploadConfig(srv, fmt.Sprintf("  source = %q\n", big)),
		`Source file too large for DatoCMS.*huge\.mp4" is 1073741825 bytes; DatoCMS accepts files of at most 1 GiB`)
}

func TestPlanChecks_timeoutsMustBePositive(t *testing.T) {
	t.Parallel()
	for _, value := range []string{"0s", "-1m"} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 1, 4, 4)
			expectPlanError(t, srv, uploadConfig(srv, fmt.Sprintf("  source = %q\n  timeouts {\n    create = %q\n  }\n", src, value)),
				`Timeout must be positive.*timeouts\.create is "`+value+`".*must be a positive duration`)
		})
	}
}

func TestPlanChecks_focalPointRemovedFromOneLocale(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 2, 8, 8)
	both := uploadConfig(srv, fmt.Sprintf(`  source = %q
  default_field_metadata = {
    en = { alt = "a", focal_point = { x = 0.2, y = 0.4 } }
    it = { alt = "b", focal_point = { x = 0.2, y = 0.4 } }
  }`, src))
	oneRemoved := uploadConfig(srv, fmt.Sprintf(`  source = %q
  default_field_metadata = {
    en = { alt = "a", focal_point = { x = 0.2, y = 0.4 } }
    it = { alt = "b" }
  }`, src))
	noneLeft := uploadConfig(srv, fmt.Sprintf(`  source = %q
  default_field_metadata = {
    en = { alt = "a" }
    it = { alt = "b" }
  }`, src))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: both},
			{
				PreConfig:   srv.ResetRequests,
				Config:      oneRemoved,
				ExpectError: wrappedError(`Focal point removed from some locales only.*removed from "it" but kept on "en"`),
			},
			{
				// Removing it everywhere clears it in DatoCMS.
				PreConfig: func() {
					if w := srv.WriteCount(); w != 0 {
						t.Errorf("the refused plan made %d writes", w)
					}
				},
				Config: noneLeft,
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					if up.FocalPoint != nil {
						return fmt.Errorf("focal point still set: %v", up.FocalPoint)
					}
					return nil
				})},
			},
		},
	})
}

// TestPlanChecks_missingSourceWarns: a source that does not exist is a warning, not an
// error (another resource may write it during apply); the warning says so. Warnings are
// only visible in terraform's output, so this runs the real binary directly.
func TestPlanChecks_missingSourceWarns(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	if err := ws.WriteConfig("resource \"datocms_upload\" \"typo\" {\n  source = \"${path.module}/herro.png\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := ws.Run(ctx, "plan", "-input=false")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("plan: %v\n%s", err, res)
	}
	out := strings.Join(strings.Fields(res.Stdout+res.Stderr), " ")
	for _, want := range []string{"Warning: Source file not found", "herro.png\" does not exist",
		"If another resource writes it during apply, that is expected", "Otherwise fix source, or the apply will fail"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, res)
		}
	}
	if w := srv.WriteCount(); w != 0 {
		t.Errorf("the plan made %d writes", w)
	}
}

// TestPlanComputed pins which computed values a plan leaves unknown for each kind of change.
// (A new file keeps the upload's basename; filename stays unknown here only because these
// configurations name no source, hence no extension.)
func TestPlanComputed(t *testing.T) {
	t.Parallel()
	state := uploadResourceModel{
		ID: types.StringValue("id1"), CreatedAt: types.StringValue("2026-01-01T00:00:00Z"),
		MD5: types.StringValue("old"), Size: types.Int64Value(10), Format: types.StringValue("png"), MimeType: types.StringValue("image/png"),
		URL: types.StringValue("u"), Path: types.StringValue("p"), Filename: types.StringValue("f.png"),
		Width: types.Int64Value(1), Height: types.Int64Value(1), IsImage: types.BoolValue(true),
		Blurhash: types.StringValue("b"), Thumbhash: types.StringValue("t"), Basename: types.StringValue("f"),
		ReplaceStrategy: types.StringValue(replaceStrategyCreateNewURL),
	}
	same := &localfile.Facts{MD5: "old", Size: 10, Format: "png", MimeType: "image/png"}
	changed := &localfile.Facts{MD5: "new", Size: 20, Format: "gif", MimeType: "image/gif"}
	raster := &localfile.Facts{MD5: "new", Size: 20, Format: "gif", MimeType: "image/gif", Kind: localfile.KindRaster, Width: 4, Height: 2}
	document := &localfile.Facts{MD5: "new", Size: 20, Format: "pdf", MimeType: "application/pdf", Kind: localfile.KindDocument}

	unknowns := func(m uploadResourceModel) []string {
		var out []string
		for name, v := range map[string]attr.Value{
			"id": m.ID, "created_at": m.CreatedAt, "md5": m.MD5, "size": m.Size, "format": m.Format, "mime_type": m.MimeType,
			"url": m.URL, "path": m.Path, "filename": m.Filename, "width": m.Width, "height": m.Height, "is_image": m.IsImage,
			"blurhash": m.Blurhash, "thumbhash": m.Thumbhash, "basename": m.Basename,
		} {
			if v.IsUnknown() {
				out = append(out, name)
			}
		}
		return sorted(out)
	}
	for name, tc := range map[string]struct {
		config   uploadResourceModel
		strategy string
		local    *localfile.Facts
		reupload bool
		want     []string
	}{
		"metadata only":           {local: same, want: nil},
		"infected, upload again":  {config: uploadResourceModel{Source: types.StringValue("x/f.png")}, local: same, reupload: true, want: []string{"blurhash", "height", "is_image", "path", "thumbhash", "url", "width"}},
		"rename":                  {config: uploadResourceModel{Basename: types.StringValue("g")}, local: same, want: []string{"path", "url"}},
		"new file":                {local: changed, want: []string{"blurhash", "filename", "height", "is_image", "path", "thumbhash", "url", "width"}},
		"new file, basename set":  {config: uploadResourceModel{Basename: types.StringValue("f"), Source: types.StringValue("x/new.GIF")}, local: changed, want: []string{"blurhash", "height", "is_image", "path", "thumbhash", "url", "width"}},
		"new file, basename kept": {config: uploadResourceModel{Source: types.StringValue("x/new.gif")}, local: changed, want: []string{"blurhash", "height", "is_image", "path", "thumbhash", "url", "width"}},
		"new file, keep_url":      {strategy: replaceStrategyKeepURL, local: changed, want: []string{"blurhash", "height", "is_image", "thumbhash", "width"}},
		"new raster file":         {local: raster, want: []string{"blurhash", "filename", "path", "thumbhash", "url"}},
		"new document file":       {local: document, want: []string{"filename", "path", "url"}},
		"file not written yet":    {local: nil, want: []string{"blurhash", "filename", "format", "height", "is_image", "md5", "mime_type", "path", "size", "thumbhash", "url", "width"}},
	} {
		t.Run(name, func(t *testing.T) {
			config := tc.config
			if config.Basename.IsUnknown() || (config.Basename == types.String{}) {
				config.Basename = types.StringNull()
			}
			plan := state
			plan.ReplaceStrategy = types.StringValue(replaceStrategyCreateNewURL)
			if tc.strategy != "" {
				plan.ReplaceStrategy = types.StringValue(tc.strategy)
			}
			if !config.Basename.IsNull() {
				plan.Basename = config.Basename
			}
			planComputed(&plan, config, &state, tc.local, tc.reupload)
			if diff := cmp.Diff(tc.want, unknowns(plan)); diff != "" {
				t.Errorf("unknown attributes (-want +got):\n%s", diff)
			}
			if tc.local != nil && plan.MD5.ValueString() != tc.local.MD5 {
				t.Errorf("md5 planned %s, want %s", plan.MD5, tc.local.MD5)
			}
			if tc.local == changed && (plan.Size.ValueInt64() != 20 || plan.Format.ValueString() != "gif") {
				t.Errorf("size/format planned %s/%s, want the local file's", plan.Size, plan.Format)
			}
			switch {
			case name == "rename" && plan.Filename.ValueString() != "g.png":
				t.Errorf("renamed filename planned %s, want g.png (the current extension)", plan.Filename)
			case name == "new file, basename set" && plan.Filename.ValueString() != "f.gif":
				t.Errorf("filename planned %s, want f.gif (basename and the new file's extension)", plan.Filename)
			case tc.local == raster && (!plan.IsImage.ValueBool() || plan.Width.ValueInt64() != 4 || plan.Height.ValueInt64() != 2):
				t.Errorf("raster planned is_image %s, %sx%s", plan.IsImage, plan.Width, plan.Height)
			case tc.local == document && (plan.IsImage.ValueBool() || !plan.Width.IsNull() || !plan.Blurhash.IsNull() || !plan.Thumbhash.IsNull()):
				t.Errorf("document planned is_image %s, width %s, blurhash %s", plan.IsImage, plan.Width, plan.Blurhash)
			}
		})
	}
}
