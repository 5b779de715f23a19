package provider

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

func ptr[T any](v T) *T { return &v }

func pngHead(t *testing.T, w, h int) string {
	t.Helper()
	path := writePNG(t, filepath.Join(t.TempDir(), "p.png"), 1, w, h)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPredictContent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		head    string
		ext     string
		want    fileFacts
		comment string
	}{
		{pngHead(t, 7, 3), ".jpg", fileFacts{Format: "png", MimeType: "image/png", Kind: kindRaster, Width: 7, Height: 3}, "the content wins over a misleading extension"},
		{"GIF89a\x05\x00\x02\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff", ".gif", fileFacts{Format: "gif", MimeType: "image/gif", Kind: kindRaster, Width: 5, Height: 2}, ""},
		{"\x89PNG\r\n\x1a\n....", ".png", fileFacts{}, "an image signature whose header does not decode: nothing is certain"},
		{"\xFF\xD8\xFF\xE0", ".txt", fileFacts{}, "a JPEG signature is never taken for text"},
		{"hello", ".TXT", fileFacts{Format: "txt", MimeType: "text/plain", Kind: kindDocument}, "extensions are case-insensitive"},
		{"%PDF-1.7", ".pdf", fileFacts{Format: "pdf", MimeType: "application/pdf", Kind: kindDocument}, ""},
		{"<svg>", ".svg", fileFacts{}, "not predicted: left unknown in the plan"},
		{"\x00\x01", "", fileFacts{}, "no extension, no signature"},
	} {
		if got := predictContent([]byte(tc.head), tc.ext); got != tc.want {
			t.Errorf("predictContent(%.12q, %q) = %+v; want %+v (%s)", tc.head, tc.ext, got, tc.want, tc.comment)
		}
	}
}

func TestLocalFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "a.txt")
	writeFile(t, name, []byte("hello"))
	files := newTestLocalFiles(false, nil)

	f1, err := files.facts(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f1.MD5 != "5d41402abc4b2a76b9719d911017c592" || f1.Size != 5 || f1.Format != "txt" || !f1.Stat.complete() {
		t.Fatalf("facts = %+v", f1)
	}

	// A new version is hashed again, not served from the cache.
	writeFile(t, name, []byte("hello, world"))
	f2, err := files.facts(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f2.MD5 == f1.MD5 || f2.Size != 12 {
		t.Fatalf("changed file not rehashed: %+v", f2)
	}

	if _, err := files.facts(filepath.Join(dir, "missing.txt"), nil); !errors.Is(err, errSourceMissing) {
		t.Errorf("missing file: err = %v, want errSourceMissing", err)
	}
	if _, err := files.facts(dir, nil); err == nil {
		t.Errorf("a directory was accepted as source")
	}
}

func newTestLocalFiles(alwaysHash bool, disk *hashCache) *localFiles {
	return &localFiles{alwaysHash: alwaysHash, disk: disk, seen: map[string]fileFacts{}}
}

// TestLocalFiles_TrustsRecordOfSameVersion: a record from an earlier process is used without
// reading the file while size, mtime, ctime, inode and device all match. The records below
// carry a made-up md5, so an answer with it proves the file was not read.
func TestLocalFiles_TrustsRecordOfSameVersion(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "a.bin")
	writeFile(t, name, []byte("version one"))
	hashed, err := newTestLocalFiles(false, nil).facts(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	recorded := newFileRecord(name, hashed)
	recorded.Facts.MD5 = "recorded-not-read"

	if got, _ := newTestLocalFiles(false, nil).facts(name, &recorded); got.MD5 != "recorded-not-read" {
		t.Errorf("same version: md5 %s, want the recorded one (no read)", got.MD5)
	}
	if got, _ := newTestLocalFiles(true, nil).facts(name, &recorded); got.MD5 != hashed.MD5 {
		t.Errorf("always_hash_files: md5 %s, want the file's %s", got.MD5, hashed.MD5)
	}
	other := recorded
	other.Path += ".elsewhere"
	if got, _ := newTestLocalFiles(false, nil).facts(name, &other); got.MD5 != hashed.MD5 {
		t.Errorf("record of another path trusted: md5 %s", got.MD5)
	}

	// Same size, and the modification time set back: only the change time tells. It moves
	// on every write, and no user can set it back.
	mtime := time.Unix(0, hashed.Stat.ModNS)
	time.Sleep(10 * time.Millisecond)
	writeFile(t, name, []byte("version two"))
	if err := os.Chtimes(name, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	got, err := newTestLocalFiles(false, nil).facts(name, &recorded)
	if err != nil {
		t.Fatal(err)
	}
	if got.MD5 == "recorded-not-read" || got.MD5 == hashed.MD5 || got.Stat.ModNS != hashed.Stat.ModNS {
		t.Errorf("edited file with its mtime set back: md5 %s (recorded %s, before %s)", got.MD5, recorded.Facts.MD5, hashed.MD5)
	}
}

// TestLocalFiles_DiskCacheHandsOverLargeFiles: the process that plans a new upload and the
// one that applies it share the hash through the cache on disk, for large files only.
func TestLocalFiles_DiskCacheHandsOverLargeFiles(t *testing.T) {
	t.Parallel()
	cache := &hashCache{dir: t.TempDir()}
	dir := t.TempDir()
	large, small := filepath.Join(dir, "large.bin"), filepath.Join(dir, "small.bin")
	writeFile(t, large, make([]byte, minCachedSize))
	writeFile(t, small, []byte("small"))
	for _, name := range []string{large, small} {
		if _, err := newTestLocalFiles(false, cache).facts(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(cache.dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache holds %d entries (%v), want one: the large file", len(entries), err)
	}
	// Tamper with the entry: a later process must take it as it is, without reading the file.
	entry := filepath.Join(cache.dir, entries[0].Name())
	raw, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, entry, []byte(strings.Replace(string(raw), `"md5":"`, `"md5":"cached-`, 1)))
	if got, _ := newTestLocalFiles(false, cache).facts(large, nil); !strings.HasPrefix(got.MD5, "cached-") {
		t.Errorf("the next process hashed the file again: md5 %s", got.MD5)
	}
	if got, _ := newTestLocalFiles(true, nil).facts(large, nil); strings.HasPrefix(got.MD5, "cached-") {
		t.Errorf("always_hash_files used the cache")
	}
	// A new version never matches the old entry.
	writeFile(t, large, append(make([]byte, minCachedSize), 1))
	if got, _ := newTestLocalFiles(false, cache).facts(large, nil); strings.HasPrefix(got.MD5, "cached-") {
		t.Errorf("a new version was served from the cache")
	}
}

func focal(x, y float64) *focalPointModel {
	return &focalPointModel{X: types.Float64Value(x), Y: types.Float64Value(y)}
}

func metadataValue(t *testing.T, locales map[string]localeMetadataModel) types.Map {
	t.Helper()
	v, diags := types.MapValueFrom(context.Background(), localeMetadataType, locales)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return v
}

func locale(alt string, fp *focalPointModel) localeMetadataModel {
	a := types.StringNull()
	if alt != "" {
		a = types.StringValue(alt)
	}
	return localeMetadataModel{Alt: a, Title: types.StringNull(), CustomData: types.MapNull(types.StringType), FocalPoint: fp}
}

func TestMetadataFromAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	remote := datocms.FieldMetadata{
		Locales: map[string]datocms.LocaleMetadata{
			"en": {Alt: ptr("Fox")},
			"it": {Alt: nil, Title: ptr(""), CustomData: map[string]any{}}, // only blanks: left out
			"de": {CustomData: map[string]any{"n": 3.0, "s": "x"}},
		},
		FocalPoint: &datocms.FocalPoint{X: 0.2, Y: 0.4},
	}
	for name, tc := range map[string]struct {
		prior types.Map
		want  map[string]localeMetadataModel
	}{
		"focal point stays on the locales that configure it": {
			prior: metadataValue(t, map[string]localeMetadataModel{"en": locale("Fox", nil), "it": locale("", focal(0.9, 0.9))}),
			want: map[string]localeMetadataModel{
				"en": locale("Fox", nil),
				"it": locale("", focal(0.2, 0.4)),
				"de": {Alt: types.StringNull(), Title: types.StringNull(), CustomData: types.MapValueMust(types.StringType,
					map[string]attr.Value{"n": types.StringValue("3"), "s": types.StringValue("x")})},
			},
		},
		"after an import the focal point goes to the first locale": {
			prior: types.MapNull(localeMetadataType),
			want: map[string]localeMetadataModel{
				"de": {Alt: types.StringNull(), Title: types.StringNull(), CustomData: types.MapValueMust(types.StringType,
					map[string]attr.Value{"n": types.StringValue("3"), "s": types.StringValue("x")}), FocalPoint: focal(0.2, 0.4)},
				"en": locale("Fox", nil),
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, diags := metadataFromAPI(ctx, remote, tc.prior)
			if diags.HasError() {
				t.Fatal(diags)
			}
			want := metadataValue(t, tc.want)
			if !got.Equal(want) {
				t.Errorf("metadataFromAPI:\n got %s\nwant %s", got, want)
			}
		})
	}

	t.Run("nothing remote keeps the prior empty representation", func(t *testing.T) {
		empty := types.MapValueMust(localeMetadataType, map[string]attr.Value{})
		got, _ := metadataFromAPI(ctx, datocms.FieldMetadata{}, empty)
		if !got.Equal(empty) {
			t.Errorf("got %s, want {}", got)
		}
		got, _ = metadataFromAPI(ctx, datocms.FieldMetadata{}, types.MapNull(localeMetadataType))
		if !got.IsNull() {
			t.Errorf("got %s, want null", got)
		}
	})
}

func TestSharedFocalPoint(t *testing.T) {
	t.Parallel()
	fp, err := sharedFocalPoint(map[string]localeMetadataModel{"en": locale("", focal(0.1, 0.2)), "it": locale("x", nil), "de": locale("", focal(0.1, 0.2))})
	if err != nil || fp == nil || *fp != (datocms.FocalPoint{X: 0.1, Y: 0.2}) {
		t.Fatalf("agreeing locales: %v, %v", fp, err)
	}
	_, err = sharedFocalPoint(map[string]localeMetadataModel{"en": locale("", focal(0.1, 0.2)), "it": locale("", focal(0.3, 0.2))})
	if err == nil || !containsAll(err.Error(), `"en"`, `"it"`, "one focal point per asset") {
		t.Fatalf("conflict error = %v", err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestPlanComputed pins which computed values a plan leaves unknown for each kind of change.
func TestPlanComputed(t *testing.T) {
	t.Parallel()
	state := uploadResourceModel{
		ID: types.StringValue("id1"), CreatedAt: types.StringValue("2026-01-01T00:00:00Z"),
		MD5: types.StringValue("old"), Size: types.Int64Value(10), Format: types.StringValue("png"), MimeType: types.StringValue("image/png"),
		URL: types.StringValue("u"), Path: types.StringValue("p"), Filename: types.StringValue("f.png"),
		Width: types.Int64Value(1), Height: types.Int64Value(1), IsImage: types.BoolValue(true),
		Blurhash: types.StringValue("b"), Thumbhash: types.StringValue("t"), Basename: types.StringValue("f"),
		ReplaceStrategy: types.StringValue(replaceStrategyCreateNewURL),
	}
	same := &fileFacts{MD5: "old", Size: 10, Format: "png", MimeType: "image/png"}
	changed := &fileFacts{MD5: "new", Size: 20, Format: "gif", MimeType: "image/gif"}
	raster := &fileFacts{MD5: "new", Size: 20, Format: "gif", MimeType: "image/gif", Kind: kindRaster, Width: 4, Height: 2}
	document := &fileFacts{MD5: "new", Size: 20, Format: "pdf", MimeType: "application/pdf", Kind: kindDocument}

	unknowns := func(m uploadResourceModel) []string {
		var out []string
		for name, v := range map[string]attr.Value{
			"id": m.ID, "created_at": m.CreatedAt, "md5": m.MD5, "size": m.Size, "format": m.Format, "mime_type": m.MimeType,
			"url": m.URL, "path": m.Path, "filename": m.Filename, "width": m.Width, "height": m.Height, "is_image": m.IsImage,
			"blurhash": m.Blurhash, "thumbhash": m.Thumbhash, "basename": m.Basename,
		} {
			if v.IsUnknown() {
				out = append(out, name)
			}
		}
		return sorted(out)
	}
	for name, tc := range map[string]struct {
		config   uploadResourceModel
		strategy string
		local    *fileFacts
		want     []string
	}{
		"metadata only":          {local: same, want: nil},
		"rename":                 {config: uploadResourceModel{Basename: types.StringValue("g")}, local: same, want: []string{"path", "url"}},
		"new file":               {local: changed, want: []string{"basename", "blurhash", "filename", "height", "is_image", "path", "thumbhash", "url", "width"}},
		"new file, basename set": {config: uploadResourceModel{Basename: types.StringValue("f"), Source: types.StringValue("x/new.GIF")}, local: changed, want: []string{"blurhash", "height", "is_image", "path", "thumbhash", "url", "width"}},
		"new file, keep_url":     {strategy: replaceStrategyKeepURL, local: changed, want: []string{"blurhash", "height", "is_image", "thumbhash", "width"}},
		"new raster file":        {local: raster, want: []string{"basename", "blurhash", "filename", "path", "thumbhash", "url"}},
		"new document file":      {local: document, want: []string{"basename", "filename", "path", "url"}},
		"file not written yet":   {local: nil, want: []string{"basename", "blurhash", "filename", "format", "height", "is_image", "md5", "mime_type", "path", "size", "thumbhash", "url", "width"}},
	} {
		t.Run(name, func(t *testing.T) {
			config := tc.config
			if config.Basename.IsUnknown() || (config.Basename == types.String{}) {
				config.Basename = types.StringNull()
			}
			plan := state
			plan.ReplaceStrategy = types.StringValue(replaceStrategyCreateNewURL)
			if tc.strategy != "" {
				plan.ReplaceStrategy = types.StringValue(tc.strategy)
			}
			if !config.Basename.IsNull() {
				plan.Basename = config.Basename
			}
			planComputed(&plan, config, &state, tc.local)
			if diff := cmp.Diff(tc.want, unknowns(plan)); diff != "" {
				t.Errorf("unknown attributes (-want +got):\n%s", diff)
			}
			if tc.local != nil && plan.MD5.ValueString() != tc.local.MD5 {
				t.Errorf("md5 planned %s, want %s", plan.MD5, tc.local.MD5)
			}
			if tc.local == changed && (plan.Size.ValueInt64() != 20 || plan.Format.ValueString() != "gif") {
				t.Errorf("size/format planned %s/%s, want the local file's", plan.Size, plan.Format)
			}
			switch {
			case name == "rename" && plan.Filename.ValueString() != "g.png":
				t.Errorf("renamed filename planned %s, want g.png (the current extension)", plan.Filename)
			case name == "new file, basename set" && plan.Filename.ValueString() != "f.gif":
				t.Errorf("filename planned %s, want f.gif (basename and the new file's extension)", plan.Filename)
			case tc.local == raster && (!plan.IsImage.ValueBool() || plan.Width.ValueInt64() != 4 || plan.Height.ValueInt64() != 2):
				t.Errorf("raster planned is_image %s, %sx%s", plan.IsImage, plan.Width, plan.Height)
			case tc.local == document && (plan.IsImage.ValueBool() || !plan.Width.IsNull() || !plan.Blurhash.IsNull() || !plan.Thumbhash.IsNull()):
				t.Errorf("document planned is_image %s, width %s, blurhash %s", plan.IsImage, plan.Width, plan.Blurhash)
			}
		})
	}
}
