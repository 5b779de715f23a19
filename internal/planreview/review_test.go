package planreview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// Edge cases of the model and the renderers, from small hand-written plans. The golden
// tests (golden_test.go) cover real plans.

// rc is the JSON of one resource change; empty fields are null ({} for the marks).
type rc struct {
	Type, Name, Actions                      string
	Before, After                            string
	Unknown, BeforeSensitive, AfterSensitive string
}

func (r rc) String() string {
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	typ := or(r.Type, typeUpload)
	return fmt.Sprintf(`{"address":"%s.%s","mode":"managed","type":%q,"name":%q,"change":{"actions":%s,`+
		`"before":%s,"after":%s,"after_unknown":%s,"before_sensitive":%s,"after_sensitive":%s}}`,
		typ, r.Name, typ, r.Name, or(r.Actions, `["update"]`), or(r.Before, "null"), or(r.After, "null"),
		or(r.Unknown, "{}"), or(r.BeforeSensitive, "{}"), or(r.AfterSensitive, "{}"))
}

// planDoc is a plan document with changes and extra top-level members (JSON, each after a
// comma), with empty planned values unless extra has some.
func planDoc(extra string, changes ...rc) []byte {
	list := make([]string, len(changes))
	for i, c := range changes {
		list[i] = c.String()
	}
	if !strings.Contains(extra, `"planned_values"`) {
		extra += `,"planned_values":{"root_module":{}}`
	}
	return []byte(`{"format_version":"1.2","resource_changes":[` + strings.Join(list, ",") + "]" + extra + "}")
}

func build(t *testing.T, doc []byte) *Review {
	t.Helper()
	p, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return Build(p)
}

// rows returns an asset's rows as "Label: before → after" or "Label: value" lines, in
// plain text.
func rows(a Asset) []string {
	var out []string
	for _, r := range a.Rows {
		if r.Changes() {
			out = append(out, r.Label+": "+r.Before.plainText()+" → "+r.After.plainText())
		} else {
			out = append(out, r.Label+": "+r.Value().plainText())
		}
	}
	return out
}

func renderBoth(t *testing.T, r *Review) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.HTML(&b, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	return r.Markdown(DefaultMaxBytes) + b.String()
}

const image1 = `"id":"u1","filename":"a.png","format":"png","width":100,"height":50,"size":2048,"md5":"aaa",` +
	`"url":"https://www.datocms-assets.com/1/a.png","is_image":true,"source":"a.png","tags":[]`

func TestSensitiveValuesAreNeverShown(t *testing.T) {
	t.Parallel()
	r := build(t, planDoc("", rc{
		Name:   "a",
		Before: `{` + image1 + `,"content":"secret-content-1","default_field_metadata":{"en":{"alt":"secret-alt-1"}}}`,
		After: `{` + image1 + `,"md5":"bbb","content":"secret-content-2","tags":["secret-tag"],` +
			`"default_field_metadata":{"en":{"alt":"secret-alt-2"}}}`,
		BeforeSensitive: `{"content":true,"default_field_metadata":{"en":{"alt":true}}}`,
		AfterSensitive:  `{"content":true,"tags":[true],"default_field_metadata":{"en":{"alt":true}}}`,
	}))
	if out := renderBoth(t, r); strings.Contains(out, "secret") {
		t.Errorf("a sensitive value is shown:\n%s", out)
	}
	got := rows(r.Changes[0])
	for _, want := range []string{"Alt (en): (sensitive) → (sensitive, changed)", "Tags: (none) → (sensitive)"} {
		if !slices.Contains(got, want) {
			t.Errorf("no row %q in %q", want, got)
		}
	}
}

