package provider

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// checkNoUploads is the CheckDestroy of every test: it asks the server, not Terraform.
func checkNoUploads(srv *datocmstest.Server, envs ...string) resource.TestCheckFunc {
	if len(envs) == 0 {
		envs = []string{""}
	}
	return func(*terraform.State) error {
		for _, env := range envs {
			if ups := srv.Uploads(env); len(ups) > 0 {
				return fmt.Errorf("environment %q still has %d uploads after destroy", env, len(ups))
			}
		}
		return nil
	}
}

// onlyUpload returns the single upload of the primary environment.
func onlyUpload(srv *datocmstest.Server) (datocmstest.Upload, error) {
	ups := srv.Uploads("")
	if len(ups) != 1 {
		return datocmstest.Upload{}, fmt.Errorf("server holds %d uploads, want 1", len(ups))
	}
	return ups[0], nil
}

// remote asserts something about the single upload the server holds.
func remote(srv *datocmstest.Server, check func(up datocmstest.Upload) error) serverCheck {
	return func() error {
		up, err := onlyUpload(srv)
		if err != nil {
			return err
		}
		return check(up)
	}
}

func strPtrEq(got *string, want string) bool { return got != nil && *got == want }

func TestAccUpload_createWithEveryAttribute(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "hero.png"), 10, 64, 32)
	collection := srv.CreateUploadCollection("", "Heroes")
	local, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}

	config := uploadConfig(srv, fmt.Sprintf(`
  source               = %q
  basename             = "hero-banner"
  author               = "Jane Doe"
  copyright            = "2026 ACME"
  notes                = "Homepage hero"
  tags                 = ["hero", "homepage"]
  upload_collection_id = %q
  replace_strategy     = "keep_url"
  default_field_metadata = {
    en = {
      alt         = "Red fox"
      title       = "Fox"
      custom_data = { credit = "ACME" }
      focal_point = { x = 0.25, y = 0.75 }
    }
    it = {
      alt         = "Volpe rossa"
      focal_point = { x = 0.25, y = 0.75 }
    }
  }
  timeouts {
    create = "2m"
    update = "2m"
    delete = "1m"
  }`, src, collection))

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionCreate),
					// Planned from the local file before anything is uploaded.
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("md5"), knownvalue.StringExact(fileMD5(t, src))),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(local)))),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("format"), knownvalue.StringExact("png")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`))),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("md5"), knownvalue.StringExact(fileMD5(t, src))),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(local)))),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("format"), knownvalue.StringExact("png")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("mime_type"), knownvalue.StringExact("image/png")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("width"), knownvalue.Int64Exact(64)),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("height"), knownvalue.Int64Exact(32)),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("is_image"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("basename"), knownvalue.StringExact("hero-banner")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("filename"), knownvalue.StringExact("hero-banner.png")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("url"), knownvalue.StringRegexp(regexp.MustCompile(`^http://127\.0\.0\.1:\d+/.+hero-banner\.png$`))),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("author"), knownvalue.StringExact("Jane Doe")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("copyright"), knownvalue.StringExact("2026 ACME")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("notes"), knownvalue.StringExact("Homepage hero")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("hero"), knownvalue.StringExact("homepage")})),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("upload_collection_id"), knownvalue.StringExact(collection)),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("replace_strategy"), knownvalue.StringExact("keep_url")),
				statecheck.ExpectKnownValue(testResource, tfjsonpath.New("default_field_metadata"), knownvalue.MapExact(map[string]knownvalue.Check{
					"en": knownvalue.ObjectExact(map[string]knownvalue.Check{
						"alt": knownvalue.StringExact("Red fox"), "title": knownvalue.StringExact("Fox"),
						"custom_data": knownvalue.MapExact(map[string]knownvalue.Check{"credit": knownvalue.StringExact("ACME")}),
						"focal_point": knownvalue.ObjectExact(map[string]knownvalue.Check{"x": knownvalue.Float64Exact(0.25), "y": knownvalue.Float64Exact(0.75)}),
					}),
					"it": knownvalue.ObjectExact(map[string]knownvalue.Check{
						"alt": knownvalue.StringExact("Volpe rossa"), "title": knownvalue.Null(), "custom_data": knownvalue.Null(),
						"focal_point": knownvalue.ObjectExact(map[string]knownvalue.Check{"x": knownvalue.Float64Exact(0.25), "y": knownvalue.Float64Exact(0.75)}),
					}),
				})),
				// What the server received: the file's bytes and every piece of metadata.
				remote(srv, func(up datocmstest.Upload) error {
					got, err := srv.FileBytes("", up.ID)
					if err != nil {
						return err
					}
					if !bytes.Equal(got, local) {
						return fmt.Errorf("server holds %d bytes that differ from the local file (%d bytes)", len(got), len(local))
					}
					switch {
					case !strPtrEq(up.Author, "Jane Doe"), !strPtrEq(up.Copyright, "2026 ACME"), !strPtrEq(up.Notes, "Homepage hero"):
						return fmt.Errorf("author/copyright/notes on server: %v %v %v", up.Author, up.Copyright, up.Notes)
					case !slices.Equal(sorted(up.Tags), []string{"hero", "homepage"}):
						return fmt.Errorf("tags on server: %v", up.Tags)
					case up.Basename != "hero-banner":
						return fmt.Errorf("basename on server: %q", up.Basename)
					case !strPtrEq(up.UploadCollectionID, collection):
						return fmt.Errorf("collection on server: %v", up.UploadCollectionID)
					case up.FocalPoint == nil || *up.FocalPoint != (datocmstest.FocalPoint{X: 0.25, Y: 0.75}):
						return fmt.Errorf("focal point on server: %v", up.FocalPoint)
					case !strPtrEq(up.Metadata["en"].Alt, "Red fox"), !strPtrEq(up.Metadata["en"].Title, "Fox"),
						!strPtrEq(up.Metadata["it"].Alt, "Volpe rossa"), up.Metadata["it"].Title != nil:
						return fmt.Errorf("alt/title on server: %+v", up.Metadata)
					case up.Metadata["en"].CustomData["credit"] != "ACME":
						return fmt.Errorf("custom data on server: %v", up.Metadata["en"].CustomData)
					}
					return nil
				}),
				serverCheck(func() error { tokenNeverLogged(t, srv); return nil }),
			},
		}},
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestAccUpload_inPlaceUpdates changes each user-settable attribute in turn: every change
// is an in-place update that keeps the ID, then removing them clears the remote values.
func TestAccUpload_inPlaceUpdates(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 20, 16, 16)
	colA := srv.CreateUploadCollection("", "A")
	colB := srv.CreateUploadCollection("", "B")

	type attrs struct{ author, copyright, notes, tags, dfm, basename, collection string }
	cfg := func(a attrs) string {
		body := fmt.Sprintf("  source = %q\n", src)
		for _, line := range []string{a.author, a.copyright, a.notes, a.tags, a.dfm, a.basename, a.collection} {
			if line != "" {
				body += "  " + line + "\n"
			}
		}
		return uploadConfig(srv, body)
	}
	base := attrs{
		author:     `author = "Ann"`,
		copyright:  `copyright = "ACME"`,
		notes:      `notes = "first"`,
		tags:       `tags = ["one"]`,
		dfm:        `default_field_metadata = { en = { alt = "first alt" } }`,
		basename:   `basename = "first-name"`,
		collection: fmt.Sprintf("upload_collection_id = %q", colA),
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())

	// step builds a step that changes the listed attributes and checks the server.
	step := func(a attrs, changed []string, check func(up datocmstest.Upload) error) resource.TestStep {
		return resource.TestStep{
			Config: cfg(a),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
				expectChangedAttributes(testResource, changed...),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(testResource, tfjsonpath.New("id")),
				remote(srv, check),
			},
		}
	}

	a1 := base
	a1.author = `author = "Bob"`
	a2 := a1
	a2.copyright = `copyright = "Other Corp"`
	a3 := a2
	a3.notes = `notes = "second"`
	a4 := a3
	a4.tags = `tags = ["one", "two"]`
	a5 := a4
	a5.dfm = `default_field_metadata = { en = { alt = "second alt" } }`
	a6 := a5
	a6.basename = `basename = "second-name"`
	a7 := a6
	a7.collection = fmt.Sprintf("upload_collection_id = %q", colB)
	cleared := attrs{basename: a7.basename}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config:            cfg(base),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testResource, tfjsonpath.New("id"))},
			},
			step(a1, []string{"author"}, func(up datocmstest.Upload) error {
				if !strPtrEq(up.Author, "Bob") {
					return fmt.Errorf("author = %v", up.Author)
				}
				return nil
			}),
			step(a2, []string{"copyright"}, func(up datocmstest.Upload) error {
				if !strPtrEq(up.Copyright, "Other Corp") {
					return fmt.Errorf("copyright = %v", up.Copyright)
				}
				return nil
			}),
			step(a3, []string{"notes"}, func(up datocmstest.Upload) error {
				if !strPtrEq(up.Notes, "second") {
					return fmt.Errorf("notes = %v", up.Notes)
				}
				return nil
			}),
			step(a4, []string{"tags"}, func(up datocmstest.Upload) error {
				if !slices.Equal(sorted(up.Tags), []string{"one", "two"}) {
					return fmt.Errorf("tags = %v", up.Tags)
				}
				return nil
			}),
			step(a5, []string{"default_field_metadata"}, func(up datocmstest.Upload) error {
				if !strPtrEq(up.Metadata["en"].Alt, "second alt") {
					return fmt.Errorf("metadata = %+v", up.Metadata)
				}
				return nil
			}),
			step(a6, []string{"basename", "url", "path", "filename"}, func(up datocmstest.Upload) error {
				if up.Basename != "second-name" || up.Filename != "second-name.png" {
					return fmt.Errorf("basename = %q, filename = %q", up.Basename, up.Filename)
				}
				return nil
			}),
			step(a7, []string{"upload_collection_id"}, func(up datocmstest.Upload) error {
				if !strPtrEq(up.UploadCollectionID, colB) {
					return fmt.Errorf("collection = %v", up.UploadCollectionID)
				}
				return nil
			}),
			step(cleared, []string{"author", "copyright", "notes", "tags", "default_field_metadata", "upload_collection_id"},
				func(up datocmstest.Upload) error {
					if up.Author != nil || up.Copyright != nil || up.Notes != nil || len(up.Tags) != 0 || up.UploadCollectionID != nil {
						return fmt.Errorf("not cleared: author %v copyright %v notes %v tags %v collection %v",
							up.Author, up.Copyright, up.Notes, up.Tags, up.UploadCollectionID)
					}
					for loc, m := range up.Metadata {
						if m.Alt != nil || m.Title != nil || len(m.CustomData) != 0 {
							return fmt.Errorf("metadata of %q not cleared: %+v", loc, m)
						}
					}
					return nil
				}),
		},
	})
}

