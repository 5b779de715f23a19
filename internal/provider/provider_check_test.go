package provider

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

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
