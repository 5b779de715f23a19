package provider

import (
	"context"
	"crypto/md5" //nolint:gosec // content identity in tests
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

func md5Of(b []byte) string {
	sum := md5.Sum(b) //nolint:gosec // content identity
	return hex.EncodeToString(sum[:])
}

// remoteBytes asserts the bytes and filename the server holds for the only upload.
func remoteBytes(srv *datocmstest.Server, want []byte, filename string) serverCheck {
	return remote(srv, func(up datocmstest.Upload) error {
		got, err := srv.FileBytes("", up.ID)
		if err != nil {
			return err
		}
		if string(got) != string(want) || up.Filename != filename {
			return fmt.Errorf("server holds %q as %s, want %q as %s", got, up.Filename, want, filename)
		}
		return nil
	})
}

// TestAccUpload_inlineContent: text and base64 content upload and replace like a file, the
// plan shows their md5 and what the name and header make certain, and moving between inline
// content and a file with the same bytes makes no API write.
func TestAccUpload_inlineContent(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	pngPath := writePNG(t, filepath.Join(t.TempDir(), "badge.png"), 9, 12, 6)
	pngBytes, err := os.ReadFile(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	text := func(body string) string {
		return uploadConfig(srv, fmt.Sprintf("  content   = %q\n  basename  = \"robots\"\n  extension = \"txt\"\n", body))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: text("User-agent: *\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("md5"), knownvalue.StringExact(md5Of([]byte("User-agent: *\n")))),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("filename"), knownvalue.StringExact("robots.txt")),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("is_image"), knownvalue.Bool(false)),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("format"), knownvalue.StringExact("txt")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					remoteBytes(srv, []byte("User-agent: *\n"), "robots.txt"),
				},
			},
			{
				Config: text("User-agent: *\nDisallow: /admin\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					remoteBytes(srv, []byte("User-agent: *\nDisallow: /admin\n"), "robots.txt"),
				},
			},
			{
				// Binary content: the PNG header is read from the decoded bytes.
				Config: uploadConfig(srv, fmt.Sprintf("  content_base64 = %q\n  basename = \"badge\"\n  extension = \"png\"\n",
					base64.StdEncoding.EncodeToString(pngBytes))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("md5"), knownvalue.StringExact(md5Of(pngBytes))),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("width"), knownvalue.Int64Exact(12)),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("filename"), knownvalue.StringExact("badge.png")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					remoteBytes(srv, pngBytes, "badge.png"),
				},
			},
			{
				// The same bytes from a file: only the arguments change, nothing is uploaded.
				PreConfig: srv.ResetRequests,
				Config:    uploadConfig(srv, fmt.Sprintf("  source = %q\n  basename = \"badge\"\n", pngPath)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedAttributes(testResource, "source", "content_base64", "extension"),
					expectUnknownAttributes(testResource),
				}},
				ConfigStateChecks: []statecheck.StateCheck{serverCheck(func() error {
					if w := srv.WriteCount(); w != 0 {
						return fmt.Errorf("switching to a file with the same bytes made %d writes", w)
					}
					return nil
				})},
			},
		},
	})
}

func TestAccUpload_inlineContentValidation(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	for name, tc := range map[string]struct{ body, want string }{
		"no basename":    {"  content = \"x\"\n  extension = \"txt\"\n", `Missing basename for inline content.*set basename and extension`},
		"no extension":   {"  content = \"x\"\n  basename = \"x\"\n", `Missing extension for inline content`},
		"two origins":    {"  content = \"x\"\n  source = \"a.txt\"\n  basename = \"x\"\n  extension = \"txt\"\n", `Invalid Attribute Combination.*cannot be configured together: source, content\.`},
		"no origin":      {"  basename = \"x\"\n", `A new upload needs a file.*Set source \(a local file\), content or content_base64`},
		"bad base64":     {"  content_base64 = \"not base64!\"\n  basename = \"x\"\n  extension = \"bin\"\n", `Invalid base64.*content_base64 is not standard base64`},
		"extension+file": {"  source = \"a.txt\"\n  extension = \"txt\"\n", `Invalid Attribute Combination.*cannot be configured together: source, extension\.`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: uploadConfig(srv, tc.body), PlanOnly: true, ExpectError: wrappedError(tc.want)}},
			})
		})
	}
	if w := srv.WriteCount(); w != 0 {
		t.Errorf("invalid configurations made %d writes", w)
	}
}

