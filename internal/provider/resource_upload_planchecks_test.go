package provider

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// Every mistake a new user can make is caught by terraform plan, with a message that names
// the attribute (or provider argument) and says what to do, and with no write to DatoCMS.

// expectPlanError runs one plan that must fail with pattern and checks that it wrote nothing.
func expectPlanError(t *testing.T, srv *datocmstest.Server, config, pattern string) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, PlanOnly: true, ExpectError: wrappedError(pattern)}},
	})
	if w := srv.WriteCount(); w != 0 {
		t.Errorf("the failed plan made %d writes, want 0", w)
	}
}

func TestPlanChecks_unknownCollection(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 1, 4, 4)
	expectPlanError(t, srv, uploadConfig(srv, fmt.Sprintf("  source = %q\n  upload_collection_id = \"no-such-collection\"\n", src)),
		`Unknown upload collection.*upload_collection_id.*no upload collection "no-such-collection"`)
}

func TestPlanChecks_wrongToken(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	config := fmt.Sprintf("provider \"datocms\" {\n  base_url  = %q\n  api_token = \"not-the-token\"\n}\nresource \"datocms_upload\" \"test\" {\n  source = \"x.png\"\n}\n", srv.URL())
	expectPlanError(t, srv, config, `DatoCMS rejected the API token.*INVALID_AUTHORIZATION_HEADER.*Check api_token \(in the provider block\)`)
	if strings.Contains(fmt.Sprint(srv.Requests()), "not-the-token") {
		t.Error("the token reached the request log")
	}
}

func TestPlanChecks_closedPort(t *testing.T) {
	t.Parallel()
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	srv := newTestServer(t) // receives nothing: it only proves that nothing was written anywhere
	config := fmt.Sprintf("provider \"datocms\" {\n  base_url  = %q\n  api_token = %q\n}\nresource \"datocms_upload\" \"test\" {\n  source = \"x.png\"\n}\n", closed, testToken)
	expectPlanError(t, srv, config, `Cannot connect to DatoCMS.*No connection could be made to `+closed+`.*Check base_url \(in the provider block\)`)
}

func TestPlanChecks_unknownEnvironment(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, datocmstest.WithEnvironments("main", "staging"))
	config := providerBlock(srv, "nope") + "resource \"datocms_upload\" \"test\" {\n  source = \"x.png\"\n}\n"
	expectPlanError(t, srv, config,
		`Unknown DatoCMS environment.*no environment "nope".*Its environments are: "main" \(primary\), "staging".*Set environment \(in the provider block\)`)
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

// TestPlanChecks_localhostAnyCase: host names are case-insensitive, so http to LOCALHOST is
// as loopback as http to localhost.
func TestPlanChecks_localhostAnyCase(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	src := writePNG(t, filepath.Join(t.TempDir(), "a.png"), 3, 4, 4)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf("provider \"datocms\" {\n  base_url  = \"http://LOCALHOST:%s\"\n  api_token = %q\n}\nresource \"datocms_upload\" \"test\" {\n  source = %q\n}\n", port, testToken, src)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNoUploads(srv),
		Steps:                    []resource.TestStep{{Config: config, ConfigStateChecks: []statecheck.StateCheck{serverUploadCount(srv, 1)}}},
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
