package provider

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // content identity in tests
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
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
		"no origin":      {"  basename = \"x\"\n", `A new upload needs a file.*Set source \(a local file\), source_url, content, content_base64, content_wo or content_base64_wo`},
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
				ExpectError: wrappedError(`Upload is used by records.*is used by 12 record\(s\), in their current or published version: record rec-00 \(model blog_post\), .*record rec-09 \(model blog_post\) and 2 more.*Nothing was deleted.*delete_when_referenced = true`),
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

// TestWriteOnlyContent: content_wo is uploaded, its MD5 and size are in state, and nothing of
// the content itself is in the state file, the plan file (terraform show -json) or a TRACE
// log of terraform and the provider. A new content plans a new md5 and updates in place.
func TestWriteOnlyContent(t *testing.T) {
	t.Parallel()
	skipUnlessCLIHas(t, featureWriteOnly)
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	secret := func(n int) []byte {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return fmt.Appendf(nil, "token-%d-%s\n", n, hex.EncodeToString(b))
	}
	first, second := secret(1), secret(2)
	if err := ws.Write("secret.txt", first); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig("resource \"datocms_upload\" \"secret\" {\n  content_wo = file(\"${path.module}/secret.txt\")\n" +
		"  basename   = \"secret\"\n  extension  = \"txt\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(ws.Dir, "trace.log")
	traced := ws.With("TF_LOG=TRACE", "TF_LOG_PATH="+logPath)
	if res, err := traced.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	values, err := ws.StateValues(ctx, "datocms_upload")
	if err != nil {
		t.Fatal(err)
	}
	state := values["datocms_upload.secret"]
	id, _ := state["id"].(string)
	if state["md5"] != md5Of(first) || state["size"] != float64(len(first)) || state["content_wo"] != nil {
		t.Errorf("state: md5 %v, size %v, content_wo %v; want %s, %d and null", state["md5"], state["size"], state["content_wo"], md5Of(first), len(first))
	}
	if got, _ := srv.FileBytes("", id); !bytes.Equal(got, first) {
		t.Errorf("DatoCMS holds %q, want the content", got)
	}

	if err := ws.Write("secret.txt", second); err != nil {
		t.Fatal(err)
	}
	res, err := traced.Run(ctx, "plan", "-input=false", "-out=second.tfplan")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("plan: %v\n%s", err, res)
	}
	show, err := ws.Run(ctx, "show", "-json", "second.tfplan")
	if err != nil || show.ExitCode != 0 {
		t.Fatalf("show: %v\n%s", err, show)
	}
	var plan tfjson.Plan
	if err := json.Unmarshal([]byte(show.Stdout), &plan); err != nil {
		t.Fatal(err)
	}
	rc, err := resourceChange(&plan, "datocms_upload.secret")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rc.Change.Actions); got != "[update]" || !slices.Contains(changedAttributes(rc.Change), "md5") {
		t.Errorf("plan of a new content: %s, changed %v; want an update of md5", got, changedAttributes(rc.Change))
	}
	if res, err := traced.Run(ctx, "apply", "-input=false", "second.tfplan"); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply of the plan: %v\n%s", err, res)
	}
	if got, _ := srv.FileBytes("", id); !bytes.Equal(got, second) {
		t.Errorf("after the update DatoCMS holds %q under %s, want the new content in place", got, id)
	}

	// Terraform reads write-only content from the configuration again at apply: a content that
	// changed since the saved plan gets another md5, and Terraform stops the apply ("inconsistent
	// final plan" for md5) before anything is sent.
	if err := ws.Write("secret.txt", secret(3)); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Run(ctx, "plan", "-input=false", "-out=third.tfplan"); err != nil || res.ExitCode != 0 {
		t.Fatalf("plan: %v\n%s", err, res)
	}
	if err := ws.Write("secret.txt", secret(4)); err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	res, err = ws.Run(ctx, "apply", "-input=false", "third.tfplan")
	// Terraform before 1.15 reports md5's "inconsistent final plan"; 1.15 finds file()'s
	// result changed first ("function returned an inconsistent result"). Refused either way.
	if out := strings.Join(strings.Fields(res.Stdout+res.Stderr), " "); err != nil || res.ExitCode == 0 ||
		!strings.Contains(out, ".md5") && !strings.Contains(out, "function returned an inconsistent result") {
		t.Errorf("apply of a plan whose write-only content changed since: want it refused: %v\n%s", err, res)
	}
	if n := srv.CountRequests("PUT", "/uploads/"); n != 0 {
		t.Errorf("the refused apply updated the upload %d times", n)
	}
	if got, _ := srv.FileBytes("", id); !bytes.Equal(got, second) {
		t.Errorf("after the refused apply DatoCMS holds %q", got)
	}

	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup", "second.tfplan", "trace.log"} {
		raw, err := os.ReadFile(filepath.Join(ws.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, content := range [][]byte{first, second} {
			// Any 12 bytes of the random part, or of the content's base64, give it away.
			for _, form := range [][]byte{bytes.TrimSpace(content)[8:], []byte(base64.StdEncoding.EncodeToString(content))} {
				for i := 0; i+12 <= len(form); i++ {
					if bytes.Contains(raw, form[i:i+12]) {
						t.Errorf("%s holds part of the write-only content (%s)", f, form[i:i+12])
						break
					}
				}
			}
		}
	}
	if strings.Contains(show.Stdout, strings.TrimSpace(string(second))) {
		t.Errorf("terraform show -json of the plan holds the write-only content")
	}
}

