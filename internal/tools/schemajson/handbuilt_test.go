package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// handBuiltSchema is a provider schema that uses every part of the format that convert
// handles, resource identity and a list resource included, for the unit test (against
// testdata/handbuilt.json) and, served by stubServer, for the comparison with Terraform. It
// is valid for Terraform (configschema's InternalValidate), which refuses invalid schemas.
func handBuiltSchema() *tfprotov6.GetProviderSchemaResponse {
	str := func(name, description string, set func(*tfprotov6.SchemaAttribute)) *tfprotov6.SchemaAttribute {
		a := &tfprotov6.SchemaAttribute{Name: name, Type: tftypes.String, Description: description}
		set(a)
		return a
	}
	optional := func(a *tfprotov6.SchemaAttribute) { a.Optional = true }
	computed := func(a *tfprotov6.SchemaAttribute) { a.Computed = true }
	required := func(a *tfprotov6.SchemaAttribute) { a.Required = true }

	return &tfprotov6.GetProviderSchemaResponse{
		Provider: &tfprotov6.Schema{
			Block: &tfprotov6.SchemaBlock{
				Description:     "A hand-built provider, in **Markdown**.",
				DescriptionKind: tfprotov6.StringKindMarkdown,
				Attributes: []*tfprotov6.SchemaAttribute{
					str("api_token", "Token.", func(a *tfprotov6.SchemaAttribute) { a.Optional, a.Sensitive = true, true }),
					str("endpoint", "Old endpoint.", func(a *tfprotov6.SchemaAttribute) {
						a.Optional, a.Deprecated, a.DeprecationMessage = true, true, "Use `base_url` instead."
					}),
				},
			},
		},
		// ProviderMeta is not part of Terraform's JSON.
		ProviderMeta: &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{
			Attributes: []*tfprotov6.SchemaAttribute{str("module_name", "", optional)},
		}},
		ResourceSchemas: map[string]*tfprotov6.Schema{
			"datocms_item": {
				Version: 2,
				Block: &tfprotov6.SchemaBlock{
					Version:         2,
					Description:     "An item.",
					DescriptionKind: tfprotov6.StringKindPlain,
					Attributes: []*tfprotov6.SchemaAttribute{
						str("id", "ID.", computed),
						str("name", "The `name`.", func(a *tfprotov6.SchemaAttribute) {
							a.Required, a.DescriptionKind = true, tfprotov6.StringKindMarkdown
						}),
						str("secret", "Never stored.", func(a *tfprotov6.SchemaAttribute) { a.Optional, a.WriteOnly = true, true }),
						str("old_name", "Old.", func(a *tfprotov6.SchemaAttribute) {
							a.Optional, a.Deprecated, a.DeprecationMessage = true, true, "Use name."
						}),
						{Name: "tags", Type: tftypes.Set{ElementType: tftypes.String}, Optional: true},
						{Name: "labels", Type: tftypes.Map{ElementType: tftypes.String}, Optional: true, Computed: true},
						{Name: "sizes", Type: tftypes.List{ElementType: tftypes.Number}, Computed: true},
						{Name: "pair", Type: tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Bool}}, Optional: true},
						{Name: "settings", Optional: true, Type: tftypes.Object{
							AttributeTypes:     map[string]tftypes.Type{"mode": tftypes.String, "level": tftypes.Number},
							OptionalAttributes: map[string]struct{}{"level": {}},
						}},
						{Name: "anything", Type: tftypes.DynamicPseudoType, Optional: true},
						{Name: "single", Optional: true, NestedType: &tfprotov6.SchemaObject{
							Nesting: tfprotov6.SchemaObjectNestingModeSingle,
							Attributes: []*tfprotov6.SchemaAttribute{
								str("x", "X.", required),
								{Name: "y", Type: tftypes.Bool, Optional: true, Sensitive: true},
							},
						}},
						{Name: "list", Computed: true, NestedType: &tfprotov6.SchemaObject{
							Nesting:    tfprotov6.SchemaObjectNestingModeList,
							Attributes: []*tfprotov6.SchemaAttribute{{Name: "z", Type: tftypes.Number, Computed: true}},
						}},
						{Name: "set", Optional: true, NestedType: &tfprotov6.SchemaObject{
							Nesting:    tfprotov6.SchemaObjectNestingModeSet,
							Attributes: []*tfprotov6.SchemaAttribute{str("s", "", optional)},
						}},
						{Name: "map", Optional: true, Description: "Per locale.", NestedType: &tfprotov6.SchemaObject{
							Nesting: tfprotov6.SchemaObjectNestingModeMap,
							Attributes: []*tfprotov6.SchemaAttribute{
								{Name: "alts", Type: tftypes.List{ElementType: tftypes.String}, Optional: true},
								{Name: "inner", Optional: true, NestedType: &tfprotov6.SchemaObject{
									Nesting:    tfprotov6.SchemaObjectNestingModeSingle,
									Attributes: []*tfprotov6.SchemaAttribute{str("deep", "", optional)},
								}},
							},
						}},
					},
					BlockTypes: []*tfprotov6.SchemaNestedBlock{
						{TypeName: "timeouts", Nesting: tfprotov6.SchemaNestedBlockNestingModeSingle, Block: &tfprotov6.SchemaBlock{
							Attributes: []*tfprotov6.SchemaAttribute{str("create", "", optional)},
						}},
						{TypeName: "rule", Nesting: tfprotov6.SchemaNestedBlockNestingModeList, MinItems: 1, MaxItems: 3, Block: &tfprotov6.SchemaBlock{
							Description: "A rule.",
							Attributes:  []*tfprotov6.SchemaAttribute{str("match", "", required)},
							BlockTypes: []*tfprotov6.SchemaNestedBlock{
								{TypeName: "condition", Nesting: tfprotov6.SchemaNestedBlockNestingModeSet, Block: &tfprotov6.SchemaBlock{
									Attributes: []*tfprotov6.SchemaAttribute{str("test", "", optional)},
								}},
							},
						}},
						{TypeName: "defaults", Nesting: tfprotov6.SchemaNestedBlockNestingModeGroup, Block: &tfprotov6.SchemaBlock{
							Attributes: []*tfprotov6.SchemaAttribute{str("color", "", optional)},
						}},
						{TypeName: "by_key", Nesting: tfprotov6.SchemaNestedBlockNestingModeMap, Block: &tfprotov6.SchemaBlock{
							Attributes: []*tfprotov6.SchemaAttribute{str("value", "", optional)},
						}},
						{TypeName: "legacy", Nesting: tfprotov6.SchemaNestedBlockNestingModeSingle, MinItems: 1, MaxItems: 1, Block: &tfprotov6.SchemaBlock{
							Deprecated:         true,
							DeprecationMessage: "Remove the legacy block.",
							Attributes:         []*tfprotov6.SchemaAttribute{str("flag", "", optional)},
						}},
						{TypeName: "empty", Nesting: tfprotov6.SchemaNestedBlockNestingModeList, Block: &tfprotov6.SchemaBlock{}},
					},
				},
			},
			"datocms_plain": {Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{str("id", "", computed)},
			}},
		},
		DataSourceSchemas: map[string]*tfprotov6.Schema{
			"datocms_thing": {Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{str("id", "", required), str("value", "", computed)},
			}},
		},
		EphemeralResourceSchemas: map[string]*tfprotov6.Schema{
			"datocms_token": {Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{
					str("value", "A token.", func(a *tfprotov6.SchemaAttribute) { a.Computed, a.Sensitive = true, true }),
				},
			}},
		},
		ListResourceSchemas: map[string]*tfprotov6.Schema{
			"datocms_item": {Version: 1, Block: &tfprotov6.SchemaBlock{
				Description:     "Lists items.",
				DescriptionKind: tfprotov6.StringKindMarkdown,
				Attributes: []*tfprotov6.SchemaAttribute{
					str("filter", "Only items whose name contains this.", optional),
					{Name: "collections", Type: tftypes.List{ElementType: tftypes.String}, Optional: true},
				},
			}},
		},
		ActionSchemas: map[string]*tfprotov6.ActionSchema{
			"datocms_notify": {Schema: &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{
				Description: "Sends a notification.",
				Attributes:  []*tfprotov6.SchemaAttribute{str("message", "", required)},
			}}},
		},
		StateStoreSchemas: map[string]*tfprotov6.Schema{
			"datocms_store": {Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{str("bucket", "", required)},
			}},
		},
		Functions: map[string]*tfprotov6.Function{
			"parse_id": {
				Summary:            "Parses an ID.",
				Description:        "Parses an upload ID into its parts.",
				DescriptionKind:    tfprotov6.StringKindMarkdown,
				DeprecationMessage: "Use split_id.",
				Parameters: []*tfprotov6.FunctionParameter{
					{Name: "id", Type: tftypes.String, Description: "The ID.", AllowNullValue: true},
					{Name: "strict", Type: tftypes.Bool, AllowUnknownValues: true},
				},
				VariadicParameter: &tfprotov6.FunctionParameter{Name: "extra", Type: tftypes.DynamicPseudoType},
				Return: &tfprotov6.FunctionReturn{Type: tftypes.Object{AttributeTypes: map[string]tftypes.Type{
					"site": tftypes.String, "number": tftypes.Number,
				}}},
			},
			"noop": {Return: &tfprotov6.FunctionReturn{Type: tftypes.Bool}},
		},
	}
}

