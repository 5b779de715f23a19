package provider

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// altOf returns the alt text the server holds for an upload in a locale ("" when none).
func altOf(srv *datocmstest.Server, id, locale string) string {
	up, ok := srv.Upload("", id)
	if !ok || up.Metadata[locale].Alt == nil {
		return ""
	}
	return *up.Metadata[locale].Alt
}

// TestAccUploadMetadata_altTextOnCollection is the accessibility recipe of the docs: alt
// text enforced, with for_each over the datocms_uploads data source, on every image of a
// collection whose 50 uploads already exist and that no repository has the files of. What
// the UI set on the arguments the configuration leaves out stays; an alt text edited in the
// UI shows as drift on that one upload and is put back; a destroy leaves the uploads alone.
func TestAccUploadMetadata_altTextOnCollection(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	products := srv.CreateUploadCollection("", "Products")
	const n = 50
	seeds := make([]seedUpload, 0, n+1)
	for i := range n {
		in := datocms.CreateUploadInput{Author: ptr("UI author"), UploadCollectionID: &products}
		if i%10 == 0 { // some already have an Italian title and a focal point, which must stay
			in.DefaultFieldMetadata = &datocms.FieldMetadata{
				Locales:    map[string]datocms.LocaleMetadata{"it": {Title: ptr(fmt.Sprint("Foto ", i))}},
				FocalPoint: &datocms.FocalPoint{X: 0.25, Y: 0.75},
			}
		}
		seeds = append(seeds, seedUpload{name: fmt.Sprintf("product-%02d.png", i), content: pngContent(t, uint8(i)), in: in})
	}
	// Not an image: the for_each leaves it out.
	seeds = append(seeds, seedUpload{name: "sizes.txt", content: []byte("S M L\n"), in: datocms.CreateUploadInput{UploadCollectionID: &products}})
	ups := seedUploads(t, srv, seeds)
	images := ups[:n]

	config := providerBlock(srv, "") + fmt.Sprintf(`
data "datocms_uploads" "products" {
  upload_collection_id = %q
  type                 = "image"
}

resource "datocms_upload_metadata" "alt" {
  for_each  = { for u in data.datocms_uploads.products.uploads : u.id => u }
  upload_id = each.key
  # As in examples/recipes/alt-text-for-collection: keep what the upload holds, set the alt.
  default_field_metadata = merge(each.value.default_field_metadata, {
    en = merge(
      try(each.value.default_field_metadata["en"], { title = null, custom_data = null, focal_point = null }),
      { alt = "Product photo ${each.value.basename}" },
    )
  })
}
`, products)
	wantAlt := func(up *datocms.Upload) string { return "Product photo " + up.Basename }
	edited, other := images[7], images[8]
	wantAuthor := map[string]string{} // what the UI set (unmanaged): "UI author" unless edited
	allEnforced := serverCheck(func() error {
		for _, up := range images {
			if got := altOf(srv, up.ID, "en"); got != wantAlt(up) {
				return fmt.Errorf("upload %s has alt %q, want %q", up.ID, got, wantAlt(up))
			}
			if up.DefaultFieldMetadata.FocalPoint != nil {
				got, _ := srv.Upload("", up.ID)
				if got.FocalPoint == nil || *got.FocalPoint != (datocmstest.FocalPoint{X: 0.25, Y: 0.75}) || got.Metadata["it"].Title == nil {
					return fmt.Errorf("upload %s lost its Italian title or focal point: %+v", up.ID, got)
				}
			}
			want := cmp.Or(wantAuthor[up.ID], "UI author")
			if got, _ := srv.Upload("", up.ID); got.Author == nil || *got.Author != want {
				return fmt.Errorf("upload %s lost the author the UI set (unmanaged): got %v, want %q", up.ID, got.Author, want)
			}
		}
		if got := altOf(srv, ups[n].ID, "en"); got != "" {
			return fmt.Errorf("the text file got alt %q; only images should", got)
		}
		return nil
	})
	addr := func(up *datocms.Upload) string { return fmt.Sprintf("datocms_upload_metadata.alt[%q]", up.ID) }

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr(edited), plancheck.ResourceActionCreate),
						// Unset arguments are read from DatoCMS, not written.
						plancheck.ExpectUnknownValue(addr(edited), tfjsonpath.New("author")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					allEnforced,
					statecheck.ExpectKnownValue(addr(edited), tfjsonpath.New("author"), knownvalue.StringExact("UI author")),
					statecheck.ExpectKnownValue(addr(edited), tfjsonpath.New("upload_collection_id"), knownvalue.StringExact(products)),
				},
			},
			{
				// Someone edits one alt text and another upload's author in the UI: the plan
				// shows the alt text, and only it, as drift.
				PreConfig: func() {
					mustEditUpload(t, srv, edited.ID, func(u *datocmstest.Upload) {
						u.Metadata["en"] = datocmstest.LocaleMetadata{Alt: ptr("blurry photo")}
					})
					mustEditUpload(t, srv, other.ID, func(u *datocmstest.Upload) { u.Author = ptr("Someone else") })
					wantAuthor[other.ID] = "Someone else"
					srv.ResetRequests()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr(edited), plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(addr(edited), tfjsonpath.New("default_field_metadata").AtMapKey("en").AtMapKey("alt"),
							knownvalue.StringExact(wantAlt(edited))),
						plancheck.ExpectResourceAction(addr(other), plancheck.ResourceActionNoop),
						onlyUpdates(1),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					serverCheck(func() error {
						if got := altOf(srv, edited.ID, "en"); got != wantAlt(edited) {
							return fmt.Errorf("alt of %s is %q after apply, want %q", edited.ID, got, wantAlt(edited))
						}
						if got := srv.CountRequests("PUT", "/uploads/"); got != 1 {
							return fmt.Errorf("apply sent %d PUT /uploads/:id, want 1", got)
						}
						return nil
					}),
					statecheck.ExpectKnownValue(addr(other), tfjsonpath.New("author"), knownvalue.StringExact("Someone else")),
				},
			},
			{
				// Destroy (for_each instances cannot stay in state at the end: plugin-testing's
				// final state read does not support them): every upload stays, with its alt text.
				Config: providerBlock(srv, ""),
				ConfigStateChecks: []statecheck.StateCheck{serverCheck(func() error {
					if got := len(srv.Uploads("")); got != n+1 {
						return fmt.Errorf("destroy left %d uploads, want all %d", got, n+1)
					}
					if w := srv.CountRequests("PUT", "/uploads/"); w != 1 {
						return fmt.Errorf("destroy wrote to uploads (%d PUTs since step 2, want the 1 of step 2)", w)
					}
					return allEnforced()
				})},
			},
		},
	})
}

