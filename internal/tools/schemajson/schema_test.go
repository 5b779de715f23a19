package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/zclconf/go-cty/cty"
)

var update = flag.Bool("update", false, "rewrite testdata/handbuilt.json from the converter's output")

// TestConvertHandBuilt converts the hand-built schema (identity and list resource included)
// and compares the result with testdata/handbuilt.json, which is what Terraform 1.15.9
// writes for it: TestMatchesTerraform checks that file's content against Terraform itself,
// by serving the same schema, whenever a Terraform 1.14 or later is available.
func TestConvertHandBuilt(t *testing.T) {
	got, err := export(t.Context(), stubServer{}, defaultAddress)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "handbuilt.json")
	if *update {
		var indented bytes.Buffer
		if err := json.Indent(&indented, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, indented.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(parseJSON(t, want), parseJSON(t, got)); diff != "" {
		t.Errorf("converted schema differs from %s (-want +got):\n%s", golden, diff)
	}

	// Terraform writes compact JSON and a newline; so does export.
	if bytes.Count(got, []byte("\n")) != 1 || !bytes.HasSuffix(got, []byte("\n")) {
		t.Errorf("output is not one line of JSON: %.200s", got)
	}
}

// TestConvertReadByTFJSON checks that terraform-json, which tfplugindocs reads the file
// with, finds the identity and list-resource schemas that tfplugindocs renders.
func TestConvertReadByTFJSON(t *testing.T) {
	data, err := export(t.Context(), stubServer{}, defaultAddress)
	if err != nil {
		t.Fatal(err)
	}
	var schemas tfjson.ProviderSchemas
	if err := json.Unmarshal(data, &schemas); err != nil {
		t.Fatalf("terraform-json cannot read the document: %v", err)
	}
	ps := schemas.Schemas[defaultAddress]
	if ps == nil {
		t.Fatalf("no schema under %q: %v", defaultAddress, schemas.Schemas)
	}

	id := ps.ResourceIdentitySchemas["datocms_item"]
	if id == nil || id.Version != 3 || len(id.Attributes) != 3 {
		t.Fatalf("identity of datocms_item = %+v", id)
	}
	if a := id.Attributes["id"]; !a.RequiredForImport || a.OptionalForImport || a.Description != "The item ID." || !a.IdentityType.Equals(cty.String) {
		t.Errorf("identity attribute id = %+v", a)
	}
	if a := id.Attributes["environment"]; a.RequiredForImport || !a.OptionalForImport {
		t.Errorf("identity attribute environment = %+v", a)
	}
	if _, ok := ps.ResourceIdentitySchemas["datocms_thing"]; ok {
		t.Error("datocms_thing is a data source, yet has a resource identity schema")
	}

	list := ps.ListResourceSchemas["datocms_item"]
	if list == nil || list.Version != 1 || list.Block.DescriptionKind != tfjson.SchemaDescriptionKindMarkdown {
		t.Fatalf("list resource datocms_item = %+v", list)
	}
	if a := list.Block.Attributes["filter"]; a == nil || !a.Optional || a.Description != "Only items whose name contains this." {
		t.Errorf("list resource attribute filter = %+v", a)
	}

	item := ps.ResourceSchemas["datocms_item"].Block
	if a := item.Attributes["secret"]; a == nil || !a.WriteOnly {
		t.Errorf("attribute secret = %+v, want write-only", a)
	}
	if nt := item.Attributes["map"].AttributeNestedType; nt == nil || nt.NestingMode != tfjson.SchemaNestingModeMap || nt.Attributes["inner"].AttributeNestedType == nil {
		t.Errorf("nested attribute map = %+v", nt)
	}
	if bt := item.NestedBlocks["rule"]; bt == nil || bt.NestingMode != tfjson.SchemaNestingModeList || bt.MinItems != 1 || bt.MaxItems != 3 {
		t.Errorf("block rule = %+v", bt)
	}
}

// TestExportProvider exports this provider's schema, as make docs-check does.
func TestExportProvider(t *testing.T) {
	data, err := export(t.Context(), datocmsServer(), defaultAddress)
	if err != nil {
		t.Fatal(err)
	}
	var schemas tfjson.ProviderSchemas
	if err := json.Unmarshal(data, &schemas); err != nil {
		t.Fatal(err)
	}
	ps := schemas.Schemas[defaultAddress]
	if ps == nil || ps.ConfigSchema == nil || ps.ResourceSchemas["datocms_upload"] == nil {
		t.Fatalf("schema of %s lacks the provider or datocms_upload: %s", defaultAddress, data)
	}
}

func TestConvertErrors(t *testing.T) {
	broken := func(edit func(*tfprotov6.GetProviderSchemaResponse)) *tfprotov6.GetProviderSchemaResponse {
		resp := handBuiltSchema()
		edit(resp)
		return resp
	}
	for _, tc := range []struct {
		name string
		resp *tfprotov6.GetProviderSchemaResponse
		ids  *tfprotov6.GetResourceIdentitySchemasResponse
		want string
	}{
		{"no response", nil, nil, "no response"},
		{"error diagnostic", broken(func(r *tfprotov6.GetProviderSchemaResponse) {
			r.Diagnostics = []*tfprotov6.Diagnostic{
				{Severity: tfprotov6.DiagnosticSeverityWarning, Summary: "just a warning"},
				{Severity: tfprotov6.DiagnosticSeverityError, Summary: "broken schema", Detail: "details"},
			}
		}), nil, "GetProviderSchema: broken schema: details"},
		{"identity error diagnostic", handBuiltSchema(), &tfprotov6.GetResourceIdentitySchemasResponse{
			Diagnostics: []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: "no identity"}},
		}, "GetResourceIdentitySchemas: no identity"},
		{"no provider schema", broken(func(r *tfprotov6.GetProviderSchemaResponse) { r.Provider = nil }), nil, "no provider schema"},
		{"nil resource schema", broken(func(r *tfprotov6.GetProviderSchemaResponse) { r.ResourceSchemas["datocms_nil"] = nil }), nil, `resource "datocms_nil": schema is missing`},
		{"nil block", broken(func(r *tfprotov6.GetProviderSchemaResponse) { r.ListResourceSchemas["datocms_item"].Block = nil }), nil, `list resource "datocms_item": block is missing`},
		{"nil nested block", broken(func(r *tfprotov6.GetProviderSchemaResponse) {
			r.ResourceSchemas["datocms_item"].Block.BlockTypes[0].Block = nil
		}), nil, `resource "datocms_item": block "timeouts": block is missing`},
		{"negative version", broken(func(r *tfprotov6.GetProviderSchemaResponse) { r.DataSourceSchemas["datocms_thing"].Version = -1 }), nil, "negative schema version -1"},
		{"function without return", broken(func(r *tfprotov6.GetProviderSchemaResponse) { r.Functions["noop"].Return = nil }), nil, `function "noop": return is missing`},
		{"parameter without type", broken(func(r *tfprotov6.GetProviderSchemaResponse) { r.Functions["parse_id"].Parameters[1].Type = nil }), nil, `function "parse_id": parameter 1: type is missing`},
		{"action without schema", broken(func(r *tfprotov6.GetProviderSchemaResponse) { r.ActionSchemas["datocms_notify"].Schema = nil }), nil, `action "datocms_notify": schema is missing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := convert(defaultAddress, tc.resp, tc.ids)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("convert error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func parseJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%.500s", err, data)
	}
	return v
}