// TestWriteOnlyContent_olderTerraform: a CLI without write-only attributes (Terraform before
// 1.11) refuses content_wo at plan, naming it. It runs on such a CLI only (make test-matrix
// runs Terraform 1.5.7).
func TestWriteOnlyContent_olderTerraform(t *testing.T) {
	t.Parallel()
	cli, err := cliUnderTest()
	if err != nil {
		requireTerraform(t)
		t.Fatal(err)
	}
	if cli.lacks(featureWriteOnly) == "" {
		t.Skipf("%s %s has write-only attributes: this test is for older CLIs", cli.name, cli.version)
	}
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	if err := ws.WriteConfig("resource \"datocms_upload\" \"secret\" {\n  content_wo = \"x\"\n  basename = \"secret\"\n  extension = \"txt\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	res, err := ws.Run(t.Context(), "plan", "-input=false")
	if err != nil || res.ExitCode == 0 {
		t.Fatalf("plan: want it refused: %v\n%s", err, res)
	}
	if out := strings.Join(strings.Fields(res.Stdout+res.Stderr), " "); !strings.Contains(out, "content_wo") || !strings.Contains(strings.ToLower(out), "write-only") {
		t.Errorf("the refusal does not name content_wo as write-only:\n%s", out)
	}
	if n := srv.WriteCount(); n != 0 {
		t.Errorf("%d writes", n)
	}
}

// TestInlineContentLimit: content kept in state is limited to what every plan can carry,
// with an error at plan that says what to use instead (here 100 MiB).
func TestInlineContentLimit(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	big := bytes.Repeat([]byte("0123456789abcdef"), 100<<20/16)
	if err := ws.Write("big.txt", big); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig("resource \"datocms_upload\" \"big\" {\n  content = file(\"${path.module}/big.txt\")\n  basename = \"big\"\n  extension = \"txt\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := ws.Run(ctx, "plan", "-input=false")
	if err != nil || res.ExitCode == 0 {
		t.Fatalf("plan: want it refused: %v\n%.3000s", err, res)
	}
	out := strings.Join(strings.Fields(strings.ReplaceAll(res.Stdout+res.Stderr, "│", " ")), " ")
	for _, want := range []string{"Error: Content too large for content", "104857600 bytes", "content takes at most 4 MiB",
		"Use source (a file) or content_wo"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%.3000s", want, out)
		}
	}
	if n := srv.WriteCount(); n != 0 {
		t.Errorf("%d writes", n)
	}
}