// onlyUpdates checks that a plan updates exactly n resources and does nothing else.
func onlyUpdates(n int) plancheck.PlanCheck {
	return wholePlanCheck(func(req plancheck.CheckPlanRequest) error {
		updates := 0
		for _, rc := range req.Plan.ResourceChanges {
			switch {
			case rc.Change.Actions.Update():
				updates++
			case !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read():
				return fmt.Errorf("%s: unexpected actions %v", rc.Address, rc.Change.Actions)
			}
		}
		if updates != n {
			return fmt.Errorf("plan updates %d resources, want %d", updates, n)
		}
		return nil
	})
}

type wholePlanCheck func(req plancheck.CheckPlanRequest) error

func (f wholePlanCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req)
}

func mustEditUpload(t *testing.T, srv *datocmstest.Server, id string, edit func(u *datocmstest.Upload)) {
	t.Helper()
	if err := srv.EditUpload("", id, edit); err != nil {
		t.Fatal(err)
	}
}

// TestAccUploadMetadata_lifecycle manages some metadata of one existing upload: what is set
// is written and what is left out stays as DatoCMS has it (also once removed from the
// configuration); import reads it all back; clear_on_destroy clears the metadata on destroy
// and leaves the upload.
func TestAccUploadMetadata_lifecycle(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	up := seedUploads(t, srv, []seedUpload{{name: "Team Photo.png", content: pngContent(t, 3), in: datocms.CreateUploadInput{
		Author: ptr("Ann"), Tags: []string{"ui"},
		DefaultFieldMetadata: &datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{"it": {Title: ptr("Foto")}}},
	}}})[0]
	const res = "datocms_upload_metadata.team"
	cfg := func(body string) string {
		return providerBlock(srv, "") + fmt.Sprintf(`
resource "datocms_upload_metadata" "team" {
  upload_id = %q
%s}
`, up.ID, body)
	}
	managed := cfg(`  notes    = "shot in 2026"
  tags     = ["team", "people"]
  basename = "team-photo"
  default_field_metadata = {
    en = { alt = "The team", focal_point = { x = 0.5, y = 0.25 } }
  }
`)
	server := func(check func(u datocmstest.Upload) error) serverCheck {
		return func() error {
			u, ok := srv.Upload("", up.ID)
			if !ok {
				return fmt.Errorf("upload %s is gone", up.ID)
			}
			return check(u)
		}
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return server(func(u datocmstest.Upload) error {
				if u.Author != nil || u.Notes != nil || len(u.Tags) != 0 || u.FocalPoint != nil || altOf(srv, up.ID, "en") != "" {
					return fmt.Errorf("clear_on_destroy left author %v, notes %v, tags %v, focal point %v, alt %q",
						u.Author, u.Notes, u.Tags, u.FocalPoint, altOf(srv, up.ID, "en"))
				}
				if u.Basename != "team-photo" {
					return fmt.Errorf("clear_on_destroy renamed the file to %q", u.Basename)
				}
				return nil
			})()
		},
		Steps: []resource.TestStep{
			{
				Config: managed,
				ConfigStateChecks: []statecheck.StateCheck{
					server(func(u datocmstest.Upload) error {
						switch {
						case u.Author == nil || *u.Author != "Ann":
							return fmt.Errorf("author %v, want Ann kept (not managed)", u.Author)
						case u.Notes == nil || *u.Notes != "shot in 2026":
							return fmt.Errorf("notes %v", u.Notes)
						case !slices.Equal(sorted(u.Tags), []string{"people", "team"}):
							return fmt.Errorf("tags %v", u.Tags)
						case u.Basename != "team-photo":
							return fmt.Errorf("basename %q", u.Basename)
						case u.Metadata["it"].Title != nil:
							return fmt.Errorf("the it title is still there: default_field_metadata is the whole value when set")
						}
						return nil
					}),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact(up.ID)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("author"), knownvalue.StringExact("Ann")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("clear_on_destroy"), knownvalue.Bool(false)),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ResourceName: res, ImportState: true, ImportStateVerify: true},
			{
				// Left out, notes are no longer managed: nothing changes, in DatoCMS or in the plan.
				Config: cfg(`  tags     = ["team", "people"]
  basename = "team-photo"
  default_field_metadata = {
    en = { alt = "The team", focal_point = { x = 0.5, y = 0.25 } }
  }
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("notes"), knownvalue.StringExact("shot in 2026")),
				},
			},
			{Config: cfg(`  clear_on_destroy = true
  tags             = ["team", "people"]
`)},
		},
	})
}

// TestAccUploadMetadata_unknownUpload: a wrong upload_id fails the plan, naming it, with
// nothing written.
func TestAccUploadMetadata_unknownUpload(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerBlock(srv, "") + `
resource "datocms_upload_metadata" "x" {
  upload_id = "NoSuchUploadAAAAAAAAAA"
  author    = "Ann"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Unknown upload.*upload_id.*no upload "NoSuchUploadAAAAAAAAAA"`),
		}},
	})
	if w := srv.WriteCount(); w != 0 {
		t.Fatalf("a failed plan wrote %d times", w)
	}
}

// TestAccUploadMetadata_planTimeErrors: what DatoCMS or the other resources would fight over is
// caught at plan, naming the attribute, with nothing written: tags datocms_upload refuses, and
// one upload managed by two resources (two datocms_upload_metadata, or one and a
// datocms_upload), which would put their own metadata back on every apply.
func TestAccUploadMetadata_planTimeErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ups := seedUploads(t, srv, []seedUpload{{name: "a.png", content: pngContent(t, 11)}})
	id := ups[0].ID
	src := filepath.Join(t.TempDir(), "a.png")
	writeFile(t, src, pngContent(t, 11))
	srv.ResetRequests()
	meta := func(name, body string) string {
		return fmt.Sprintf("resource \"datocms_upload_metadata\" %q {\n  upload_id = %q\n%s}\n", name, id, body)
	}
	for name, tc := range map[string]struct{ config, want string }{
		"empty tag":  {meta("x", "  tags = [\"ok\", \"\"]\n"), `tags.* must not be empty or start or end with whitespace`},
		"padded tag": {meta("x", "  tags = [\" hero\"]\n"), `tags.* must not be empty or start or end with whitespace`},
		"two metadata resources": {meta("x", "  author = \"Ann\"\n") + meta("y", "  notes = \"n\"\n"),
			`Upload managed twice.*Upload ` + id + ` is managed by two resources of this configuration: a datocms_upload_metadata and a datocms_upload_metadata`},
		"metadata and the upload itself": {meta("x", "  author = \"Ann\"\n") +
			fmt.Sprintf("resource \"datocms_upload\" \"up\" {\n  source = %q\n}\nimport {\n  to = datocms_upload.up\n  id = %q\n}\n", src, id),
			`Upload managed twice.*Upload ` + id + ` is managed by two resources of this configuration: a datocms_(upload|upload_metadata) and a datocms_(upload_metadata|upload)\.`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: providerBlock(srv, "") + tc.config, PlanOnly: true, ExpectError: wrappedError(tc.want)}},
			})
		})
	}
	if w := srv.WriteCount(); w != 0 {
		t.Fatalf("failed plans wrote %d times", w)
	}
}

// TestAccUploadMetadata_identity: identity in state and an import block by identity.
func TestAccUploadMetadata_identity(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	up := seedUploads(t, srv, []seedUpload{{name: "a.png", content: pngContent(t, 9)}})[0]
	config := providerBlock(srv, "") + fmt.Sprintf(`
resource "datocms_upload_metadata" "a" {
  upload_id = %q
  author    = "Ann"
}
`, up.ID)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   cliRequires(featureResourceIdentity),
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("datocms_upload_metadata.a", map[string]knownvalue.Check{"id": knownvalue.StringExact(up.ID)}),
				},
			},
			{
				ResourceName:    "datocms_upload_metadata.a",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          config,
			},
		},
	})
}

// TestUploadMetadataDestroyPlanSaysWhatStays: a destroy plan says, as a warning, that the
// upload and its metadata stay (and, with clear_on_destroy, what is cleared), through the
// real CLI since plugin-testing does not show plan warnings.
func TestUploadMetadataDestroyPlanSaysWhatStays(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	up := seedUploads(t, srv, []seedUpload{{name: "a.png", content: pngContent(t, 4)}})[0]
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		clear string
		want  []string
	}{
		{"false", []string{"Warning: Destroying datocms_upload_metadata leaves the upload in DatoCMS",
			"Upload " + up.ID + " and its metadata stay in DatoCMS as they are", "set clear_on_destroy = true"}},
		{"true", []string{"Warning: Destroying datocms_upload_metadata leaves the upload in DatoCMS",
			"clear_on_destroy is true, so its author, copyright, notes, tags and default_field_metadata are cleared"}},
	} {
		config := fmt.Sprintf("resource \"datocms_upload_metadata\" \"a\" {\n  upload_id = %q\n  author = \"Ann\"\n  clear_on_destroy = %s\n}\n", up.ID, tc.clear)
		if err := ws.WriteConfig(config); err != nil {
			t.Fatal(err)
		}
		if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
			t.Fatalf("apply: %v\n%s", err, res)
		}
		srv.ResetRequests()
		res, err := ws.Run(ctx, "plan", "-destroy", "-input=false")
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("plan -destroy: %v\n%s", err, res)
		}
		out := strings.Join(strings.Fields(res.Stdout+res.Stderr), " ")
		for _, want := range tc.want {
			if !strings.Contains(out, want) {
				t.Errorf("clear_on_destroy = %s: plan output lacks %q:\n%s", tc.clear, want, res)
			}
		}
		if w := srv.WriteCount(); w != 0 {
			t.Errorf("the destroy plan wrote %d times", w)
		}
	}
}

// blankEmptyTexts does what the docs tell users to do with a generated configuration: set
// the author, copyright and notes that Terraform wrote as null, or left out, to "".
func blankEmptyTexts(hcl string) string {
	for _, name := range []string{"author", "copyright", "notes"} {
		null := regexp.MustCompile(`(?m)^(\s*` + name + `\s*=\s*)null$`)
		switch {
		case null.MatchString(hcl):
			hcl = null.ReplaceAllString(hcl, `$1""`)
		case !regexp.MustCompile(`(?m)^\s*` + name + `\s*=`).MatchString(hcl):
			hcl = regexp.MustCompile(`(?m)^(resource "datocms_upload_metadata" "[^"]+" \{\n)`).ReplaceAllString(hcl, "${1}  "+name+" = \"\"\n")
		}
	}
	return hcl
}

