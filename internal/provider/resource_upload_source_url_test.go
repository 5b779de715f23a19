package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

func sha256Of(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// expectDownloads asserts how often the local server served a file so far.
func expectDownloads(t *testing.T, srv *datocmstest.Server, name string, want int) {
	t.Helper()
	if got := srv.Downloads(name); got != want {
		t.Errorf("%s was downloaded %d times so far, want %d", name, got, want)
	}
}

// TestAccUpload_sourceURL: a file from source_url is downloaded at apply only, checked
// against its pin, and uploaded in place; plans come from the pin (and the record of the
// last download), never from the network; a mismatch changes nothing in DatoCMS; a file
// replaced in DatoCMS still shows as drift.
func TestAccUpload_sourceURL(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	first, second, other := pngContent(t, 10), pngContent(t, 20), pngContent(t, 30)
	srv.PutFile("hero.png", first)
	srv.PutFile("hero-v2.png", second)
	config := func(file, pins string) string {
		return uploadConfig(srv, fmt.Sprintf("  source_url = %q\n%s  basename   = \"hero\"\n  author     = \"Design\"\n", srv.FileURL(file), pins))
	}
	pinSHA := func(b []byte) string { return fmt.Sprintf("  source_sha256 = %q\n", sha256Of(b)) }
	pinBoth := func(b []byte) string { return pinSHA(b) + fmt.Sprintf("  source_md5 = %q\n", md5Of(b)) }
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps: []resource.TestStep{
			{
				// A file that is not there: the create stops before anything reaches DatoCMS.
				Config:      config("missing.png", pinSHA(first)),
				ExpectError: wrappedError(`Error downloading source_url.*missing.png: the server answered 404 Not Found. Nothing was uploaded`),
			},
			{
				PreConfig: func() {
					if w := srv.WriteCount(); w != 0 {
						t.Errorf("a failed download made %d writes to DatoCMS, want 0", w)
					}
				},
				// A SHA-256 pin alone does not tell the md5 before the first download.
				Config: config("hero.png", pinSHA(first)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(testResource, tfjsonpath.New("md5")),
					plancheck.ExpectKnownValue(testResource, tfjsonpath.New("filename"), knownvalue.StringExact("hero.png")),
					planSideEffect(func() error {
						if n := srv.Downloads("hero.png"); n != 0 {
							return fmt.Errorf("the plan downloaded the file %d times", n)
						}
						return nil
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("md5"), knownvalue.StringExact(md5Of(first))),
					statecheck.ExpectKnownValue(testResource, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(first)))),
					remoteBytes(srv, first, "hero.png"),
					serverCheck(func() error {
						if n := srv.Downloads("hero.png"); n != 1 {
							return fmt.Errorf("the apply downloaded the file %d times, want once", n)
						}
						return nil
					}),
				},
			},
			{
				// Unchanged: the plan (and the refresh before it) downloads nothing.
				PreConfig: srv.ResetRequests,
				Config:    config("hero.png", pinSHA(first)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{serverCheck(func() error {
					if n, w := srv.Downloads("hero.png"), srv.WriteCount(); n != 1 || w != 0 {
						return fmt.Errorf("an unchanged configuration: %d downloads in all (want 1) and %d writes (want 0)", n, w)
					}
					return nil
				})},
			},
			{
				// A new pin (and URL): the new file in place, its md5 known from source_md5.
				Config: config("hero-v2.png", pinBoth(second)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
					expectAttributeChange(testResource, "md5", md5Of(first), md5Of(second)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					remoteBytes(srv, second, "hero.png"),
				},
			},
			{
				// The file at the URL is not the pinned one: the apply stops before any write.
				PreConfig: func() {
					srv.ResetRequests()
					srv.PutFile("hero-v3.png", other)
				},
				Config:      config("hero-v3.png", pinSHA(pngContent(t, 40))),
				ExpectError: wrappedError(`Downloaded file does not match its pin.*` + sha256Of(other) + `.*Nothing was uploaded and nothing changed in DatoCMS`),
			},
			{
				PreConfig: func() {
					if w := srv.WriteCount(); w != 0 {
						t.Errorf("the apply with a wrong pin made %d writes to DatoCMS, want 0", w)
					}
					expectDownloads(t, srv, "hero-v3.png", 1)
					// Drift: someone replaces the file in the DatoCMS UI.
					ids := serverUploads(srv, func(datocmstest.Upload) bool { return true })
					if len(ids) != 1 {
						t.Fatalf("uploads: %v", ids)
					}
					if err := srv.ReplaceFile("", ids[0], "hero.png", other); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("hero-v2.png", pinBoth(second)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testResource, plancheck.ResourceActionUpdate),
					expectAttributeChange(testResource, "md5", md5Of(other), md5Of(second)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testResource, tfjsonpath.New("id")),
					remoteBytes(srv, second, "hero.png"),
				},
			},
		},
	})
}

// TestAccUpload_sourceURLValidation: what source_url needs is checked at plan time, with
// errors naming the argument.
func TestAccUpload_sourceURLValidation(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	pin := fmt.Sprintf("  source_sha256 = %q\n", sha256Of([]byte("x")))
	var steps []resource.TestStep
	for body, want := range map[string]string{
		"  source_url = \"https://cdn.example.com/logo.png\"\n": `Missing checksum for source_url`,
		pin: `Checksum without source_url.*source_sha256 pins the file`,
		"  source_url = \"http://cdn.example.com/logo.png\"\n" + pin:                           `Invalid source_url.*plain http`,
		"  source_url = \"https://me:hunter2@cdn.example.com/logo.png\"\n" + pin:               `Invalid source_url.*user name or password`,
		"  source_url = \"https://cdn.example.com/logo.png\"\n  source_md5 = \"abc\"\n":        `source_md5.*32 hexadecimal digits`,
		"  source_url = \"https://cdn.example.com/logo.png\"\n  source = \"logo.png\"\n" + pin: `Invalid Attribute Combination.*source, source_url`,
	} {
		steps = append(steps, resource.TestStep{
			Config:      uploadConfig(srv, body),
			PlanOnly:    true,
			ExpectError: wrappedError(want),
		})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
	if n := srv.WriteCount(); n != 0 {
		t.Errorf("invalid configurations made %d writes", n)
	}
}