// TestAccUpload_fileChanges covers the file's content: a new content replaces the file in
// place, the same bytes at another path upload nothing, and tag order never matters.
func TestAccUpload_fileChanges(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	src := writePNG(t, filepath.Join(dir, "a.png"), 30, 20, 10)
	moved := filepath.Join(dir, "moved", "a-copy.png")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var firstURL string

	cfg := func(source, tags string) string {
		return uploadConfig(srv, fmt.Sprintf("  source = %q\n  tags = %s\n", source, tags))
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: cfg(src, `["a", "b"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					remote(srv, func(up datocmstest.Upload) error { firstURL = up.URL; return nil }),
				},
			},
			{
				PreConfig: func() { writePNG(t, src, 31, 24, 12) },
				Config:    cfg(src, `["a", "b"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("md5"), knownvalue.StringFunc(func(v string) error {
						if want := fileMD5(t, src); v != want {
							return fmt.Errorf("planned md5 %s, want the local file's %s", v, want)
						}
						return nil
					})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("width"), knownvalue.Int64Exact(24)),
					remote(srv, func(up datocmstest.Upload) error {
						if want := fileMD5(t, src); up.MD5 != want {
							return fmt.Errorf("server md5 %s, want %s", up.MD5, want)
						}
						if up.URL == firstURL {
							return fmt.Errorf("url unchanged after a replace with create_new_url")
						}
						return expectGone(firstURL)
					}),
				},
			},
			{
				// Same bytes at another path: only the recorded path changes, nothing is uploaded.
				PreConfig: func() {
					content, err := os.ReadFile(src)
					if err != nil {
						t.Fatal(err)
					}
					writeFile(t, moved, content)
					srv.ResetRequests()
				},
				Config: cfg(moved, `["a", "b"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedAttributes(testResource, "source"),
					expectUnknownAttributes(testResource),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					serverCheck(func() error {
						if n := srv.WriteCount(); n != 0 {
							return fmt.Errorf("moving the file made %d write calls, want 0", n)
						}
						return nil
					}),
				},
			},
			{
				// Tag order never causes a diff.
				Config:   cfg(moved, `["b", "a"]`),
				PlanOnly: true,
			},
		},
	})
}

// expectGone asserts that an old upload URL no longer serves a file.
func expectGone(url string) error {
	resp, err := http.Get(url) //nolint:gosec,noctx // test-only request to the local server
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		return fmt.Errorf("old url %s answered %d, want 404", url, resp.StatusCode)
	}
	return nil
}

// TestAccUpload_locales adds and removes a locale of default_field_metadata, in an
// environment of each wire shape (API §5.3), and checks the shape the server received.
func TestAccUpload_locales(t *testing.T) {
	t.Parallel()
	for name, fieldKeyed := range map[string]bool{"locale-keyed": false, "field-keyed": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, datocmstest.WithNonLocalizedFocalPoints("main", fieldKeyed))
			src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 40, 8, 8)
			cfg := func(dfm string) string {
				return uploadConfig(srv, fmt.Sprintf("  source = %q\n  default_field_metadata = %s\n", src, dfm))
			}
			enOnly := `{ en = { alt = "Fox", focal_point = { x = 0.1, y = 0.2 } } }`
			enAndIt := `{
    en = { alt = "Fox", focal_point = { x = 0.1, y = 0.2 } }
    it = { alt = "Volpe", title = "La volpe", custom_data = { k = "v" } }
  }`
			itOnly := `{ it = { alt = "Volpe", title = "La volpe", custom_data = { k = "v" } } }`

			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             checkNoUploads(srv),
				Steps: []resource.TestStep{
					{
						Config: cfg(enOnly),
						ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
							if !strPtrEq(up.Metadata["en"].Alt, "Fox") || up.FocalPoint == nil || up.FocalPoint.X != 0.1 {
								return fmt.Errorf("metadata %+v focal %v", up.Metadata, up.FocalPoint)
							}
							return lastMetadataShape(srv, "POST", fieldKeyed)
						})},
					},
					{
						Config: cfg(enAndIt),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
							expectChangedAttributes(testResource, "default_field_metadata"),
						}},
						ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
							it := up.Metadata["it"]
							if !strPtrEq(it.Alt, "Volpe") || !strPtrEq(it.Title, "La volpe") || it.CustomData["k"] != "v" {
								return fmt.Errorf("it metadata %+v", it)
							}
							if up.FocalPoint == nil || *up.FocalPoint != (datocmstest.FocalPoint{X: 0.1, Y: 0.2}) {
								return fmt.Errorf("focal point %v", up.FocalPoint)
							}
							return lastMetadataShape(srv, "PUT", fieldKeyed)
						})},
					},
					{
						Config: cfg(itOnly),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							expectChangedAttributes(testResource, "default_field_metadata"),
						}},
						ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
							if up.Metadata["en"].Alt != nil || up.FocalPoint != nil {
								return fmt.Errorf("en not cleared: %+v, focal point %v", up.Metadata["en"], up.FocalPoint)
							}
							if !strPtrEq(up.Metadata["it"].Alt, "Volpe") {
								return fmt.Errorf("it lost: %+v", up.Metadata["it"])
							}
							return nil
						})},
					},
				},
			})
		})
	}
}

// lastMetadataShape checks the wire shape of default_field_metadata in the last request
// with that method to /uploads: keyed by field in one environment, by locale in the other.
func lastMetadataShape(srv *datocmstest.Server, method string, fieldKeyed bool) error {
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		r := reqs[i]
		if r.Kind != "cma" || r.Method != method || !regexp.MustCompile(`^/uploads(/[^/]+)?$`).MatchString(r.Path) {
			continue
		}
		body, _ := r.Body.(map[string]any)
		data, _ := body["data"].(map[string]any)
		attrs, _ := data["attributes"].(map[string]any)
		dfm, ok := attrs["default_field_metadata"].(map[string]any)
		if !ok {
			return fmt.Errorf("%s %s sent no default_field_metadata", r.Method, r.Path)
		}
		_, hasAlt := dfm["alt"]
		_, hasEn := dfm["en"]
		if fieldKeyed != hasAlt || fieldKeyed == hasEn {
			return fmt.Errorf("%s %s sent default_field_metadata %v in the wrong shape (field-keyed expected: %v)", r.Method, r.Path, dfm, fieldKeyed)
		}
		return nil
	}
	return fmt.Errorf("no %s to /uploads was received", method)
}

func TestAccUpload_import(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 50, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf(`
  source    = %q
  author    = "Ann"
  tags      = ["x", "y"]
  default_field_metadata = {
    en = { alt = "Fox", focal_point = { x = 0.5, y = 0.5 } }
    it = { title = "Volpe", custom_data = { a = "b" } }
  }`, src))

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: config},
			{
				ResourceName:            testResource,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"source"},
			},
			{
				// An import {} block: the plan records only the local source path, which
				// the API cannot know, and the apply that follows makes no API write.
				Config:             config,
				ResourceName:       testResource,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
					expectChangedAttributes(testResource, "source"),
					expectUnknownAttributes(testResource),
				}},
			},
		},
	})
}

func TestAccUpload_deletedRemotely(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 60, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n  author = \"Ann\"\n", src))
	var firstID string

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					firstID = up.ID
					return nil
				})},
			},
			{
				PreConfig: func() {
					if err := srv.DeleteUpload("", firstID); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					if up.ID == firstID || !strPtrEq(up.Author, "Ann") {
						return fmt.Errorf("recreated upload %s (was %s), author %v", up.ID, firstID, up.Author)
					}
					return nil
				})},
			},
		},
	})
}

// TestAccUpload_refreshBatchWithAnUnknownID: in a large environment, refreshes share
// GET /uploads?filter[ids]=... requests. What DatoCMS answers when one of the IDs is gone is
// not documented; the local server plays both answers (leave it out, refuse the request),
// and either way the other uploads refresh and the gone one is planned again.
func TestAccUpload_refreshBatchWithAnUnknownID(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"omit", "reject"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, datocmstest.WithBehaviour(datocmstest.Behaviour{UnknownIDs: mode}))
			dir := t.TempDir()
			var body, goneMD5 string
			for i := range 3 {
				src := writePNG(t, filepath.Join(dir, fmt.Sprintf("u%d.png", i)), uint8(70+i), 4, 4)
				body += fmt.Sprintf("resource \"datocms_upload\" \"u%d\" {\n  source = %q\n}\n", i, src)
				goneMD5 = fileMD5(t, src) // u2's, the one deleted in the UI
			}
			config := providerBlock(srv, "") + body
			var gone string
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             checkNoUploads(srv),
				Steps: []resource.TestStep{
					{Config: config},
					{
						PreConfig: func() {
							// Older than ours, so the first page of a listing holds none of ours,
							// and large enough that listing it all costs more than a batch.
							if _, err := srv.SeedUploads("", 2000, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
								t.Fatal(err)
							}
							for _, up := range srv.Uploads("") {
								if up.MD5 == goneMD5 {
									gone = up.ID
								}
							}
							if err := srv.DeleteUpload("", gone); err != nil {
								t.Fatal(err)
							}
							srv.ResetRequests()
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("datocms_upload.u2", plancheck.ResourceActionCreate),
							plancheck.ExpectResourceAction("datocms_upload.u0", plancheck.ResourceActionNoop),
							plancheck.ExpectResourceAction("datocms_upload.u1", plancheck.ResourceActionNoop),
						}},
						ConfigStateChecks: []statecheck.StateCheck{serverCheck(func() error {
							batches, refused := 0, 0
							for _, r := range srv.Requests() {
								if ids := r.Query.Get("filter[ids]"); r.Path == "/uploads" && strings.Contains(ids, gone) {
									batches++
									if r.Status == 422 {
										refused++
									}
								}
							}
							if batches == 0 || (mode == "reject") != (refused > 0) {
								return fmt.Errorf("%d batches asked for the gone upload, %d refused: the test would prove nothing", batches, refused)
							}
							return nil
						})},
					},
					{Config: providerBlock(srv, "")},
				},
			})
		})
	}
}

// TestAccUpload_replacedFileNames: what becomes of basename and filename when a file is
// replaced is not documented; the local server plays both (they follow the new file, or the
// basename stays). Either way, a new file applies with no inconsistent result, with a
// configured basename and without one (the upload's own): both are sent with the new file,
// so the plan shows them, and filename, as known and unchanged; the next plan is empty.
func TestAccUpload_replacedFileNames(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"follow", "keep"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, datocmstest.WithBehaviour(datocmstest.Behaviour{ReplacedFileName: mode}))
			dir := t.TempDir()
			named, unnamed := filepath.Join(dir, "x.png"), filepath.Join(dir, "y.png")
			writePNG(t, named, 80, 4, 4)
			writePNG(t, unnamed, 81, 4, 4)
			config := providerBlock(srv, "") + fmt.Sprintf("resource \"datocms_upload\" \"named\" {\n  source = %q\n  basename = \"logo-main\"\n}\n"+
				"resource \"datocms_upload\" \"unnamed\" {\n  source = %q\n}\n", named, unnamed)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             checkNoUploads(srv),
				Steps: []resource.TestStep{
					{Config: config},
					{
						PreConfig: func() {
							writePNG(t, named, 82, 6, 6)
							writePNG(t, unnamed, 83, 6, 6)
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("datocms_upload.named", plancheck.ResourceActionUpdate),
								plancheck.ExpectKnownValue("datocms_upload.named", tfjsonpath.New("filename"), knownvalue.StringExact("logo-main.png")),
								expectUnknownAttributes("datocms_upload.unnamed", "url", "path", "blurhash", "thumbhash", "antivirus_status", "threat_name"),
								plancheck.ExpectKnownValue("datocms_upload.unnamed", tfjsonpath.New("basename"), knownvalue.StringExact("y")),
								plancheck.ExpectKnownValue("datocms_upload.unnamed", tfjsonpath.New("filename"), knownvalue.StringExact("y.png")),
							},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("datocms_upload.named", tfjsonpath.New("basename"), knownvalue.StringExact("logo-main")),
						},
					},
				},
			})
		})
	}
}

// TestAccUpload_failedCreateJob: a job that fails before creating anything leaves nothing
// behind; a job that fails after the upload exists leaves it in state, tainted.
func TestAccUpload_failedCreateJob(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 70, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n", src))
	var partialID string

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.FailNextJobs(1, false) },
				Config:      config,
				ExpectError: wrappedError(`Error creating upload.*Could not create an upload from`),
			},
			{
				// Nothing exists remotely, and nothing is in state: the next plan creates.
				PreConfig: func() {
					if n := len(srv.Uploads("")); n != 0 {
						t.Fatalf("a failed job left %d uploads", n)
					}
					srv.FailNextJobs(1, true)
				},
				Config:      config,
				ExpectError: wrappedError(`DatoCMS created upload [A-Za-z0-9_-]{22}.*marked tainted`),
			},
			{
				// The upload the failed job created is tracked (tainted): the plan replaces
				// it, so it is deleted rather than orphaned.
				PreConfig: func() {
					up, err := onlyUpload(srv)
					if err != nil {
						t.Fatal(err)
					}
					partialID = up.ID
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					if up.ID == partialID {
						return fmt.Errorf("tainted upload %s was not replaced", partialID)
					}
					return nil
				})},
			},
		},
	})
}

// TestAccUpload_createTimeout: a job slower than timeouts.create fails with an error that
// names the upload, and the upload stays tracked in state while DatoCMS finishes it.
func TestAccUpload_createTimeout(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 80, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n  timeouts {\n    create = \"1s\"\n  }\n", src))
	jobDelay := 3 * time.Second

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.SetJobDelay(jobDelay) },
				Config:      config,
				ExpectError: wrappedError(`Timed out creating upload.*Upload [A-Za-z0-9_-]{22} from .*a\.png.*kept in state.*terraform untaint`),
			},
			{
				// Once DatoCMS has finished the job, the tracked upload is found and replaced.
				PreConfig: func() {
					time.Sleep(jobDelay)
					srv.SetJobDelay(100 * time.Millisecond)
					if n := len(srv.Uploads("")); n != 1 {
						t.Fatalf("server holds %d uploads after the slow job, want 1", n)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{serverCheck(func() error {
					if n := len(srv.Uploads("")); n != 1 {
						return fmt.Errorf("server holds %d uploads, want 1", n)
					}
					return nil
				})},
			},
		},
	})
}

// TestAccUpload_validation: bad input fails at plan time with an error that names the
// attribute and says what is wrong.
func TestAccUpload_validation(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	dir := t.TempDir()
	src := writePNG(t, filepath.Join(dir, "a.png"), 120, 8, 8)
	for name, tc := range map[string]struct {
		body string
		want string
	}{
		"focal point out of range": {
			body: `default_field_metadata = { en = { focal_point = { x = 1.5, y = 0.5 } } }`,
			want: `default_field_metadata\["en"\].focal_point.x value must be between 0.000000 and 1.000000, got: 1.500000`,
		},
		"locale key": {
			body: `default_field_metadata = { EN_us = { alt = "x" } }`,
			want: `default_field_metadata.* must be a DatoCMS locale code such as "en", "it" or "pt-BR"`,
		},
		"locale not in the environment": {
			body: `default_field_metadata = { fr = { alt = "x" } }`,
			want: `Unknown locale.*Locale "fr" is not one of the environment's locales \(en, it\)`,
		},
		"empty locale": {
			body: `default_field_metadata = { en = { alt = "x" }, it = {} }`,
			want: `Empty locale in default_field_metadata.*Locale "it" sets nothing`,
		},
		"conflicting focal points": {
			body: `default_field_metadata = {
    en = { focal_point = { x = 0.1, y = 0.1 } }
    it = { focal_point = { x = 0.9, y = 0.9 } }
  }`,
			want: `Conflicting focal points.*locale "en" sets focal_point .* but locale "it" sets`,
		},
		"empty tag": {
			body: `tags = ["ok", ""]`,
			want: `tags.* must not be empty or start or end with whitespace`,
		},
		"duplicate tags": {
			body: `tags = ["Hero", "hero"]`,
			want: `Duplicate tags.*"Hero" and "hero" differ only in letter case`,
		},
		"blank author": {
			body: `author = " "`,
			want: `author must not be empty; remove the argument to clear it`,
		},
		"basename": {
			body: `basename = "Hero Image"`,
			want: `basename must be lowercase letters, digits and '-'.*DatoCMS slugifies file names`,
		},
		"basename with an underscore": {
			body: `basename = "hero_image"`,
			want: `basename must be lowercase letters, digits and '-'.*the only characters it is known to keep`,
		},
		"replace strategy": {
			body: `replace_strategy = "overwrite"`,
			want: `replace_strategy value must be one of`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      uploadConfig(srv, fmt.Sprintf("  source = %q\n  %s\n", src, tc.body)),
					PlanOnly:    true,
					ExpectError: wrappedError(tc.want),
				}},
			})
		})
	}

	t.Run("source is a directory", func(t *testing.T) {
		t.Parallel()
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      uploadConfig(srv, fmt.Sprintf("  source = %q\n", dir)),
				PlanOnly:    true,
				ExpectError: wrappedError(`Unusable source file.*is a directory; source must be a file`),
			}},
		})
	})
	if n := srv.WriteCount(); n != 0 {
		t.Errorf("invalid configurations made %d write calls", n)
	}
}

