package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// fuzzUpload is the part of an upload the fuzzer varies: every value a person or another
// API client can put in DatoCMS.
type fuzzUpload struct {
	Author, Copyright, Notes *string
	Tags                     []string
	Locales                  map[string]datocms.LocaleMetadata
	FocalPoint               *datocms.FocalPoint
	Collection               *string
}

// FuzzModelFromAPI maps arbitrary upload metadata to state, as a refresh does, and checks
// what every plan relies on: the mapping never fails, the result fits the schema (so the
// state can be saved), tags never repeat (a set), and mapping again from the result (the
// next refresh) gives the same state, so an unchanged upload never shows a diff.
func FuzzModelFromAPI(f *testing.F) {
	for _, seed := range []string{
		`{"Author":"Ann","Tags":["a","b"],"Locales":{"en":{"Alt":"x","CustomData":{"k":"v"}}},"FocalPoint":{"X":0.5,"Y":0.5}}`,
		`{"Tags":["dup","dup"],"Locales":{"it":{"Alt":"","Title":"  ","CustomData":{}}}}`,
		`{"Locales":{"en":{"CustomData":{"n":3,"o":{"deep":[1,true,null]}}}},"FocalPoint":{"X":0,"Y":1}}`,
		`{"Copyright":"","Notes":"\u0000","Collection":"c1","Locales":{"pt-BR":{"Title":"t"}}}`,
	} {
		f.Add([]byte(seed))
	}
	ctx := context.Background()
	var schemaResp resource.SchemaResponse
	NewUploadResource().Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	schema := schemaResp.Schema

	f.Fuzz(func(t *testing.T, raw []byte) {
		var in fuzzUpload
		if json.Unmarshal(raw, &in) != nil {
			return
		}
		up := &datocms.Upload{
			ID: "q0VNpiNQSkG6z0lif_O1zg", Path: "/1/a.png", Basename: "a", Filename: "a.png", URL: "https://x/1/a.png", MD5: "abc",
			Author: in.Author, Copyright: in.Copyright, Notes: in.Notes, Tags: distinctTags(in.Tags), SmartTags: []string{},
			DefaultFieldMetadata: datocms.FieldMetadata{Locales: in.Locales, FocalPoint: in.FocalPoint},
			UploadCollectionID:   in.Collection,
		}
		prior := nullModel(t, schema)
		first, diags := modelFromAPI(ctx, up, prior)
		if diags.HasError() {
			t.Fatalf("mapping failed: %v", diags)
		}
		state := tfsdk.State{Schema: schema, Raw: tftypes.NewValue(schema.Type().TerraformType(ctx), nil)}
		if diags := state.Set(ctx, first); diags.HasError() {
			t.Fatalf("state does not fit the schema: %v", diags)
		}
		var tags []string
		first.Tags.ElementsAs(ctx, &tags, false)
		seen := map[string]bool{}
		for _, tag := range tags {
			if seen[tag] {
				t.Fatalf("tag %q repeated", tag)
			}
			seen[tag] = true
		}
		second, diags := modelFromAPI(ctx, up, first)
		if diags.HasError() {
			t.Fatalf("second mapping failed: %v", diags)
		}
		if !second.DefaultFieldMetadata.Equal(first.DefaultFieldMetadata) || !second.Tags.Equal(first.Tags) ||
			!second.Author.Equal(first.Author) || !second.Copyright.Equal(first.Copyright) || !second.Notes.Equal(first.Notes) {
			t.Fatalf("a second refresh of the same upload changed the state:\nfirst  %v %v\nsecond %v %v",
				first.DefaultFieldMetadata, first.Tags, second.DefaultFieldMetadata, second.Tags)
		}
	})
}

// distinctTags de-duplicates as the client does when it decodes an upload.
func distinctTags(tags []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range tags {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// nullModel is a model whose every value is null, as the state of a just-imported upload.
func nullModel(t *testing.T, schema rschema.Schema) uploadResourceModel {
	t.Helper()
	ctx := context.Background()
	typ, ok := schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the schema is not an object")
	}
	attrs := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	var m uploadResourceModel
	if diags := (tfsdk.State{Schema: schema, Raw: tftypes.NewValue(typ, attrs)}).Get(ctx, &m); diags.HasError() {
		t.Fatal(diags)
	}
	return m
}
