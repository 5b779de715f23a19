package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestPlanChecks_baseURLWithCredentials: a base_url holding a user name and password is
// refused at plan, before any request, and the password shows nowhere in the output.
func TestPlanChecks_baseURLWithCredentials(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	withCreds := strings.Replace(srv.URL(), "http://", "http://deploy:s3cret-pass@", 1)
	if err := ws.WriteConfig(fmt.Sprintf("provider \"datocms\" {\n  base_url = %q\n}\nresource \"datocms_upload\" \"a\" {\n  content = \"x\"\n  basename = \"x\"\n  extension = \"txt\"\n}\n", withCreds)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := ws.With("TF_LOG=TRACE", "TF_LOG_PATH="+filepath.Join(ws.Dir, "trace.log")).Run(ctx, "plan", "-input=false")
	if err != nil || res.ExitCode == 0 {
		t.Fatalf("plan: want it to fail: %v\n%s", err, res)
	}
	out := strings.Join(strings.Fields(strings.ReplaceAll(res.Stdout+res.Stderr, "│", " ")), " ")
	if !strings.Contains(out, "Invalid DatoCMS base URL") || !strings.Contains(out, "holds a user name or password") || !strings.Contains(out, "base_url") {
		t.Errorf("the plan does not refuse the credentials in base_url:\n%s", out)
	}
	// Terraform shows the configuration line itself; nothing else may repeat the password.
	if n := strings.Count(out, "s3cret-pass"); n != 1 || !strings.Contains(out, `"http://deploy:xxxxx@`) {
		t.Errorf("the password is in the output %d times besides Terraform's source line, or not redacted:\n%s", n-1, out)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

// TestPlanChecks_redirects: the API token goes only to the origin of the request: a redirect
// to another port reaches it without the token (DatoCMS then refuses it), and a redirect to
// plain http off loopback is not followed.
func TestPlanChecks_redirects(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	for target, want := range map[string]string{
		srv.URL():                    `DatoCMS rejected the API token`,
		"http://datocms.example.com": `refused a redirect to http://datocms.example.com`,
	} {
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}))
		t.Cleanup(front.Close)
		srv.ResetRequests()
		config := fmt.Sprintf("provider \"datocms\" {\n  base_url  = %q\n  api_token = %q\n}\nresource \"datocms_upload\" \"a\" {\n  content = \"x\"\n  basename = \"x\"\n  extension = \"txt\"\n}\n", front.URL, testToken)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps:                    []resource.TestStep{{Config: config, PlanOnly: true, ExpectError: wrappedError(want)}},
		})
		for _, r := range srv.Requests() {
			if r.Header.Get("Authorization") != "" {
				t.Errorf("%s %s reached %s with the token, through a redirect from another origin", r.Method, r.Path, srv.URL())
			}
		}
	}
}