// TestAccUpload_keepURLNeedsSameFormat: keep_url cannot publish a file of another format,
// and the plan says so before anything is uploaded.
func TestAccUpload_keepURLNeedsSameFormat(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 130, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n  replace_strategy = \"keep_url\"\n", src))
	var firstURL string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					firstURL = up.URL
					return nil
				})},
			},
			{
				// Same format: the URL stays; the dimensions come from the new file's header, and
				// only the placeholders DatoCMS computes are unknown.
				PreConfig: func() { writePNG(t, src, 131, 10, 10) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectUnknownAttributes(testResource, "blurhash", "thumbhash", "antivirus_status", "threat_name"),
					expectAttributeChange(testResource, "width", 8, 10),
				}},
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					if up.URL != firstURL || up.MD5 != fileMD5(t, src) {
						return fmt.Errorf("keep_url: url %s (was %s), md5 %s", up.URL, firstURL, up.MD5)
					}
					return nil
				})},
			},
			{
				PreConfig:   func() { writeGIF(t, src) },
				Config:      config,
				PlanOnly:    true,
				ExpectError: wrappedError(`keep_url needs a file of the same format.*is gif but the upload holds png`),
			},
		},
	})
}

// TestAccUpload_deleteRejected: an error DatoCMS returns on delete (here a restriction
// because records use the upload) comes back as a diagnostic, and the upload stays in state.
func TestAccUpload_deleteRejected(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 140, 8, 8)
	config := uploadConfig(srv, fmt.Sprintf("  source = %q\n", src))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:   func() { srv.DeleteRestrictionNext(1) },
				Config:      config,
				Destroy:     true,
				ExpectError: wrappedError(`Error deleting upload.*Could not delete upload [A-Za-z0-9_-]{22}: .*DELETE_RESTRICTION`),
			},
			{
				// Still tracked: the plan is empty, and the final destroy succeeds.
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}