// TestAccUpload_referencedUploadGuard: a destroy of an upload that records use stops with an
// error naming up to 10 of them and the argument that allows it, and deletes nothing; with
// delete_when_referenced = true applied first, the destroy goes ahead.
func TestAccUpload_referencedUploadGuard(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 50, 4, 4)
	body := fmt.Sprintf("  source = %q\n", src)
	var id string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: uploadConfig(srv, body),
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					id = up.ID
					for i := range 12 {
						if err := srv.AddReference(datocmstest.Reference{UploadID: up.ID, RecordID: fmt.Sprintf("rec-%02d", i), ItemType: "blog_post"}); err != nil {
							return err
						}
					}
					return nil
				})},
			},
			{
				PreConfig:   srv.ResetRequests,
				Config:      providerBlock(srv, ""),
				ExpectError: wrappedError(`Upload is used by records.*is used by 12 record\(s\): record rec-00 \(model blog_post\), .*record rec-09 \(model blog_post\) and 2 more.*Nothing was deleted.*delete_when_referenced = true`),
			},
			{
				PreConfig: func() {
					if n := srv.CountRequests("DELETE", "/uploads/"); n != 0 {
						t.Errorf("the refused destroy sent %d DELETE requests", n)
					}
					if _, ok := srv.Upload("", id); !ok {
						t.Error("the referenced upload was deleted")
					}
				},
				Config: uploadConfig(srv, body+"  delete_when_referenced = true\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedAttributes(testResource, "delete_when_referenced"),
				}},
			},
			{Config: providerBlock(srv, "")}, // the destroy goes ahead
		},
	})
	if len(srv.References("", id)) != 0 {
		t.Error("the deleted upload still has references")
	}
}

// TestAccUpload_referencedByPublishedRecordOnly: a published record whose draft no longer
// links the upload still shows it on the live site: the destroy guard asks DatoCMS for the
// current and the published versions of records (version=published-or-current), and stops.
func TestAccUpload_referencedByPublishedRecordOnly(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 51, 4, 4)
	body := fmt.Sprintf("  source = %q\n", src)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				Config: uploadConfig(srv, body),
				ConfigStateChecks: []statecheck.StateCheck{remote(srv, func(up datocmstest.Upload) error {
					return srv.AddReference(datocmstest.Reference{UploadID: up.ID, RecordID: "live-page", ItemType: "page", Version: "published"})
				})},
			},
			{
				PreConfig:   srv.ResetRequests,
				Config:      providerBlock(srv, ""),
				ExpectError: wrappedError(`Upload is used by records.*record live-page \(model page\).*Nothing was deleted`),
			},
			{
				PreConfig: func() {
					if n := srv.CountRequests("DELETE", "/uploads/"); n != 0 {
						t.Errorf("the refused destroy sent %d DELETE requests", n)
					}
					for _, r := range srv.Requests() {
						if strings.HasSuffix(r.Path, "/references") && r.Query.Get("version") != "published-or-current" {
							t.Errorf("GET %s?%s: want version=published-or-current", r.Path, r.Query.Encode())
						}
					}
				},
				Config: uploadConfig(srv, body+"  delete_when_referenced = true\n"),
			},
			{Config: providerBlock(srv, "")},
		},
	})
}

// TestReferencedUploadDestroyPlanWarns: the plan of a destroy already says which records use
// the upload (warnings are only in terraform's own output: the real binary runs here).
func TestReferencedUploadDestroyPlanWarns(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	if err := ws.WriteConfig("resource \"datocms_upload\" \"used\" {\n  content = \"hello\"\n  basename = \"hello\"\n  extension = \"txt\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	up := srv.Uploads("")[0]
	if err := srv.AddReference(datocmstest.Reference{UploadID: up.ID, RecordID: "rec-1", ItemType: "article"}); err != nil {
		t.Fatal(err)
	}
	res, err := ws.Run(ctx, "plan", "-destroy", "-input=false")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("plan -destroy: %v\n%s", err, res)
	}
	out := strings.Join(strings.Fields(res.Stdout+res.Stderr), " ")
	for _, want := range []string{"Warning: Destroying an upload that records use", "record rec-1 (model article)", "The apply will refuse to delete it"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, res)
		}
	}
	if err := srv.RemoveReference(datocmstest.Reference{UploadID: up.ID, RecordID: "rec-1"}); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Run(ctx, "destroy", "-auto-approve"); err != nil || res.ExitCode != 0 {
		t.Errorf("destroy: %v\n%s", err, res)
	}
}
