package provider

import (
	"bufio"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// The differential tests hold the shortcuts of upload_shortcuts.go (and the file-stat trust
// of internal/localfile) to the answers Terraform gets without them: the same configuration
// and state are planned by the real terraform binary with the shortcuts on and with
// DATOCMS_DISABLE_SHORTCUTS=1, and the plans must agree on every resource change, drift,
// refreshed prior state and warning. Agreeing proves nothing if the shortcuts never ran, so
// the "on" plan must log them where each case says, and the "off" plan must log none. And
// agreeing on a wrong answer fails too: each case also states what the docs promise.

// diffArgs is the body of a datocms_upload block, one argument (or block) per entry, in order.
type diffArgs [][2]string

// fullArgs sets every optional argument of datocms_upload; the source is files/<name>/a.png.
func fullArgs(name string) diffArgs {
	return diffArgs{
		{"source", fmt.Sprintf(`"${path.module}/files/%s/a.png"`, name)},
		{"basename", fmt.Sprintf("%q", name)},
		{"author", `"Ann"`},
		{"copyright", `"ACME"`},
		{"notes", `"Note"`},
		{"tags", `["one", "two"]`},
		{"default_field_metadata", `{ en = { alt = "Alt", title = "Title", custom_data = { k = "v" }, focal_point = { x = 0.25, y = 0.75 } } }`},
		{"upload_collection_id", `"$COLL1"`},
		{"replace_strategy", `"keep_url"`},
		{"delete_when_referenced", `true`},
		{"timeouts", `{ update = "7m" }`},
	}
}

// minimalArgs sets only the source, files/<name>/a.png.
func minimalArgs(name string) diffArgs {
	return diffArgs{{"source", fmt.Sprintf(`"${path.module}/files/%s/a.png"`, name)}}
}

func (a diffArgs) without(name string) diffArgs {
	return slices.DeleteFunc(slices.Clone(a), func(kv [2]string) bool { return kv[0] == name })
}

// with sets (or adds) an argument.
func (a diffArgs) with(name, value string) diffArgs {
	out := slices.Clone(a)
	for i := range out {
		if out[i][0] == name {
			out[i][1] = value
			return out
		}
	}
	return append(out, [2]string{name, value})
}

func (a diffArgs) hcl(vars map[string]string) string {
	var b strings.Builder
	for _, kv := range a {
		v := kv[1]
		for k, val := range vars {
			v = strings.ReplaceAll(v, k, val)
		}
		if kv[0] == "timeouts" {
			fmt.Fprintf(&b, "  timeouts %s\n", v)
			continue
		}
		fmt.Fprintf(&b, "  %s = %s\n", kv[0], v)
	}
	return b.String()
}

// diffCase is one datocms_upload of the differential module.
type diffCase struct {
	name     string
	before   diffArgs // applied first
	after    diffArgs // planned (nil: before)
	imported bool     // created through the API first, adopted by an import block
	// change runs after the apply, before the plans: what a person does to the file or in
	// the DatoCMS UI.
	change func(e *diffEnv, c *diffCase)
	want   planWant
	// fires says which shortcuts ("refresh", "plan") the "on" plan must (true) or must not
	// (false) take for this upload; a shortcut left out depends on timing (a file changed
	// within the racy window of its hashing) and is not checked.
	fires map[string]bool
}

// planWant is what the docs promise for a case's plan.
type planWant struct {
	changed  []string       // top-level attributes that change or become unknown: exactly these
	includes []string       // ... or at least these, when the rest depends on DatoCMS (a new file)
	after    map[string]any // planned values of some attributes (JSON: nil, string, []any...)
	drift    []string       // attributes the refresh found changed outside Terraform (at least)
	warning  string         // summary of a warning about this resource
}

// diffEnv is what a case's change can use.
type diffEnv struct {
	t    *testing.T
	srv  *datocmstest.Server
	ws   *scenario.Workspace
	ids  map[string]string // upload ID by case name
	vars map[string]string // $COLL1, $COLL2
}

func (e *diffEnv) path(c *diffCase, file string) string {
	return filepath.Join(e.ws.Dir, "files", c.name, file)
}

func (e *diffEnv) edit(c *diffCase, edit func(u *datocmstest.Upload)) {
	e.t.Helper()
	if err := e.srv.EditUpload("", e.ids[c.name], edit); err != nil {
		e.t.Fatalf("%s: UI edit: %v", c.name, err)
	}
}

func uiEdit(edit func(e *diffEnv, u *datocmstest.Upload)) func(e *diffEnv, c *diffCase) {
	return func(e *diffEnv, c *diffCase) { e.edit(c, func(u *datocmstest.Upload) { edit(e, u) }) }
}

// uiReplaceFile replaces the file in the UI with another image.
func uiReplaceFile(e *diffEnv, c *diffCase) {
	e.t.Helper()
	if err := e.srv.ReplaceFile("", e.ids[c.name], "from-the-ui.png", pngContent(e.t, 250)); err != nil {
		e.t.Fatal(err)
	}
}

func str(s string) *string { return &s }

// diffCases is the corpus: each optional argument removed, changed and set to null; each
// remote field edited in the UI while its argument is set and while it is left out; tags
// in another order and with duplicates; file changes of every kind; inline content; an
// upload imported and managed without a file.
func diffCases() []*diffCase {
	var cases []*diffCase
	add := func(c *diffCase) { cases = append(cases, c) }
	untouched := map[string]bool{"refresh": true, "plan": true}
	configOnly := map[string]bool{"refresh": true, "plan": false}
	remote := map[string]bool{"refresh": false, "plan": false}

	full := fullArgs("args-unchanged")
	add(&diffCase{name: "args-unchanged", before: full, fires: untouched})

	// Each optional argument removed, changed and set to null.
	for _, arg := range []struct {
		name, changed string
		cleared       any      // its planned value once removed or null
		also          []string // what else changes with it
		noChange      bool     // removing it changes nothing (optional and computed)
		block         bool     // a block, which cannot be set to null
	}{
		{name: "author", changed: `"Bob"`},
		{name: "copyright", changed: `"Other Inc."`},
		{name: "notes", changed: `"Other note"`},
		{name: "tags", changed: `["one", "three"]`, cleared: []any{}},
		{name: "basename", changed: "", noChange: true},
		{name: "default_field_metadata", changed: `{ en = { alt = "Alt 2", title = "Title", custom_data = { k = "v" }, focal_point = { x = 0.25, y = 0.75 } } }`},
		{name: "upload_collection_id", changed: `"$COLL2"`},
		{name: "replace_strategy", changed: `"create_new_url"`, cleared: "create_new_url"},
		{name: "delete_when_referenced", changed: `false`},
		{name: "timeouts", changed: `{ update = "9m" }`, block: true},
	} {
		slug := strings.ReplaceAll(arg.name, "_", "-")
		for _, how := range []string{"removed", "null", "changed"} {
			name := slug + "-" + how
			c := &diffCase{name: name, before: fullArgs(name), fires: configOnly}
			switch how {
			case "removed":
				c.after = c.before.without(arg.name)
			case "null":
				if arg.block {
					continue
				}
				c.after = c.before.with(arg.name, "null")
			case "changed":
				if arg.changed == "" {
					continue
				}
				c.after = c.before.with(arg.name, arg.changed)
			}
			switch {
			case arg.noChange && how != "changed":
				c.want, c.fires = planWant{changed: []string{}}, untouched
			case how == "changed":
				c.want = planWant{changed: append([]string{arg.name}, arg.also...)}
			default:
				c.want = planWant{changed: append([]string{arg.name}, arg.also...), after: map[string]any{arg.name: arg.cleared}}
			}
			add(c)
		}
	}
	add(&diffCase{name: "basename-changed", before: fullArgs("basename-changed"),
		after: fullArgs("basename-changed").with("basename", `"basename-renamed"`), fires: configOnly,
		want: planWant{changed: []string{"basename", "filename", "path", "url"}, after: map[string]any{"filename": "basename-renamed.png"}}})
	add(&diffCase{name: "tags-reordered", before: fullArgs("tags-reordered"), after: fullArgs("tags-reordered").with("tags", `["two", "one"]`),
		fires: untouched, want: planWant{changed: []string{}}})
	add(&diffCase{name: "tags-duplicated", before: fullArgs("tags-duplicated"), after: fullArgs("tags-duplicated").with("tags", `["two", "one", "two"]`),
		fires: untouched, want: planWant{changed: []string{}}})
	twoLocales := `{ en = { alt = "Alt", focal_point = { x = 0.25, y = 0.75 } }, it = { alt = "Alt it", focal_point = { x = 0.25, y = 0.75 } } }`
	add(&diffCase{name: "locale-added", before: fullArgs("locale-added"), after: fullArgs("locale-added").with("default_field_metadata", twoLocales),
		fires: configOnly, want: planWant{changed: []string{"default_field_metadata"}}})
	add(&diffCase{name: "locale-removed", before: fullArgs("locale-removed").with("default_field_metadata", twoLocales),
		after: fullArgs("locale-removed").with("default_field_metadata", `{ en = { alt = "Alt", focal_point = { x = 0.25, y = 0.75 } } }`),
		fires: configOnly, want: planWant{changed: []string{"default_field_metadata"}}})
	add(&diffCase{name: "source-moved", before: fullArgs("source-moved"),
		after:  fullArgs("source-moved").with("source", `"${path.module}/files/source-moved/b.png"`),
		change: func(e *diffEnv, c *diffCase) { copyFile(e.t, e.path(c, "a.png"), e.path(c, "b.png")) },
		fires:  configOnly, want: planWant{changed: []string{"source"}}})

	// Each remote field edited in the UI, while its argument is set and while it is left out.
	for _, ui := range []struct {
		field      string
		attr       string
		edit       func(e *diffEnv, u *datocmstest.Upload)
		keptUnset  bool     // left out, the argument follows DatoCMS: no change
		driftAlso  []string // other attributes the edit changes
		changeAlso []string // other attributes the plan changes back
	}{
		{field: "author", attr: "author", edit: func(_ *diffEnv, u *datocmstest.Upload) { u.Author = str("Eve") }},
		{field: "copyright", attr: "copyright", edit: func(_ *diffEnv, u *datocmstest.Upload) { u.Copyright = str("UI Inc.") }},
		{field: "notes", attr: "notes", edit: func(_ *diffEnv, u *datocmstest.Upload) { u.Notes = str("UI note") }},
		{field: "tags", attr: "tags", edit: func(_ *diffEnv, u *datocmstest.Upload) { u.Tags = append(u.Tags, "remote-tag") }},
		{field: "alt", attr: "default_field_metadata", edit: func(_ *diffEnv, u *datocmstest.Upload) {
			if u.Metadata == nil {
				u.Metadata = map[string]datocmstest.LocaleMetadata{}
			}
			m := u.Metadata["en"]
			m.Alt = str("UI alt")
			u.Metadata["en"] = m
		}},
		{field: "basename", attr: "basename", edit: func(_ *diffEnv, u *datocmstest.Upload) { u.Basename = "renamed-in-ui" },
			keptUnset: true, driftAlso: []string{"filename", "path", "url"}, changeAlso: []string{"filename", "path", "url"}},
		{field: "collection", attr: "upload_collection_id", edit: func(e *diffEnv, u *datocmstest.Upload) { u.UploadCollectionID = str(e.vars["$COLL2"]) }},
	} {
		set := "ui-" + ui.field + "-set"
		add(&diffCase{name: set, before: fullArgs(set), change: uiEdit(ui.edit), fires: remote,
			want: planWant{changed: append([]string{ui.attr}, ui.changeAlso...), drift: append([]string{ui.attr}, ui.driftAlso...)}})
		unset := "ui-" + ui.field + "-unset"
		c := &diffCase{name: unset, before: minimalArgs(unset), change: uiEdit(ui.edit), fires: remote,
			want: planWant{changed: []string{ui.attr}, drift: append([]string{ui.attr}, ui.driftAlso...)}}
		if ui.keptUnset {
			c.want.changed, c.fires = []string{}, map[string]bool{"refresh": false, "plan": true}
		}
		add(c)
	}
	add(&diffCase{name: "ui-file-set", before: fullArgs("ui-file-set"), change: uiReplaceFile, fires: remote,
		want: planWant{includes: []string{"md5", "size"}, drift: []string{"md5"}, after: map[string]any{"basename": "ui-file-set"}}})
	add(&diffCase{name: "ui-file-unset", before: minimalArgs("ui-file-unset"), change: uiReplaceFile, fires: remote,
		want: planWant{includes: []string{"md5", "size"}, drift: []string{"md5"}}})

	// The file itself.
	fileCase := func(name string, change func(e *diffEnv, c *diffCase), want planWant, fires map[string]bool) {
		add(&diffCase{name: name, before: minimalArgs(name), change: change, want: want, fires: fires})
	}
	noRefresh := map[string]bool{"refresh": false}
	fileCase("file-untouched", nil, planWant{changed: []string{}}, untouched)
	fileCase("file-touched", func(e *diffEnv, c *diffCase) {
		now := time.Now()
		if err := os.Chtimes(e.path(c, "a.png"), now, now); err != nil {
			e.t.Fatal(err)
		}
	}, planWant{changed: []string{}}, noRefresh)
	fileCase("file-same-size", func(e *diffEnv, c *diffCase) {
		b := readFile(e.t, e.path(c, "a.png"))
		b[len(b)-20] ^= 0xff // inside the image data: same size, new content
		writeFile(e.t, e.path(c, "a.png"), b)
	}, planWant{includes: []string{"md5"}}, noRefresh)
	fileCase("file-new-content", func(e *diffEnv, c *diffCase) {
		writePNG(e.t, e.path(c, "a.png"), 9, 12, 10)
	}, planWant{includes: []string{"md5", "size", "width", "height"}, after: map[string]any{"width": 12.0, "height": 10.0}}, noRefresh)
	fileCase("file-symlink-same", func(e *diffEnv, c *diffCase) {
		copyFile(e.t, e.path(c, "a.png"), e.path(c, "target.png"))
		replaceBySymlink(e.t, e.path(c, "target.png"), e.path(c, "a.png"))
	}, planWant{changed: []string{}}, noRefresh)
	fileCase("file-symlink-other", func(e *diffEnv, c *diffCase) {
		writePNG(e.t, e.path(c, "target.png"), 201, 7, 7)
		replaceBySymlink(e.t, e.path(c, "target.png"), e.path(c, "a.png"))
	}, planWant{includes: []string{"md5"}}, noRefresh)
	fileCase("file-dangling", func(e *diffEnv, c *diffCase) {
		replaceBySymlink(e.t, e.path(c, "missing.png"), e.path(c, "a.png"))
	}, planWant{includes: []string{"md5"}, warning: "Source file not found"}, noRefresh)

	// Inline content.
	inline := func(name, content string) diffArgs {
		return diffArgs{{"content", fmt.Sprintf("%q", content)}, {"basename", fmt.Sprintf("%q", name)}, {"extension", `"txt"`}}
	}
	add(&diffCase{name: "inline-unchanged", before: inline("inline-unchanged", "same text\n"),
		fires: map[string]bool{"refresh": true, "plan": false}, want: planWant{changed: []string{}}})
	add(&diffCase{name: "inline-changed", before: inline("inline-changed", "old text\n"), after: inline("inline-changed", "new text, longer\n"),
		fires: configOnly, want: planWant{includes: []string{"md5", "size", "content"}}})
	base64Args := func(content string) diffArgs { // content: plain ASCII, as HCL strings take it
		return diffArgs{{"content_base64", fmt.Sprintf("base64encode(%q)", content)}, {"basename", `"inline-base64"`}, {"extension", `"bin"`}}
	}
	add(&diffCase{name: "inline-base64", before: base64Args("binary one"), after: base64Args("binary two, longer"),
		fires: configOnly, want: planWant{includes: []string{"md5", "size", "content_base64"}}})

	// Write-only content (Terraform 1.11+): neither plan nor state holds it, only its md5.
	if cli, err := cliUnderTest(); err == nil && cli.lacks(featureWriteOnly) == "" {
		wo := func(name, content string) diffArgs {
			return diffArgs{{"content_wo", fmt.Sprintf("%q", content)}, {"basename", fmt.Sprintf("%q", name)}, {"extension", `"txt"`}}
		}
		add(&diffCase{name: "wo-unchanged", before: wo("wo-unchanged", "same secret\n"),
			fires: map[string]bool{"refresh": true, "plan": false}, want: planWant{changed: []string{}}})
		add(&diffCase{name: "wo-changed", before: wo("wo-changed", "old secret\n"), after: wo("wo-changed", "new secret, longer\n"),
			fires: configOnly, want: planWant{includes: []string{"md5", "size"}}})
	}

	// An upload imported and managed without a file.
	add(&diffCase{name: "imported-unchanged", before: diffArgs{}, imported: true, fires: untouched, want: planWant{changed: []string{}}})
	add(&diffCase{name: "imported-ui-tag", before: diffArgs{}, imported: true, fires: remote,
		change: uiEdit(func(_ *diffEnv, u *datocmstest.Upload) { u.Tags = append(u.Tags, "remote-tag") }),
		want:   planWant{changed: []string{"tags"}, drift: []string{"tags"}, after: map[string]any{"tags": []any{}}}})
	add(&diffCase{name: "imported-ui-author", before: diffArgs{}, imported: true, fires: remote,
		change: uiEdit(func(_ *diffEnv, u *datocmstest.Upload) { u.Author = str("Eve") }),
		want:   planWant{changed: []string{"author"}, drift: []string{"author"}, after: map[string]any{"author": nil}}})
	add(&diffCase{name: "imported-source-added", before: diffArgs{}, imported: true, after: minimalArgs("imported-source-added"),
		fires: configOnly, want: planWant{changed: []string{"source"}}})
	return cases
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	writeFile(t, to, readFile(t, from))
}

func replaceBySymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestShortcuts_differential plans the corpus of diffCases with the shortcuts on and off.
func TestShortcuts_differential(t *testing.T) {
	t.Parallel()
	cases := diffCases()
	if len(cases) < 40 {
		t.Fatalf("the corpus has %d cases; the differential test promises at least 40", len(cases))
	}
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	e := &diffEnv{t: t, srv: srv, ws: ws, ids: map[string]string{}, vars: map[string]string{
		"$COLL1": srv.CreateUploadCollection("", "One"), "$COLL2": srv.CreateUploadCollection("", "Two"),
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	// Files first: a hash is trusted only when the file was still for 2 s before it.
	var seeds []seedUpload
	for i, c := range cases {
		if !c.imported {
			writePNG(t, e.path(c, "a.png"), uint8(i), 5+i%7, 4+i%5)
			continue
		}
		seeds = append(seeds, seedUpload{name: c.name + ".png", content: pngContent(t, uint8(100+i))})
		if c.after != nil && c.after[0][0] == "source" { // a source with the upload's own content
			writeFile(t, e.path(c, "a.png"), seeds[len(seeds)-1].content)
		}
	}
	filesWritten := time.Now()
	imports := ""
	for i, up := range seedUploads(t, srv, seeds) {
		name := strings.TrimSuffix(seeds[i].name, ".png")
		e.ids[name] = up.ID
		imports += fmt.Sprintf("import {\n  to = datocms_upload.%s\n  id = %q\n}\n", name, up.ID)
	}
	writeDiffConfig(t, ws, cases, e.vars, imports, false)
	time.Sleep(time.Until(filesWritten.Add(2100 * time.Millisecond)))
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	ids, err := ws.StateIDs(ctx, "datocms_upload")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		e.ids[c.name] = ids["datocms_upload."+c.name]
	}

	for _, c := range cases {
		if c.change != nil {
			c.change(e, c)
		}
	}
	writeDiffConfig(t, ws, cases, e.vars, imports, true)

	on, off := planBothWays(ctx, t, ws)
	compareDiffPlans(t, on, off)
	for _, c := range cases {
		checkDiffCase(t, c, e.ids[c.name], on)
	}
	if n := len(off.shortcuts); n != 0 {
		t.Errorf("with %s=1 the provider took %d shortcuts: %v", envDisableShortcuts, n, off.shortcuts[:min(n, 5)])
	}
	if !slices.ContainsFunc(on.shortcuts, func(s loggedShortcut) bool { return s.name == shortcutFile }) {
		t.Errorf("the plan never took a file's MD5 from its record (%s)", shortcutFile)
	}

	// Without a refresh, from the state as the apply left it.
	on, off = planBothWays(ctx, t, ws, "-refresh=false")
	compareDiffPlans(t, on, off)
	if c := on.count(shortcutPlan); c == 0 {
		t.Errorf("-refresh=false: the plan never exited early")
	}
	if len(off.shortcuts) != 0 {
		t.Errorf("-refresh=false with %s=1: %d shortcuts taken", envDisableShortcuts, len(off.shortcuts))
	}
}

func writeDiffConfig(t *testing.T, ws *scenario.Workspace, cases []*diffCase, vars map[string]string, imports string, after bool) {
	t.Helper()
	var b strings.Builder
	b.WriteString(imports)
	for _, c := range cases {
		args := c.before
		if after && c.after != nil {
			args = c.after
		}
		fmt.Fprintf(&b, "resource \"datocms_upload\" %q {\n%s}\n\n", c.name, args.hcl(vars))
	}
	if err := ws.WriteConfig(b.String()); err != nil {
		t.Fatal(err)
	}
}

// diffPlan is one plan as terraform shows it, with the shortcuts the provider logged.
type diffPlan struct {
	plan        *tfjson.Plan
	diagnostics []string // "severity|address|summary|detail", sorted
	shortcuts   []loggedShortcut
}

type loggedShortcut struct{ name, uploadID, source string }

func (p diffPlan) count(name string) int {
	n := 0
	for _, s := range p.shortcuts {
		if s.name == name {
			n++
		}
	}
	return n
}

func (p diffPlan) took(name, uploadID string) bool {
	return slices.ContainsFunc(p.shortcuts, func(s loggedShortcut) bool { return s.name == name && s.uploadID == uploadID })
}

// planBothWays plans the workspace with the shortcuts on, then off.
func planBothWays(ctx context.Context, t *testing.T, ws *scenario.Workspace, args ...string) (on, off diffPlan) {
	t.Helper()
	return diffPlanOf(ctx, t, ws, "on", nil, args, false), diffPlanOf(ctx, t, ws, "off", []string{envDisableShortcuts + "=1"}, args, false)
}

// diffPlanOf plans the workspace (with env added) and shows the plan. A plan that fails is
// a test failure unless failing is allowed; the plan is then nil.
func diffPlanOf(ctx context.Context, t *testing.T, ws *scenario.Workspace, label string, env, args []string, mayFail bool) diffPlan {
	t.Helper()
	logPath := filepath.Join(ws.Dir, label+".log")
	planFile := label + ".tfplan"
	_ = os.Remove(logPath)
	run := ws.With(append(env, "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath, "TF_LOG_SDK=OFF", "TF_LOG_SDK_FRAMEWORK=OFF", "TF_LOG_SDK_PROTO=OFF")...)
	res, err := run.Run(ctx, append([]string{"plan", "-json", "-input=false", "-out=" + planFile}, args...)...)
	if err != nil || (res.ExitCode != 0 && !mayFail) {
		t.Fatalf("plan (%s): %v\n%s", label, err, res)
	}
	p := diffPlan{diagnostics: planDiagnostics(t, res.Stdout), shortcuts: shortcutsLogged(t, logPath)}
	if res.ExitCode != 0 {
		return p
	}
	show, err := ws.Run(ctx, "show", "-json", planFile)
	if err != nil || show.ExitCode != 0 {
		t.Fatalf("show (%s): %v\n%s", label, err, show)
	}
	p.plan = new(tfjson.Plan)
	if err := json.Unmarshal([]byte(show.Stdout), p.plan); err != nil {
		t.Fatalf("show -json (%s): %v", label, err)
	}
	return p
}

// planDiagnostics returns the diagnostics of a plan -json stream.
func planDiagnostics(t *testing.T, stream string) []string {
	t.Helper()
	var out []string
	for line := range strings.Lines(stream) {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity, Summary, Detail, Address string
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" {
			continue
		}
		d := msg.Diagnostic
		out = append(out, strings.Join([]string{d.Severity, d.Address, d.Summary, d.Detail}, "|"))
	}
	sort.Strings(out)
	return out
}

var (
	shortcutLine  = regexp.MustCompile(`shortcut taken: .*`)
	shortcutField = regexp.MustCompile(`\b(shortcut|upload_id|source)=("(?:[^"\\]|\\.)*"|\S+)`)
)

// shortcutsLogged reads the shortcuts a provider log records.
func shortcutsLogged(t *testing.T, logPath string) []loggedShortcut {
	t.Helper()
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []loggedShortcut
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := shortcutLine.FindString(sc.Text())
		if line == "" {
			continue
		}
		var s loggedShortcut
		for _, m := range shortcutField.FindAllStringSubmatch(line, -1) {
			v := strings.Trim(m[2], `"`)
			switch m[1] {
			case "shortcut":
				s.name = v
			case "upload_id":
				s.uploadID = v
			case "source":
				s.source = v
			}
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareDiffPlans fails on any difference between the two plans that a user could see:
// resource changes, drift, the refreshed prior state and the diagnostics.
func compareDiffPlans(t *testing.T, on, off diffPlan) {
	t.Helper()
	byAddress := func(changes []*tfjson.ResourceChange) map[string]string {
		out := map[string]string{}
		for _, rc := range changes {
			b, _ := json.Marshal(rc)
			out[rc.Address] = string(b)
		}
		return out
	}
	priorState := func(p *tfjson.Plan) map[string]string {
		out := map[string]string{}
		if p.PriorState != nil && p.PriorState.Values != nil {
			for _, r := range p.PriorState.Values.RootModule.Resources {
				b, _ := json.Marshal(r)
				out[r.Address] = string(b)
			}
		}
		return out
	}
	if on.plan == nil || off.plan == nil {
		if (on.plan == nil) != (off.plan == nil) {
			t.Errorf("one plan failed, the other did not:\non:  %q\noff: %q", on.diagnostics, off.diagnostics)
		}
		if !reflect.DeepEqual(on.diagnostics, off.diagnostics) {
			t.Errorf("diagnostics: shortcuts on and off disagree\non:  %q\noff: %q", on.diagnostics, off.diagnostics)
		}
		return
	}
	for what, pair := range map[string][2]map[string]string{
		"resource_changes": {byAddress(on.plan.ResourceChanges), byAddress(off.plan.ResourceChanges)},
		"resource_drift":   {byAddress(on.plan.ResourceDrift), byAddress(off.plan.ResourceDrift)},
		"prior_state":      {priorState(on.plan), priorState(off.plan)},
	} {
		for _, address := range slices.Sorted(func(yield func(string) bool) {
			seen := map[string]bool{}
			for _, m := range pair {
				for a := range m {
					if !seen[a] {
						seen[a] = true
						if !yield(a) {
							return
						}
					}
				}
			}
		}) {
			if pair[0][address] != pair[1][address] {
				t.Errorf("%s of %s: shortcuts on and off disagree\non:  %s\noff: %s", what, address, pair[0][address], pair[1][address])
			}
		}
	}
	if !reflect.DeepEqual(on.diagnostics, off.diagnostics) {
		t.Errorf("diagnostics: shortcuts on and off disagree\non:  %q\noff: %q", on.diagnostics, off.diagnostics)
	}
}

// checkDiffCase checks what the docs promise for c in the "on" plan (the "off" plan is the
// same, or compareDiffPlans failed), and which shortcuts it took.
func checkDiffCase(t *testing.T, c *diffCase, id string, on diffPlan) {
	t.Helper()
	address := "datocms_upload." + c.name
	rc, err := resourceChange(on.plan, address)
	if err != nil {
		t.Errorf("%s: %v", c.name, err)
		return
	}
	changed := changedAttributes(rc.Change)
	switch {
	case c.want.includes != nil:
		for _, a := range c.want.includes {
			if !slices.Contains(changed, a) {
				t.Errorf("%s: %s does not change; changed: %v", c.name, a, changed)
			}
		}
	case !slices.Equal(changed, slices.Sorted(slices.Values(c.want.changed))):
		t.Errorf("%s: changed attributes %v, want %v", c.name, changed, slices.Sorted(slices.Values(c.want.changed)))
	}
	action := "update"
	if len(changed) == 0 {
		action = "no-op"
	}
	if got := fmt.Sprint(rc.Change.Actions); got != "["+action+"]" {
		t.Errorf("%s: actions %s, want [%s]", c.name, got, action)
	}
	after, _ := rc.Change.After.(map[string]any)
	for attr, want := range c.want.after {
		if got := after[attr]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: planned %s = %#v, want %#v", c.name, attr, got, want)
		}
	}
	if c.want.drift != nil {
		drift, err := resourceChange(&tfjson.Plan{ResourceChanges: on.plan.ResourceDrift}, address)
		if err != nil {
			t.Errorf("%s: no drift reported: %v", c.name, err)
		} else {
			for _, a := range c.want.drift {
				if d := changedAttributes(drift.Change); !slices.Contains(d, a) {
					t.Errorf("%s: drift of %v, want %s among them", c.name, d, a)
				}
			}
		}
	}
	if c.want.warning != "" && !slices.ContainsFunc(on.diagnostics, func(d string) bool {
		return strings.HasPrefix(d, "warning|"+address+"|"+c.want.warning+"|")
	}) {
		t.Errorf("%s: no warning %q in %q", c.name, c.want.warning, on.diagnostics)
	}
	for short, name := range map[string]string{"refresh": shortcutRefresh, "plan": shortcutPlan} {
		if want, checked := c.fires[short]; checked && on.took(name, id) != want {
			t.Errorf("%s: shortcut %s taken: %v, want %v", c.name, name, !want, want)
		}
	}
}

// changedAttributes lists, sorted, the top-level attributes whose planned value differs
// from the current one or is unknown.
func changedAttributes(ch *tfjson.Change) []string {
	before, _ := ch.Before.(map[string]any)
	after, _ := ch.After.(map[string]any)
	unknown, _ := ch.AfterUnknown.(map[string]any)
	out := []string{}
	for k := range after {
		if isUnknown(unknown[k]) || !reflect.DeepEqual(before[k], after[k]) {
			out = append(out, k)
		}
	}
	for k := range unknown {
		if _, known := after[k]; !known && isUnknown(unknown[k]) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// isUnknown reports whether an after_unknown entry marks the value, or a part of it, unknown.
func isUnknown(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case map[string]any:
		for _, e := range v {
			if isUnknown(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if isUnknown(e) {
				return true
			}
		}
	}
	return false
}

// TestShortcuts_differentialUnusableSource: a source file replaced by a directory fails the
// plan, with the same error either way.
func TestShortcuts_differentialUnusableSource(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	src := filepath.Join(ws.Dir, "files", "a.png")
	writePNG(t, src, 3, 4, 4)
	if err := ws.WriteConfig(fmt.Sprintf("resource \"datocms_upload\" \"dir\" {\n%s}\n", minimalArgs("x").with("source", `"${path.module}/files/a.png"`).hcl(nil))); err != nil {
		t.Fatal(err)
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	if err := os.Remove(src); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	on := diffPlanOf(ctx, t, ws, "on", nil, nil, true)
	off := diffPlanOf(ctx, t, ws, "off", []string{envDisableShortcuts + "=1"}, nil, true)
	compareDiffPlans(t, on, off)
	if on.plan != nil || !slices.ContainsFunc(on.diagnostics, func(d string) bool {
		return strings.HasPrefix(d, "error|datocms_upload.dir|Unusable source file|") && strings.Contains(d, "is a directory")
	}) {
		t.Errorf("a directory as source: want the plan to fail with \"Unusable source file\", got %q", on.diagnostics)
	}
}

// TestShortcuts_differentialStateUpgrade plans a state written by the provider before the
// shortcuts moved inside the framework (commit c185652, testdata/state-c185652), private
// state included, with its uploads as DatoCMS holds them. Its records are of an older
// format: none may be trusted, even a file record made to describe the current file exactly
// (with a wrong MD5, so that trusting it would plan a change). The apply then upgrades the
// records, and the next plan takes the shortcuts.
func TestShortcuts_differentialStateUpgrade(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ws := cliWorkspace(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fixture := filepath.Join("testdata", "state-c185652")
	if err := ws.Write("main.tf", readFile(t, filepath.Join(fixture, "main.tf"))); err != nil {
		t.Fatal(err)
	}
	logo := filepath.Join(ws.Dir, "files", "logo.png")
	copyFile(t, filepath.Join(fixture, "files", "logo.png"), logo)
	filesWritten := time.Now()

	var state struct {
		Resources []struct {
			Name      string `json:"name"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
				Private    string         `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	raw := readFile(t, filepath.Join(fixture, "state.json"))
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, r := range state.Resources {
		ids[r.Name], _ = r.Instances[0].Attributes["id"].(string)
	}
	// The uploads, as the fixture's apply made them.
	c := apiClient(t, srv)
	for _, s := range []struct {
		path string
		in   datocms.CreateUploadInput
	}{
		{logo, datocms.CreateUploadInput{ID: ids["file"], Author: str("Ann"), Copyright: str("ACME"), Tags: []string{"one", "two"},
			DefaultFieldMetadata: &datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{"en": {Alt: str("Logo")}},
				FocalPoint: &datocms.FocalPoint{X: 0.5, Y: 0.5}}}},
		{filepath.Join(t.TempDir(), "fixture-note.txt"), datocms.CreateUploadInput{ID: ids["inline"], Notes: str("inline"), Tags: []string{}}},
	} {
		if strings.HasSuffix(s.path, ".txt") {
			writeFile(t, s.path, []byte("hello fixture\n"))
		}
		if _, err := createSeed(ctx, c, s.path, s.in); err != nil {
			t.Fatal(err)
		}
	}

	// The fixture's state, for this CLI, with the file record made to match the file now.
	time.Sleep(time.Until(filesWritten.Add(2100 * time.Millisecond)))
	stat, err := localfile.StatFile(logo)
	if err != nil {
		t.Fatal(err)
	}
	host := cmp.Or(os.Getenv("TF_ACC_PROVIDER_HOST"), "registry.terraform.io")
	doc := strings.ReplaceAll(string(raw), `provider[\"registry.terraform.io/assetform/datocms\"]`, `provider[\"`+host+`/assetform/datocms\"]`)
	var generic map[string]any
	if err := json.Unmarshal([]byte(doc), &generic); err != nil {
		t.Fatal(err)
	}
	for _, r := range generic["resources"].([]any) {
		inst := r.(map[string]any)["instances"].([]any)[0].(map[string]any)
		private := map[string][]byte{}
		if err := json.Unmarshal(mustBase64(t, inst["private"].(string)), &private); err != nil {
			t.Fatal(err)
		}
		if _, ok := private["file"]; ok {
			abs, _ := filepath.Abs(logo)
			forged, _ := json.Marshal(map[string]any{"path": abs, "facts": map[string]any{
				"md5": "00000000000000000000000000000000", "size": stat.Size, "format": "png", "mime_type": "image/png", "stat": stat}})
			private["file"] = forged
		}
		encoded, _ := json.Marshal(private)
		inst["private"] = base64.StdEncoding.EncodeToString(encoded)
	}
	patched, _ := json.Marshal(generic)
	if err := ws.Write("terraform.tfstate", patched); err != nil {
		t.Fatal(err)
	}

	on, off := planBothWays(ctx, t, ws)
	compareDiffPlans(t, on, off)
	for _, name := range []string{"file", "inline"} {
		rc, err := resourceChange(on.plan, "datocms_upload."+name)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rc.Change.Actions); got != "[no-op]" {
			t.Errorf("%s: %s after the upgrade, want [no-op]; changed %v", name, got, changedAttributes(rc.Change))
		}
		if on.took(shortcutRefresh, ids[name]) {
			t.Errorf("%s: a refresh record of the older format was trusted", name)
		}
	}
	if res, err := ws.Apply(ctx); err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v\n%s", err, res)
	}
	on, off = planBothWays(ctx, t, ws)
	compareDiffPlans(t, on, off)
	if !on.took(shortcutRefresh, ids["file"]) || !on.took(shortcutPlan, ids["file"]) {
		t.Errorf("after the apply that upgraded its records, the plan of the file took no shortcuts: %v", on.shortcuts)
	}
}

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
