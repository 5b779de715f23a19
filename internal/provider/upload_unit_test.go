package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

func ptr[T any](v T) *T { return &v }

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
	same := &localfile.Facts{MD5: "old", Size: 10, Format: "png", MimeType: "image/png"}
	changed := &localfile.Facts{MD5: "new", Size: 20, Format: "gif", MimeType: "image/gif"}
	raster := &localfile.Facts{MD5: "new", Size: 20, Format: "gif", MimeType: "image/gif", Kind: localfile.KindRaster, Width: 4, Height: 2}
	document := &localfile.Facts{MD5: "new", Size: 20, Format: "pdf", MimeType: "application/pdf", Kind: localfile.KindDocument}

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
		local    *localfile.Facts
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