func TestUnknownValuesAreKnownAfterApply(t *testing.T) {
	t.Parallel()
	r := build(t, planDoc("", rc{
		Name:    "a",
		Before:  `{` + image1 + `,"default_field_metadata":{"en":{"alt":"x"}}}`,
		After:   `{"id":"u1","format":"png","is_image":true,"source":"a.png","size":4096,"tags":[]}`,
		Unknown: `{"md5":true,"filename":true,"width":true,"height":true,"url":true,"default_field_metadata":true}`,
	}))
	a := r.Changes[0]
	if a.Kind != KindFile || a.Action != "update in place (new file)" {
		t.Errorf("kind %d, action %q: want a new file", a.Kind, a.Action)
	}
	want := []string{
		"File name: a.png → (known after apply)",
		"Format: png",
		"Dimensions: 100×50 → (known after apply)",
		"Size: 2.0 KiB → 4.0 KiB",
		"URL: changes",
		"New file from: a.png",
		"Default field metadata: (known after apply)", // the whole map: not one row per locale and field
	}
	if diff := cmp.Diff(want, rows(a)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if a.After.File != "a.png" || !strings.HasSuffix(a.Before.URL, "/a.png?w=240&h=240&fit=max&auto=format") {
		t.Errorf("pictures: before %+v, after %+v", a.Before, a.After)
	}
}

func TestTagsAddedAndRemoved(t *testing.T) {
	t.Parallel()
	r := build(t, planDoc("", rc{
		Name:   "a",
		Before: `{` + image1 + `,"tags":["brand","old","keep"]}`,
		After:  `{` + image1 + `,"tags":["brand","keep","new","2026"]}`,
	}))
	if diff := cmp.Diff([]string{"File name: a.png", "Format: png", "Dimensions: 100×50", "Size: 2.0 KiB", "URL: kept",
		"Tags: added new, 2026; removed old"}, rows(r.Changes[0])); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if md := r.Markdown(DefaultMaxBytes); !strings.Contains(md, "- **Tags:** added `new`, `2026`; removed `old`\n") {
		t.Errorf("Markdown:\n%s", md)
	}
}

func TestMetadataPerLocale(t *testing.T) {
	t.Parallel()
	r := build(t, planDoc("", rc{
		Type: typeMetadata,
		Name: "m",
		Before: `{"upload_id":"u1","author":"Ann","default_field_metadata":{
			"en":{"alt":"Old","title":"Same","focal_point":{"x":0.5,"y":0.5},"custom_data":{"credit":"A","gone":"B"}},
			"it":{"alt":"Vecchio"}}}`,
		After: `{"upload_id":"u1","author":"Ann","default_field_metadata":{
			"en":{"alt":"New","title":"Same","focal_point":{"x":0.25,"y":1},"custom_data":{"credit":"C","added":"D"}},
			"de":{"title":"Neu"}}}`,
	}))
	a := r.Changes[0]
	want := []string{
		"Upload: u1",
		"Title (de): (none) → Neu",
		"Alt (en): Old → New",
		"Focal point (en): x 0.5, y 0.5 → x 0.25, y 1",
		`Custom data "added" (en): (none) → D`,
		`Custom data "credit" (en): A → C`,
		`Custom data "gone" (en): B → (none)`,
		"Alt (it): Vecchio → (none)",
	}
	if diff := cmp.Diff(want, rows(a)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if a.Kind != KindMetadata || a.UploadID != "u1" || a.HasPictures() {
		t.Errorf("kind %d, upload %q, pictures %v", a.Kind, a.UploadID, a.HasPictures())
	}
}

func TestCollectionLabels(t *testing.T) {
	t.Parallel()
	state := func(collections ...string) string {
		return `{"root_module":{"resources":[` + strings.Join(collections, ",") + `]}}`
	}
	col := func(address, id, label string) string {
		values := fmt.Sprintf(`{"label":%q}`, label)
		if id != "" {
			values = fmt.Sprintf(`{"id":%q,"label":%q}`, id, label)
		}
		return fmt.Sprintf(`{"address":%q,"mode":"managed","type":"datocms_upload_collection","values":%s}`, address, values)
	}
	extra := `,"prior_state":{"format_version":"1.0","values":` + state(
		col("datocms_upload_collection.photos", "c1", "Photos"),
		col("data.datocms_upload_collection.archive", "c2", "Archive"),
	) + `},"planned_values":{"root_module":{"resources":[` +
		col("datocms_upload_collection.photos", "c1", "Photography") + "," +
		col("datocms_upload_collection.press", "", "Press") + `]}},` +
		`"configuration":{"root_module":{"resources":[{"address":"datocms_upload.b","mode":"managed","type":"datocms_upload","name":"b",` +
		`"expressions":{"upload_collection_id":{"references":["datocms_upload_collection.press.id","datocms_upload_collection.press"]}}}]}}`
	r := build(t, planDoc(extra,
		rc{Name: "a", Before: `{` + image1 + `,"upload_collection_id":"c1"}`, After: `{` + image1 + `,"upload_collection_id":"c2"}`},
		rc{Name: "b", Before: `{` + image1 + `,"upload_collection_id":"c1"}`, After: `{` + image1 + `}`, Unknown: `{"upload_collection_id":true}`},
		rc{Name: "c", Before: `{` + image1 + `,"upload_collection_id":"c9"}`, After: `{` + image1 + `,"upload_collection_id":null}`},
		rc{Name: "d", Before: `{` + image1 + `}`, After: `{` + image1 + `}`, Unknown: `{"upload_collection_id":true}`},
	))
	for i, want := range []string{
		"Collection: Photos → Archive",                      // the prior state's label, and a data source's
		"Collection: Photos → Press (created by this plan)", // an unknown ID the configuration names
		"Collection: c9 → (none)",                           // no label: the ID
		"Collection: (none) → (known after apply)",          // unknown, and not a collection of this plan
	} {
		if got := rows(r.Changes[i]); !slices.Contains(got, want) {
			t.Errorf("%s: no row %q in %q", r.Changes[i].Address, want, got)
		}
	}
}

func TestMarkdownSizeLimit(t *testing.T) {
	t.Parallel()
	var changes []rc
	for i := range 40 {
		changes = append(changes, rc{Name: fmt.Sprint("a", i), Before: `{` + image1 + `}`, After: `{` + image1 + `,"author":"Jane"}`})
	}
	r := build(t, planDoc("", changes...))
	if full := r.Markdown(DefaultMaxBytes); strings.Contains(full, "left out") || strings.Count(full, "\n#### ") != 40 {
		t.Fatalf("the whole review does not fit DefaultMaxBytes:\n%s", full)
	}
	const limit = 5000
	md := r.Markdown(limit)
	if len(md) > limit {
		t.Errorf("%d bytes, over the limit of %d", len(md), limit)
	}
	kept := strings.Count(md, "\n#### ")
	m := regexp.MustCompile(`_(\d+) more resources are left out`).FindStringSubmatch(md)
	if m == nil || kept == 0 || fmt.Sprint(40-kept) != m[1] {
		t.Errorf("%d blocks kept, and the last line says %v:\n%s", kept, m, md)
	}
	if !strings.HasPrefix(md, Marker+"\n") || !strings.Contains(md, "`datocms_upload.a0`") {
		t.Errorf("the review does not start with the marker and the first asset:\n%s", md)
	}
}

func TestSummaryAndWhatIsLeftOut(t *testing.T) {
	t.Parallel()
	upload := `{` + image1 + `}`
	r := build(t, planDoc("",
		rc{Name: "new", Actions: `["create"]`, After: upload, Unknown: `{"id":true,"url":true}`},
		rc{Name: "file", Before: upload, After: `{` + image1 + `,"md5":"bbb"}`},
		rc{Name: "meta", Before: upload, After: `{` + image1 + `,"notes":"n"}`},
		rc{Name: "gone", Actions: `["delete"]`, Before: upload},
		rc{Name: "again", Actions: `["delete","create"]`, Before: upload, After: upload, Unknown: `{"id":true}`},
		rc{Type: typeCollection, Name: "c", Actions: `["create"]`, After: `{"label":"New"}`},
		rc{Name: "same", Actions: `["no-op"]`, Before: upload, After: upload},
		rc{Type: "aws_s3_object", Name: "x", Actions: `["create"]`, After: `{}`},
	))
	if got, want := r.Summary(), "1 new, 1 changed file, 1 metadata-only, 1 destroyed, 1 replaced, 1 collection change"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	var addresses []string
	for _, a := range r.Changes {
		addresses = append(addresses, a.Address)
	}
	want := []string{"datocms_upload.new", "datocms_upload.file", "datocms_upload.meta", "datocms_upload.gone",
		"datocms_upload.again", "datocms_upload_collection.c"}
	if diff := cmp.Diff(want, addresses); diff != "" {
		t.Errorf("assets (-want +got):\n%s", diff)
	}
	if got := rows(r.Changes[4]); !slices.Contains(got, "Note: a new upload replaces this one, under a new ID: "+
		"records that link to it will point at a missing asset") {
		t.Errorf("replace rows: %q", got)
	}

	empty := build(t, planDoc("", rc{Name: "same", Actions: `["no-op"]`, Before: upload, After: upload}))
	md := empty.Markdown(DefaultMaxBytes)
	if !strings.Contains(md, "**0 new, 0 changed files, 0 metadata-only, 0 destroyed**") || !strings.Contains(md, "No DatoCMS asset changes") {
		t.Errorf("review of a plan without changes:\n%s", md)
	}
}

func TestThumbnails(t *testing.T) {
	t.Parallel()
	pdf := `"id":"u1","filename":"a.pdf","format":"pdf","size":10,"md5":"aaa","url":"https://x.test/a.pdf","is_image":false`
	r := build(t, planDoc("",
		rc{Name: "pdf", Before: `{` + pdf + `}`, After: `{` + pdf + `,"notes":"n"}`},
		rc{Name: "query", Before: `{` + image1 + `,"url":"https://x.test/a.png?v=2"}`, After: `{` + image1 + `,"url":"https://x.test/a.png?v=2","notes":"n"}`},
		rc{Name: "script", Before: `{` + image1 + `,"url":"javascript:alert(1)"}`, After: `{` + image1 + `,"url":"javascript:alert(1)","notes":"n"}`},
	))
	for i, want := range []Image{
		{Note: "not an image"},
		{URL: "https://x.test/a.png?v=2&" + thumbnailParams},
		{Note: "no preview"},
	} {
		if got := r.Changes[i].Before; got != want {
			t.Errorf("%s: before %+v, want %+v", r.Changes[i].Address, got, want)
		}
	}
	if out := renderBoth(t, r); strings.Contains(out, "javascript:") {
		t.Errorf("a javascript: URL is in the review:\n%s", out)
	}
}

func TestRecords(t *testing.T) {
	t.Parallel()
	upload := `{` + image1 + `}`
	r := build(t, planDoc("",
		rc{Name: "a", Before: upload, After: `{` + image1 + `,"notes":"n"}`},
		rc{Name: "new", Actions: `["create"]`, After: upload, Unknown: `{"id":true}`},
		rc{Name: "b", Actions: `["delete"]`, Before: `{` + strings.Replace(image1, `"u1"`, `"u2"`, 1) + `}`},
	))
	calls := map[string]int{}
	r.AddRecords(context.Background(), func(_ context.Context, id string) ([]datocms.Reference, error) {
		calls[id]++
		if id == "u2" {
			return nil, errors.New("403 Forbidden")
		}
		var refs []datocms.Reference
		for i := range 12 {
			refs = append(refs, datocms.Reference{RecordID: fmt.Sprint("r", i), Model: "page", ModelID: "m1"})
		}
		refs[0].Model = ""
		return refs, nil
	})
	if diff := cmp.Diff(map[string]int{"u1": 1, "u2": 1}, calls); diff != "" {
		t.Errorf("lookups (-want +got):\n%s", diff)
	}
	want := "Used by: 12 records (current or published version): r0 (item type m1), r1 (page), r2 (page), r3 (page), " +
		"r4 (page), r5 (page), r6 (page), r7 (page), r8 (page), r9 (page) and 2 more"
	if got := rows(r.Changes[0]); !slices.Contains(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	if got := rows(r.Changes[1]); strings.Contains(strings.Join(got, "\n"), "Used by") {
		t.Errorf("a new upload has records: %q", got)
	}
	if got := rows(r.Changes[2]); !slices.Contains(got, "Used by: (the records could not be looked up: 403 Forbidden)") {
		t.Errorf("rows %q", got)
	}
}

func TestHTMLPictures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.png", testImage(t, 4, 4, 0, "png"))
	write("a.txt", []byte("hello"))
	write("big.png", append(testImage(t, 4, 4, 0, "png"), make([]byte, maxEmbedBytes)...))
	for _, tc := range []struct {
		img       Image
		data, url string
		note      string
	}{
		{img: Image{File: "a.png"}, data: "data:image/png;base64,"},
		{img: Image{File: filepath.Join(dir, "a.png")}, data: "data:image/png;base64,"},
		{img: Image{File: "a.txt"}, note: "not shown: not an image (text/plain; charset=utf-8)"},
		{img: Image{File: "big.png"}, note: "not shown: 4.0 MiB is larger than the 4.0 MiB an HTML review embeds"},
		{img: Image{File: "missing.png"}, note: "not shown: stat " + filepath.Join(dir, "missing.png") + ": no such file or directory"},
		{img: Image{URL: "https://x.test/a.png"}, url: "https://x.test/a.png"},
		{img: Image{Note: "deleted"}, note: "deleted"},
	} {
		got := picture(tc.img, dir)
		if !strings.HasPrefix(string(got.Data), tc.data) || (tc.data == "") != (got.Data == "") || got.URL != tc.url || got.Note != tc.note {
			t.Errorf("picture(%+v) = %.60v, want data %q, url %q, note %q", tc.img, got, tc.data, tc.url, tc.note)
		}
	}
}

func TestHTMLEscapes(t *testing.T) {
	t.Parallel()
	r := build(t, planDoc("", rc{Name: "a", Before: `{` + image1 + `}`, After: `{` + image1 + `,"notes":"<script>alert(1)</script>"}`}))
	var b bytes.Buffer
	if err := r.HTML(&b, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script>") || !strings.Contains(b.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("notes are not escaped:\n%s", b.String())
	}
}

func TestMarkdownCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain", "`plain`"},
		{"a `tick` b", "``a `tick` b``"},
		{"a `tick`", "`` a `tick` ``"},
		{"`start", "`` `start ``"},
		{"two\nlines", "`two⏎lines`"},
		{"<img src=x> | *b*", "`<img src=x> | *b*`"},
		{strings.Repeat("x", maxCodeRunes+5), "`" + strings.Repeat("x", maxCodeRunes) + "…`"},
	} {
		if got := mdCode(tc.in); got != tc.want {
			t.Errorf("mdCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := mdEscape("a_b *c* <d> [e]"), `a\_b \*c\* \<d\> \[e\]`; got != want {
		t.Errorf("mdEscape = %q, want %q", got, want)
	}
}

func TestParseRefusesWhatIsNotAPlan(t *testing.T) {
	t.Parallel()
	for input, want := range map[string]string{
		"":                                     "the input is empty",
		"PK\x03\x04binary":                     "binary plan file",
		"{not json":                            "not a Terraform plan",
		`{"terraform_version":"1"}`:            "format version is missing",
		`{"format_version":"1.0","values":{}}`: "no planned_values",
	} {
		_, err := Parse([]byte(input))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", input, err, want)
		}
	}
}