// handBuiltIdentities has the identity of datocms_item, and one of a type that is not a
// managed resource, which Terraform leaves out.
func handBuiltIdentities() *tfprotov6.GetResourceIdentitySchemasResponse {
	return &tfprotov6.GetResourceIdentitySchemasResponse{
		IdentitySchemas: map[string]*tfprotov6.ResourceIdentitySchema{
			"datocms_item": {
				Version: 3,
				IdentityAttributes: []*tfprotov6.ResourceIdentitySchemaAttribute{
					{Name: "id", Type: tftypes.String, RequiredForImport: true, Description: "The item ID."},
					{Name: "environment", Type: tftypes.String, OptionalForImport: true},
					{Name: "path", Type: tftypes.List{ElementType: tftypes.String}, OptionalForImport: true},
				},
			},
			"datocms_thing": {
				IdentityAttributes: []*tfprotov6.ResourceIdentitySchemaAttribute{
					{Name: "id", Type: tftypes.String, RequiredForImport: true},
				},
			},
		},
	}
}

// stubServer serves the hand-built schema. Terraform asks a provider for nothing else to
// write `terraform providers schema -json`; the other RPCs are left to the nil embedded
// interface and would panic.
type stubServer struct {
	tfprotov6.ProviderServer
}

func (stubServer) GetProviderSchema(context.Context, *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return handBuiltSchema(), nil
}

func (stubServer) GetResourceIdentitySchemas(context.Context, *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return handBuiltIdentities(), nil
}
