package provider

import (
	"bytes"
	"crypto/md5" //nolint:gosec // content identity in tests
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// testToken is the API token of every test configuration; tests assert it never leaks.
const testToken = "test-token-5f2b9c"

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"datocms": func() (tfprotov6.ProviderServer, error) { return NewServer("test")(), nil },
}

// newTestServer starts the local DatoCMS-compatible API server with a non-zero job delay,
// as the acceptance tests require (DatoCMS answers writes with async jobs).
func newTestServer(t *testing.T, opts ...datocmstest.Option) *datocmstest.Server {
	t.Helper()
	base := []datocmstest.Option{datocmstest.WithJobDelay(150e6), datocmstest.WithToken(testToken)}
	return datocmstest.NewServer(t, append(base, opts...)...)
}

// providerBlock configures the provider for srv; environment may be "".
func providerBlock(srv *datocmstest.Server, environment string) string {
	env := ""
	if environment != "" {
		env = fmt.Sprintf("\n  environment = %q", environment)
	}
	return fmt.Sprintf(`
provider "datocms" {
  base_url  = %q
  api_token = %q%s
}
`, srv.URL(), testToken, env)
}

// uploadConfig is a provider block plus one datocms_upload "test" with the given body.
func uploadConfig(srv *datocmstest.Server, body string) string {
	return providerBlock(srv, "") + "\nresource \"datocms_upload\" \"test\" {\n" + body + "\n}\n"
}

const testResource = "datocms_upload.test"

// writePNG writes a small PNG whose pixels (and so bytes and md5) depend on shade.
func writePNG(t testing.TB, path string, shade uint8, width, height int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			img.Set(x, y, color.RGBA{R: shade, G: uint8(x), B: uint8(y), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, buf.Bytes())
	return path
}

func writeFile(t testing.TB, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileMD5(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(b) //nolint:gosec // content identity
	return hex.EncodeToString(sum[:])
}

// Not parallel: it empties the DATOCMS_* environment variables.
func TestProvider_configErrors(t *testing.T) {
	srv := newTestServer(t)
	body := "  source = \"missing.png\"\n"
	for name, tc := range map[string]struct {
		provider string
		want     string
	}{
		"missing token": {
			provider: fmt.Sprintf("provider \"datocms\" {\n  base_url = %q\n}\n", srv.URL()),
			want:     `Missing DatoCMS API token.*api_token in the provider block or the DATOCMS_API_TOKEN environment variable`,
		},
		"plain http to a remote host": {
			provider: "provider \"datocms\" {\n  api_token = \"x\"\n  base_url = \"http://api.example.com\"\n}\n",
			want:     `Invalid DatoCMS base URL.*plain http`,
		},
		"bad environment": {
			provider: fmt.Sprintf("provider \"datocms\" {\n  api_token = \"x\"\n  base_url = %q\n  environment = \"Staging!\"\n}\n", srv.URL()),
			want:     `environment.*lowercase letters, digits and dashes`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envAPIToken, "")
			t.Setenv(envBaseURL, "")
			t.Setenv(envEnvironment, "")
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.provider + "resource \"datocms_upload\" \"test\" {\n" + body + "}\n",
					PlanOnly:    true,
					ExpectError: wrappedError(tc.want),
				}},
			})
		})
	}
}

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	for url, ok := range map[string]bool{
		"https://site-api.datocms.com": true,
		"http://127.0.0.1:8787":        true,
		"http://[::1]:9000":            true,
		"http://localhost:1234":        true,
		"http://10.0.0.1":              false,
		"http://site-api.datocms.com":  false,
		"ftp://example.com":            false,
		"site-api.datocms.com":         false,
	} {
		if got := checkBaseURL(url) == ""; got != ok {
			t.Errorf("checkBaseURL(%q) accepted=%v, want %v", url, got, ok)
		}
	}
}

// tokenNeverLogged fails if the test token shows up in any request the server logged
// as received in clear (the log redacts the Authorization header, so a hit means a leak
// elsewhere: a query string, a body or another header).
func tokenNeverLogged(t *testing.T, srv *datocmstest.Server) {
	t.Helper()
	for _, r := range srv.Requests() {
		dump := fmt.Sprintf("%s %v %v %v", r.Path, r.Query, r.Header, r.Body)
		if strings.Contains(dump, testToken) {
			t.Errorf("token found in request %s %s", r.Method, r.Path)
		}
	}
}
