package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
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

	t.Run(`"" must stay empty`, func(t *testing.T) {
		blank := localeMetadataModel{Alt: types.StringValue(""), Title: types.StringNull(), CustomData: types.MapNull(types.StringType)}
		prior := metadataValue(t, map[string]localeMetadataModel{"en": locale("Fox", nil), "it": blank})
		got, _ := metadataFromAPI(ctx, datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{
			"en": {Alt: ptr("Fox")}, "it": {},
		}}, prior)
		if want := prior; !got.Equal(want) {
			t.Errorf("a locale whose alt must stay empty, empty remotely:\n got %s\nwant %s", got, want)
		}
		got, _ = metadataFromAPI(ctx, datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{
			"en": {Alt: ptr("Fox")}, "it": {Alt: ptr("Volpe")},
		}}, prior)
		if want := metadataValue(t, map[string]localeMetadataModel{"en": locale("Fox", nil), "it": locale("Volpe", nil)}); !got.Equal(want) {
			t.Errorf("an alt added in the UI is read as it is (drift):\n got %s\nwant %s", got, want)
		}
	})

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