// TestAccUpload_environments: the provider's environment selects a sandbox; every call,
// job polls included, carries it, and the primary environment is left untouched. The two
// environments use different default_field_metadata wire shapes.
func TestAccUpload_environments(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t,
		datocmstest.WithEnvironments("main", "staging"),
		datocmstest.WithNonLocalizedFocalPoints("staging", true))
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 150, 8, 8)
	config := providerBlock(srv, "staging") + fmt.Sprintf(`
resource "datocms_upload" "test" {
  source = %q
  default_field_metadata = { it = { alt = "Volpe", focal_point = { x = 0.3, y = 0.6 } } }
}
`, src)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv, "main", "staging"),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{serverCheck(func() error {
				if n := len(srv.Uploads("main")); n != 0 {
					return fmt.Errorf("the primary environment got %d uploads", n)
				}
				ups := srv.Uploads("staging")
				if len(ups) != 1 || !strPtrEq(ups[0].Metadata["it"].Alt, "Volpe") || ups[0].FocalPoint == nil {
					return fmt.Errorf("staging holds %+v", ups)
				}
				for _, r := range srv.Requests() {
					if r.Kind == "cma" && r.Environment != "staging" {
						return fmt.Errorf("%s %s went to environment %q", r.Method, r.Path, r.Environment)
					}
				}
				return nil
			})},
		}},
	})
}

