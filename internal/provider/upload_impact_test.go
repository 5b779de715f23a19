package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// planWarnings runs terraform plan -json in ws and returns its warnings, each as "summary:
// detail" on one line (the human output folds similar warnings into one).
func planWarnings(ctx context.Context, t *testing.T, ws *scenario.Workspace) string {
	t.Helper()
	res, err := ws.Run(ctx, "plan", "-input=false", "-json")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("plan: %v\n%s", err, res)
	}
	var out []string
	for line := range strings.Lines(res.Stdout) {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity, Summary, Detail string
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) == nil && msg.Type == "diagnostic" && msg.Diagnostic.Severity == "warning" {
			out = append(out, msg.Diagnostic.Summary+": "+strings.Join(strings.Fields(msg.Diagnostic.Detail), " "))
		}
	}
	return strings.Join(out, "\n")
}

// TestImpact_newURL: a plan that gives an upload that records use a new URL (a new file,
// a rename) says so, naming the records and what the new URL leaves behind; keep_url, a
// metadata change and an upload no record uses say nothing. Only the uploads whose URL
// changes are looked up: one references request each.
func TestImpact_newURL(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, name := range []string{"team", "hero", "logo", "spare"} {
		writePNG(t, filepath.Join(ws.Dir, name+".png"), byte(len(name)), 6, 6)
	}
	config := func(extra map[string]string) string {
		var b strings.Builder
		for _, name := range []string{"team", "hero", "logo", "spare"} {
			fmt.Fprintf(&b, "resource \"datocms_upload\" %q {\n  source = \"${path.module}/%s.png\"\n%s}\n", name, name, extra[name])
		}
		return b.String()
	}
	if err := ws.WriteConfig(config(nil)); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	ids, err := ws.StateIDs(ctx, "datocms_upload")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []datocmstest.Reference{
		{UploadID: ids["datocms_upload.team"], RecordID: "about-page", ItemType: "page"},
		{UploadID: ids["datocms_upload.team"], RecordID: "careers", ItemType: "page", Version: "published"},
		{UploadID: ids["datocms_upload.hero"], RecordID: "home", ItemType: "page"},
		{UploadID: ids["datocms_upload.logo"], RecordID: "footer", ItemType: "block"},
	} {
		if err := srv.AddReference(ref); err != nil {
			t.Fatal(err)
		}
	}

	// team: a new file; hero: a rename; logo: a new file kept behind its URL; spare: a new
	// file no record uses. Metadata changes (author on hero) add nothing.
	for _, name := range []string{"team", "logo", "spare"} {
		writePNG(t, filepath.Join(ws.Dir, name+".png"), 200, 8, 8)
	}
	if err := ws.WriteConfig(config(map[string]string{
		"hero": "  basename = \"hero-2027\"\n  author = \"Ann\"\n",
		"logo": "  replace_strategy = \"keep_url\"\n",
	})); err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	out := planWarnings(ctx, t, ws)
	for _, want := range []string{
		fmt.Sprintf("Upload %s is used by 2 record(s), in their current or published version: record about-page (model page), record careers (model page). The apply gives it a new URL (a new file).", ids["datocms_upload.team"]),
		fmt.Sprintf("Upload %s is used by 1 record(s), in their current or published version: record home (model page). The apply gives it a new URL (a rename).", ids["datocms_upload.hero"]),
		"pages generated before the apply (until they are rebuilt), CDN and browser caches, and links outside DatoCMS",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "New URL for an upload that records use"); n != 2 {
		t.Errorf("%d new-URL warnings, want 2 (team and hero; not logo, kept behind its URL, nor spare, unused)", n)
	}
	looked := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/references") {
			looked[strings.TrimSuffix(strings.TrimPrefix(r.Path, "/uploads/"), "/references")]++
		}
	}
	want := map[string]int{ids["datocms_upload.team"]: 1, ids["datocms_upload.hero"]: 1, ids["datocms_upload.spare"]: 1}
	if fmt.Sprint(looked) != fmt.Sprint(want) {
		t.Errorf("references requests by upload: %v, want one for each upload whose URL changes: %v", looked, want)
	}
}

// TestImpact_adoption: creating a datocms_upload_metadata for an upload that holds other
// values warns with each value it replaces (the create itself shows only the new ones), per
// locale; an adoption that matches what the upload holds says nothing.
func TestImpact_adoption(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ups := seedUploads(t, srv, []seedUpload{{name: "fox.png", content: pngContent(t, 9), in: datocms.CreateUploadInput{
		Author: ptr("Ann"), Tags: []string{"animals"},
		DefaultFieldMetadata: &datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{
			"en": {Alt: ptr("Fox"), Title: ptr("A fox")}, "it": {Alt: ptr("Volpe")},
		}},
	}}})
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adopt := func(body string) string {
		if err := ws.WriteConfig(fmt.Sprintf("resource \"datocms_upload_metadata\" \"fox\" {\n  upload_id = %q\n%s}\n", ups[0].ID, body)); err != nil {
			t.Fatal(err)
		}
		return planWarnings(ctx, t, ws)
	}
	out := adopt(`  author = "Bob"
  tags   = ["animals"]
  default_field_metadata = {
    en = { alt = "Red fox", title = "A fox" }
    it = { alt = "Volpe" }
  }
`)
	for _, want := range []string{
		"Adopting an upload's metadata replaces what it holds",
		`author: "Ann" -> "Bob"`,
		`default_field_metadata["en"].alt: "Fox" -> "Red fox"`,
		"import the upload first",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	for _, unchanged := range []string{"tags:", `["en"].title`, `["it"]`} {
		if strings.Contains(out, unchanged) {
			t.Errorf("the warning lists %s, which does not change:\n%s", unchanged, out)
		}
	}
	if out := adopt("  author = \"Ann\"\n"); strings.Contains(out, "Adopting an upload's metadata") {
		t.Errorf("an adoption that changes nothing warns:\n%s", out)
	}

	// Adopted, then renamed while a record uses it: the new URL is announced.
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	if err := srv.AddReference(datocmstest.Reference{UploadID: ups[0].ID, RecordID: "zoo", ItemType: "page"}); err != nil {
		t.Fatal(err)
	}
	if out := adopt("  author = \"Ann\"\n  basename = \"red-fox\"\n"); !strings.Contains(out, "New URL for an upload that records use") ||
		!strings.Contains(out, "record zoo (model page). The apply gives it a new URL (a rename)") {
		t.Errorf("a rename of an upload a record uses does not warn:\n%s", out)
	}
}