// TestUploadMetadata_blankMustStayEmpty: "" in datocms_upload_metadata means "must stay
// empty". Terraform's -generate-config-out writes every empty optional string as null (or,
// from 1.15, leaves it out), which for author, copyright and notes means "not managed", so the
// docs say to set them to "" (inside default_field_metadata, null already means empty: the
// map is the whole value). The configuration then imports with no change, and a copyright and a title added in
// the UI show as changes back to empty, which the apply clears in DatoCMS.
func TestUploadMetadata_blankMustStayEmpty(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ups := seedUploads(t, srv, []seedUpload{{name: "fox.png", content: pngContent(t, 5), in: datocms.CreateUploadInput{
		Author:               ptr("Ann"),
		DefaultFieldMetadata: &datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{"en": {Alt: ptr("Fox")}}},
	}}})
	id := ups[0].ID
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := ws.WriteConfig(fmt.Sprintf("import {\n  to = datocms_upload_metadata.fox\n  id = %q\n}\n", id)); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Run(ctx, "plan", "-generate-config-out=generated.tf", "-input=false"); err != nil || res.ExitCode != 0 {
		t.Fatalf("plan -generate-config-out: %v\n%s", err, res)
	}
	// Terraform writes the empty texts as null (before 1.15) or leaves them out: not managed.
	// OpenTofu writes "".
	generated := string(readFile(t, filepath.Join(ws.Dir, "generated.tf")))
	cli, err := cliUnderTest()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"copyright", "notes"} {
		if blank := regexp.MustCompile(`(?m)^\s*` + name + `\s*=\s*""$`).MatchString(generated); blank != cli.openTofu {
			t.Errorf("%s %s wrote %s as \"\": %v, but the docs say %v:\n%s", cli.name, cli.version, name, blank, cli.openTofu, generated)
		}
	}
	// What the docs say to do with it.
	watched := blankEmptyTexts(generated)
	folded := strings.Join(strings.Fields(watched), " ")
	for _, want := range []string{`copyright = ""`, `notes = ""`, `author = "Ann"`, `alt = "Fox"`} {
		if !strings.Contains(folded, want) {
			t.Fatalf("the generated configuration, texts made \"\", lacks %s:\n%s", want, watched)
		}
	}
	if err := ws.Write("generated.tf", []byte(watched)); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 || !strings.Contains(res.Stdout, "1 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply of the import: %v\n%s", err, res)
	}
	if empty, res, err := ws.PlanIsEmpty(ctx); err != nil || !empty {
		t.Fatalf("plan after the import is not empty (%v):\n%s", err, res)
	}

	if err := srv.EditUpload("", id, func(u *datocmstest.Upload) {
		u.Copyright = ptr("Someone")
		u.Metadata["en"] = datocmstest.LocaleMetadata{Alt: ptr("Fox"), Title: ptr("Added in the UI")}
	}); err != nil {
		t.Fatal(err)
	}
	// What the plan changes, from its JSON (CLIs render "" differently: OpenTofu shows null).
	res, err := ws.Run(ctx, "plan", "-input=false", "-detailed-exitcode", "-out=repair.tfplan")
	if err != nil || res.ExitCode != 2 {
		t.Fatalf("plan after the UI edit: want changes (exit 2): %v\n%s", err, res)
	}
	show, err := ws.Run(ctx, "show", "-json", "repair.tfplan")
	if err != nil {
		t.Fatal(err)
	}
	var plan tfjson.Plan
	if err := json.Unmarshal([]byte(show.Stdout), &plan); err != nil {
		t.Fatal(err)
	}
	rc, err := resourceChange(&plan, "datocms_upload_metadata.fox")
	if err != nil {
		t.Fatal(err)
	}
	before, after := rc.Change.Before.(map[string]any), rc.Change.After.(map[string]any)
	title := func(m map[string]any) any {
		en, _ := m["default_field_metadata"].(map[string]any)["en"].(map[string]any)
		return en["title"]
	}
	if fmt.Sprint(rc.Change.Actions) != "[update]" || before["copyright"] != "Someone" || after["copyright"] != "" ||
		title(before) != "Added in the UI" || title(after) != nil {
		t.Errorf("plan after the UI edit: %v, copyright %q -> %q, title %v -> %v; want an update back to \"\" and null",
			rc.Change.Actions, before["copyright"], after["copyright"], title(before), title(after))
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	up, _ := srv.Upload("", id)
	if up.Copyright != nil || up.Metadata["en"].Title != nil || !strPtrEq(up.Author, "Ann") || !strPtrEq(up.Metadata["en"].Alt, "Fox") {
		t.Errorf("after the apply DatoCMS holds copyright %v, title %v, author %v, alt %v; want the blanks cleared, the rest kept",
			up.Copyright, up.Metadata["en"].Title, up.Author, up.Metadata["en"].Alt)
	}
	if empty, res, err := ws.PlanIsEmpty(ctx); err != nil || !empty {
		t.Errorf("plan after the repair is not empty (%v):\n%s", err, res)
	}
}