// TestAccUpload_tokenNeverLogged runs a create, a failing update and a destroy with
// Terraform and provider logs at TRACE, then searches the logs and the state for the token.
// Not parallel: it sets the log environment variables.
func TestAccUpload_tokenNeverLogged(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PROVIDER", "TRACE")
	// The token comes from the environment, as in CI: the test harness logs the
	// configuration text, which must not hold it either.
	t.Setenv(envAPIToken, testToken)
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 160, 8, 8)
	config := func(author string) string {
		return fmt.Sprintf("provider \"datocms\" {\n  base_url = %q\n}\n\nresource \"datocms_upload\" \"test\" {\n  source = %q\n  author = %q\n}\n",
			srv.URL(), src, author)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: config("Ann"),
				Check: func(s *terraform.State) error {
					for _, rs := range s.RootModule().Resources {
						for k, v := range rs.Primary.Attributes {
							if strings.Contains(v, testToken) {
								return fmt.Errorf("state attribute %s holds the token", k)
							}
						}
					}
					return nil
				},
			},
			{
				PreConfig:   func() { srv.FailNextJobs(1, false) },
				Config:      config("Bob"),
				ExpectError: wrappedError(`Error updating upload`),
			},
		},
	})
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(logs, []byte("DatoCMS API request")) {
		t.Fatalf("the log holds no provider request lines (%d bytes): the test would prove nothing", len(logs))
	}
	if bytes.Contains(logs, []byte(testToken)) {
		for _, line := range strings.Split(string(logs), "\n") {
			if strings.Contains(line, testToken) {
				t.Errorf("the token appears in the Terraform/provider log: %.300s", line)
			}
		}
	}
	tokenNeverLogged(t, srv)
}
