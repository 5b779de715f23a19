package planreview

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// The real plans of the golden tests and of the browser check: a lab is a Terraform
// workspace where the real terraform binary runs the provider built from this repository
// against a local API server of its own.

const labToken = "plan-review-test-token"

// buildProvider builds the provider from the repository and returns the directory that
// dev_overrides names. It skips the test when there is no Terraform CLI, unless acceptance
// tests were asked for (TF_ACC), where that is a failure.
func buildProvider(t *testing.T) string {
	t.Helper()
	if _, err := scenario.TerraformBinary(); err != nil {
		if os.Getenv("TF_ACC") != "" {
			t.Fatal("terraform is not on PATH (set TF_ACC_TERRAFORM_PATH or install Terraform >= 1.5)")
		}
		t.Skip("terraform is not on PATH; this test needs the Terraform CLI")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir, err := scenario.BuildProvider(t.Context(), root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type lab struct {
	t   *testing.T
	srv *datocmstest.Server
	ws  *scenario.Workspace
}

func newLab(t *testing.T, providerDir string) *lab {
	t.Helper()
	srv := datocmstest.NewServer(t, datocmstest.WithRateLimit(0))
	ws, err := scenario.NewWorkspace(t.TempDir(), providerDir, srv.URL(), labToken)
	if err != nil {
		t.Fatal(err)
	}
	return &lab{t: t, srv: srv, ws: ws}
}

// write writes a file of the workspace.
func (l *lab) write(name string, content []byte) {
	l.t.Helper()
	if err := l.ws.Write(name, content); err != nil {
		l.t.Fatal(err)
	}
}

// terraform runs a terraform command that must succeed, and returns its standard output.
func (l *lab) terraform(args ...string) string {
	l.t.Helper()
	res, err := l.ws.Run(l.t.Context(), args...)
	if err != nil || res.ExitCode != 0 {
		l.t.Fatalf("%v\n%s", err, res)
	}
	return res.Stdout
}

// apply applies the configuration body.
func (l *lab) apply(body string) {
	l.t.Helper()
	if err := l.ws.WriteConfig(body); err != nil {
		l.t.Fatal(err)
	}
	l.terraform("apply", "-auto-approve", "-input=false")
}

// plan plans the configuration body (with extra plan arguments) into plan.out and returns
// the plan's JSON.
func (l *lab) plan(body string, args ...string) []byte {
	l.t.Helper()
	if err := l.ws.WriteConfig(body); err != nil {
		l.t.Fatal(err)
	}
	l.terraform(append([]string{"plan", "-input=false", "-out", "plan.out"}, args...)...)
	return []byte(l.terraform("show", "-json", "plan.out"))
}

// applyPlan applies the last plan.
func (l *lab) applyPlan() {
	l.t.Helper()
	l.terraform("apply", "-input=false", "plan.out")
}

// review renders the review of a plan's JSON as the command does with a token: Markdown and
// HTML, the records looked up from the lab's server.
func (l *lab) review(planJSON []byte) (md, html string) {
	l.t.Helper()
	p, err := Parse(planJSON)
	if err != nil {
		l.t.Fatal(err)
	}
	client, err := datocms.New(datocms.Config{Token: labToken, BaseURL: l.srv.URL()})
	if err != nil {
		l.t.Fatal(err)
	}
	r := Build(p)
	r.AddRecords(l.t.Context(), client.UploadReferences)
	var b bytes.Buffer
	if err := r.HTML(&b, l.ws.Dir); err != nil {
		l.t.Fatal(err)
	}
	return r.Markdown(DefaultMaxBytes), b.String()
}

// uploadID returns the ID of the upload whose file name is filename.
func (l *lab) uploadID(filename string) string {
	l.t.Helper()
	for _, u := range l.srv.Uploads("") {
		if u.Filename == filename {
			return u.ID
		}
	}
	l.t.Fatalf("the server has no upload named %s", filename)
	return ""
}

// storagePath matches the run-specific part of storage paths: /<site>/<unix time><sequence>-.
var storagePath = regexp.MustCompile(`/1234/(\d+)-`)

// normalize replaces what differs between runs with stable names: the server's address, the
// times in storage paths (numbered in order of appearance), upload and collection IDs
// (named after the upload's file or the collection's label) and the workspace directory.
func (l *lab) normalize(s string) string {
	var pairs []string
	for _, u := range l.srv.Uploads("") {
		pairs = append(pairs, u.ID, "upload-"+u.Basename)
	}
	for _, c := range l.srv.UploadCollections("") {
		pairs = append(pairs, c.ID, "collection-"+strings.ToLower(c.Label))
	}
	pairs = append(pairs, l.srv.URL(), "http://127.0.0.1:8787", l.ws.Dir, "/work/terraform")
	s = strings.NewReplacer(pairs...).Replace(s)
	seen := map[string]string{}
	return storagePath.ReplaceAllStringFunc(s, func(m string) string {
		if _, ok := seen[m]; !ok {
			seen[m] = fmt.Sprintf("/1234/%d-", len(seen)+1)
		}
		return seen[m]
	})
}

// testImage encodes a w×h gradient, tinted by tint, as PNG or JPEG ("png" or "jpg"). The
// same arguments always give the same bytes.
func testImage(t *testing.T, w, h int, tint uint8, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: tint, A: 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "jpg" {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exampleConfig is the documentation example: three images.
func exampleConfig(heroAlt, logoTags string) string {
	return fmt.Sprintf(`
resource "datocms_upload" "team" {
  source = "${path.module}/assets/team.jpg"
  default_field_metadata = {
    en = { alt = "The team at the 2025 offsite" }
  }
}

resource "datocms_upload" "hero" {
  source = "${path.module}/assets/hero.png"
  default_field_metadata = {
    en = { alt = %q }
  }
}

resource "datocms_upload" "logo" {
  source = "${path.module}/assets/logo.png"
  tags   = %s
}
`, heroAlt, logoTags)
}

// examplePlan runs the documentation example: it applies three images, links records to
// two of them, then changes them (team.jpg gets a new file under the same name, hero.png a
// new English alt text, logo.png other tags) and returns the plan's JSON. The lab's server
// keeps running until the test ends, so the review's thumbnails load.
func examplePlan(t *testing.T, providerDir string) (*lab, []byte) {
	t.Helper()
	l := newLab(t, providerDir)
	l.write("assets/team.jpg", testImage(t, 320, 200, 40, "jpg"))
	l.write("assets/hero.png", testImage(t, 320, 180, 160, "png"))
	l.write("assets/logo.png", testImage(t, 96, 96, 240, "png"))
	l.apply(exampleConfig("Our office", `["brand", "2025"]`))
	for _, ref := range []datocmstest.Reference{
		{UploadID: l.uploadID("hero.png"), RecordID: "home-page", ItemType: "page"},
		{UploadID: l.uploadID("hero.png"), RecordID: "about-us", ItemType: "page"},
		{UploadID: l.uploadID("team.jpg"), RecordID: "meet-the-team", ItemType: "article", Version: "published"},
	} {
		if err := l.srv.AddReference(ref); err != nil {
			t.Fatal(err)
		}
	}
	l.write("assets/team.jpg", testImage(t, 360, 240, 90, "jpg"))
	return l, l.plan(exampleConfig("Our headquarters at sunset", `["brand", "2026"]`))
}
