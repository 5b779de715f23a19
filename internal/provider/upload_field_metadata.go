package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// default_field_metadata is modelled as the seed page shows it: a map keyed by locale of
// {alt, title, custom_data, focal_point}. DatoCMS stores one focal point per asset (API §5.3),
// so the provider keeps the single remote focal point on the locales that configure it.

type localeMetadataModel struct {
	Alt        types.String     `tfsdk:"alt"`
	Title      types.String     `tfsdk:"title"`
	CustomData types.Map        `tfsdk:"custom_data"`
	FocalPoint *focalPointModel `tfsdk:"focal_point"`
}

type focalPointModel struct {
	X types.Float64 `tfsdk:"x"`
	Y types.Float64 `tfsdk:"y"`
}

var (
	focalPointAttrTypes = map[string]attr.Type{"x": types.Float64Type, "y": types.Float64Type}
	localeMetadataType  = types.ObjectType{AttrTypes: map[string]attr.Type{
		"alt":         types.StringType,
		"title":       types.StringType,
		"custom_data": types.MapType{ElemType: types.StringType},
		"focal_point": types.ObjectType{AttrTypes: focalPointAttrTypes},
	}}
)

// metadataLocales decodes the map; it returns nil for a null or unknown map.
func metadataLocales(ctx context.Context, m types.Map) (map[string]localeMetadataModel, diag.Diagnostics) {
	if m.IsNull() || m.IsUnknown() {
		return nil, nil
	}
	out := map[string]localeMetadataModel{}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

// sharedFocalPoint returns the focal point the configured locales agree on (nil when none
// sets one), or an error naming the locales that disagree: DatoCMS keeps one per asset.
func sharedFocalPoint(locales map[string]localeMetadataModel) (*datocms.FocalPoint, error) {
	var (
		shared     *datocms.FocalPoint
		sharedFrom string
	)
	for _, loc := range sortedKeys(locales) {
		fp := locales[loc].FocalPoint
		if fp == nil || fp.X.IsUnknown() || fp.Y.IsUnknown() || fp.X.IsNull() || fp.Y.IsNull() {
			continue
		}
		cur := &datocms.FocalPoint{X: fp.X.ValueFloat64(), Y: fp.Y.ValueFloat64()}
		if shared == nil {
			shared, sharedFrom = cur, loc
			continue
		}
		if *cur != *shared {
			return nil, fmt.Errorf("locale %q sets focal_point {x = %g, y = %g} but locale %q sets {x = %g, y = %g}. "+
				"DatoCMS stores one focal point per asset, so every locale that sets focal_point must set the same value",
				sharedFrom, shared.X, shared.Y, loc, cur.X, cur.Y)
		}
	}
	return shared, nil
}

// metadataToAPI turns the configured map into the client's neutral form. Locales left out
// of the configuration are sent empty by the client, which makes the attribute authoritative.
func metadataToAPI(ctx context.Context, m types.Map) (*datocms.FieldMetadata, diag.Diagnostics) {
	locales, diags := metadataLocales(ctx, m)
	if diags.HasError() {
		return nil, diags
	}
	fp, err := sharedFocalPoint(locales)
	if err != nil {
		diags.AddError("Conflicting focal points", err.Error())
		return nil, diags
	}
	out := &datocms.FieldMetadata{Locales: map[string]datocms.LocaleMetadata{}, FocalPoint: fp}
	for loc, lm := range locales {
		custom := map[string]any{}
		for k, v := range lm.CustomData.Elements() {
			if s, ok := v.(types.String); ok {
				custom[k] = s.ValueString()
			}
		}
		out.Locales[loc] = datocms.LocaleMetadata{
			Alt:        textToAPI(lm.Alt),
			Title:      textToAPI(lm.Title),
			CustomData: custom,
		}
	}
	return out, diags
}

// equalMetadata reports whether two default_field_metadata values say the same to DatoCMS.
// Comparing the values themselves is not enough: a focal point from the configuration is a
// decimal of arbitrary precision, one read back from DatoCMS a float64, and 0.1 differs.
func equalMetadata(ctx context.Context, a, b types.Map) bool {
	if a.IsUnknown() || b.IsUnknown() {
		return a.Equal(b)
	}
	if a.IsNull() || b.IsNull() || len(a.Elements()) == 0 || len(b.Elements()) == 0 {
		return len(a.Elements()) == len(b.Elements())
	}
	ma, da := metadataToAPI(ctx, a)
	mb, db := metadataToAPI(ctx, b)
	return !da.HasError() && !db.HasError() && reflect.DeepEqual(ma, mb)
}

// metadataFromAPI builds the state value from what DatoCMS returned. prior is the plan or
// the previous state: it decides on which locales the single focal point is shown, and
// whether "nothing" is written as null or as an empty map, so that neither causes a diff.
// Remote locales holding only nulls and empty objects are left out (design §3).
func metadataFromAPI(ctx context.Context, remote datocms.FieldMetadata, prior types.Map) (types.Map, diag.Diagnostics) {
	priorLocales, diags := metadataLocales(ctx, prior)

	out := map[string]localeMetadataModel{}
	for loc, lm := range remote.Locales {
		p, watched := priorLocales[loc]
		watched = watched && (isBlank(p.Alt) || isBlank(p.Title)) // a locale that must stay empty stays listed
		alt, title := nonEmpty(lm.Alt), nonEmpty(lm.Title)
		if alt == nil && title == nil && len(lm.CustomData) == 0 && !watched {
			continue
		}
		out[loc] = localeMetadataModel{
			Alt:        textFromAPI(alt, p.Alt),
			Title:      textFromAPI(title, p.Title),
			CustomData: customDataValue(lm.CustomData, p.CustomData),
		}
	}

	if fp := remote.FocalPoint; fp != nil {
		for _, loc := range focalPointLocales(priorLocales, remote) {
			entry, ok := out[loc]
			if !ok {
				entry = localeMetadataModel{
					Alt: textFromAPI(nil, priorLocales[loc].Alt), Title: textFromAPI(nil, priorLocales[loc].Title),
					CustomData: customDataValue(nil, priorLocales[loc].CustomData),
				}
			}
			entry.FocalPoint = &focalPointModel{X: types.Float64Value(fp.X), Y: types.Float64Value(fp.Y)}
			out[loc] = entry
		}
	}

	if len(out) == 0 {
		if !prior.IsNull() && !prior.IsUnknown() {
			return types.MapValueMust(localeMetadataType, map[string]attr.Value{}), diags
		}
		return types.MapNull(localeMetadataType), diags
	}
	value, d := types.MapValueFrom(ctx, localeMetadataType, out)
	diags.Append(d...)
	return value, diags
}

// focalPointLocales picks the locales that show the asset's focal point: those that had one
// before, or else (after an import, or a focal point set in the UI) the first locale in
// alphabetical order, so that drift shows up as a change on one predictable locale.
func focalPointLocales(prior map[string]localeMetadataModel, remote datocms.FieldMetadata) []string {
	var locs []string
	for _, loc := range sortedKeys(prior) {
		if prior[loc].FocalPoint != nil {
			locs = append(locs, loc)
		}
	}
	if len(locs) > 0 {
		return locs
	}
	if all := sortedKeys(remote.Locales); len(all) > 0 {
		return all[:1]
	}
	return []string{"en"}
}

// customDataValue converts custom data to a map of strings (non-string JSON values set in
// the UI are shown JSON-encoded). Empty custom data keeps the prior representation.
func customDataValue(remote map[string]any, prior types.Map) types.Map {
	if len(remote) == 0 {
		if !prior.IsNull() && !prior.IsUnknown() && len(prior.Elements()) == 0 {
			return types.MapValueMust(types.StringType, map[string]attr.Value{})
		}
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(remote))
	for k, v := range remote {
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		elems[k] = types.StringValue(s)
	}
	return types.MapValueMust(types.StringType, elems)
}

// textFromAPI reads a text DatoCMS holds (nil when empty) against its prior value. In
// datocms_upload_metadata, "" means "must stay empty": a configuration that says "" keeps ""
// in state while DatoCMS holds nothing (DatoCMS keeps no empty strings), so a value added in
// the UI shows as drift. Elsewhere an empty text is null. (An import cannot write "" for
// empty texts: Terraform's -generate-config-out writes every optional "" as null.)
func textFromAPI(v *string, prior types.String) types.String {
	switch {
	case v != nil:
		return types.StringValue(*v)
	case isBlank(prior):
		return types.StringValue("")
	}
	return types.StringNull()
}

// isBlank reports whether v is a known "".
func isBlank(v types.String) bool { return !v.IsNull() && !v.IsUnknown() && v.ValueString() == "" }

// textToAPI is the value sent for a text: nil (clear) for null or "".
func textToAPI(v types.String) *string {
	if v.IsNull() || v.ValueString() == "" {
		return nil
	}
	return v.ValueStringPointer()
}

// nonEmpty treats "" like null: the configuration cannot hold "" (validated), so a blank
// value written in the UI reads as unset instead of as a perpetual diff.
func nonEmpty(s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
