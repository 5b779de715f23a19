package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

// The types below mirror, field by field and in the same order, those that Terraform 1.15
// marshals for `terraform providers schema -json` (internal/command/jsonprovider and
// internal/command/jsonfunction in hashicorp/terraform), so that encoding/json writes the
// document Terraform writes. terraform-json's tfjson.ProviderSchemas (v0.29.0, the newest
// release) is not used for writing because it has no deprecation_message, which Terraform
// 1.15 writes for deprecated attributes and blocks; the tests check that tfjson, which
// tfplugindocs reads the file with, parses the document.

// formatVersion is the format_version Terraform writes (the same from 1.0 to 1.15).
const formatVersion = "1.0"

type providerSchemas struct {
	FormatVersion string                     `json:"format_version"`
	Schemas       map[string]*providerSchema `json:"provider_schemas,omitempty"`
}

type providerSchema struct {
	Provider                 *schema                       `json:"provider,omitempty"`
	ResourceSchemas          map[string]*schema            `json:"resource_schemas,omitempty"`
	DataSourceSchemas        map[string]*schema            `json:"data_source_schemas,omitempty"`
	EphemeralResourceSchemas map[string]*schema            `json:"ephemeral_resource_schemas,omitempty"`
	ListResourceSchemas      map[string]*schema            `json:"list_resource_schemas,omitempty"`
	Functions                map[string]*functionSignature `json:"functions,omitempty"`
	ResourceIdentitySchemas  map[string]*identitySchema    `json:"resource_identity_schemas,omitempty"`
	ActionSchemas            map[string]*actionSchema      `json:"action_schemas,omitempty"`
	StateStoreSchemas        map[string]*schema            `json:"state_store_schemas,omitempty"`
}

type schema struct {
	Version uint64 `json:"version"`
	Block   *block `json:"block,omitempty"`
}

type block struct {
	Attributes         map[string]*attribute `json:"attributes,omitempty"`
	BlockTypes         map[string]*blockType `json:"block_types,omitempty"`
	Description        string                `json:"description,omitempty"`
	DescriptionKind    string                `json:"description_kind,omitempty"`
	Deprecated         bool                  `json:"deprecated,omitempty"`
	DeprecationMessage string                `json:"deprecation_message,omitempty"`
}

type blockType struct {
	NestingMode string `json:"nesting_mode,omitempty"`
	Block       *block `json:"block,omitempty"`
	MinItems    uint64 `json:"min_items,omitempty"`
	MaxItems    uint64 `json:"max_items,omitempty"`
}

type attribute struct {
	AttributeType       json.RawMessage `json:"type,omitempty"`
	AttributeNestedType *nestedType     `json:"nested_type,omitempty"`
	Description         string          `json:"description,omitempty"`
	DescriptionKind     string          `json:"description_kind,omitempty"`
	Deprecated          bool            `json:"deprecated,omitempty"`
	DeprecationMessage  string          `json:"deprecation_message,omitempty"`
	Required            bool            `json:"required,omitempty"`
	Optional            bool            `json:"optional,omitempty"`
	Computed            bool            `json:"computed,omitempty"`
	Sensitive           bool            `json:"sensitive,omitempty"`
	WriteOnly           bool            `json:"write_only,omitempty"`
}

// nestedType has no min_items or max_items: Terraform ignores those of nested attributes
// (they are deprecated in protocol 6) and does not write them.
type nestedType struct {
	Attributes  map[string]*attribute `json:"attributes,omitempty"`
	NestingMode string                `json:"nesting_mode,omitempty"`
}

type identitySchema struct {
	Version    uint64                        `json:"version"`
	Attributes map[string]*identityAttribute `json:"attributes,omitempty"`
}

type identityAttribute struct {
	IdentityType      json.RawMessage `json:"type,omitempty"`
	Description       string          `json:"description,omitempty"`
	RequiredForImport bool            `json:"required_for_import,omitempty"`
	OptionalForImport bool            `json:"optional_for_import,omitempty"`
}

type actionSchema struct {
	ConfigSchema *block `json:"block,omitempty"`
}

type functionSignature struct {
	Description        string               `json:"description,omitempty"`
	Summary            string               `json:"summary,omitempty"`
	DeprecationMessage string               `json:"deprecation_message,omitempty"`
	ReturnType         cty.Type             `json:"return_type"`
	Parameters         []*functionParameter `json:"parameters,omitempty"`
	VariadicParameter  *functionParameter   `json:"variadic_parameter,omitempty"`
}

type functionParameter struct {
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	IsNullable  bool     `json:"is_nullable,omitempty"`
	Type        cty.Type `json:"type"`
}

// convert builds the document `terraform providers schema -json` writes for a
// configuration that uses only the provider at address, from the provider's answers to
// the GetProviderSchema and GetResourceIdentitySchemas RPCs. ids may be nil (a provider
// without resource identity). It follows Terraform 1.15: internal/plugin6/convert turns
// the RPC answers into Terraform's schema types, internal/command/jsonprovider writes them.
//
// Terraform only writes the identity schemas of resource types that are in the resource
// schemas, and writes a list resource's own schema (the "config" block Terraform nests it
// in for `terraform query` is taken out again). Where Terraform would fail (a missing
// schema or block, a type it cannot decode, error diagnostics, a negative schema version),
// convert returns an error.
func convert(address string, resp *tfprotov6.GetProviderSchemaResponse, ids *tfprotov6.GetResourceIdentitySchemasResponse) (*providerSchemas, error) {
	if resp == nil {
		return nil, errors.New("GetProviderSchema returned no response")
	}
	if err := diagnosticsError("GetProviderSchema", resp.Diagnostics); err != nil {
		return nil, err
	}
	if resp.Provider == nil {
		return nil, errors.New("GetProviderSchema returned no provider schema")
	}
	if ids != nil {
		if err := diagnosticsError("GetResourceIdentitySchemas", ids.Diagnostics); err != nil {
			return nil, err
		}
	}

	var (
		p   providerSchema
		err error
	)
	if p.Provider, err = convertSchema(resp.Provider); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	if p.ResourceSchemas, err = convertSchemas("resource", resp.ResourceSchemas); err != nil {
		return nil, err
	}
	if p.DataSourceSchemas, err = convertSchemas("data source", resp.DataSourceSchemas); err != nil {
		return nil, err
	}
	if p.EphemeralResourceSchemas, err = convertSchemas("ephemeral resource", resp.EphemeralResourceSchemas); err != nil {
		return nil, err
	}
	if p.ListResourceSchemas, err = convertSchemas("list resource", resp.ListResourceSchemas); err != nil {
		return nil, err
	}
	if p.Functions, err = convertFunctions(resp.Functions); err != nil {
		return nil, err
	}
	if p.ActionSchemas, err = convertActions(resp.ActionSchemas); err != nil {
		return nil, err
	}
	if p.StateStoreSchemas, err = convertSchemas("state store", resp.StateStoreSchemas); err != nil {
		return nil, err
	}
	if ids != nil {
		p.ResourceIdentitySchemas = make(map[string]*identitySchema, len(ids.IdentitySchemas))
		for name, id := range ids.IdentitySchemas {
			if _, ok := resp.ResourceSchemas[name]; !ok || id == nil {
				continue
			}
			if p.ResourceIdentitySchemas[name], err = convertIdentity(id); err != nil {
				return nil, fmt.Errorf("identity of resource %q: %w", name, err)
			}
		}
	}

	return &providerSchemas{
		FormatVersion: formatVersion,
		Schemas:       map[string]*providerSchema{address: &p},
	}, nil
}

func diagnosticsError(rpc string, diags []*tfprotov6.Diagnostic) error {
	var errs []error
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, fmt.Errorf("%s: %s: %s", rpc, d.Summary, d.Detail))
		}
	}
	return errors.Join(errs...)
}

func convertSchemas(kind string, in map[string]*tfprotov6.Schema) (map[string]*schema, error) {
	out := make(map[string]*schema, len(in))
	for name, s := range in {
		converted, err := convertSchema(s)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", kind, name, err)
		}
		out[name] = converted
	}
	return out, nil
}

func convertSchema(s *tfprotov6.Schema) (*schema, error) {
	if s == nil {
		return nil, errors.New("schema is missing")
	}
	version, err := schemaVersion(s.Version)
	if err != nil {
		return nil, err
	}
	b, err := convertBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &schema{Version: version, Block: b}, nil
}

func schemaVersion(v int64) (uint64, error) {
	if v < 0 {
		return 0, fmt.Errorf("negative schema version %d", v)
	}
	return uint64(v), nil
}

func convertBlock(b *tfprotov6.SchemaBlock) (*block, error) {
	if b == nil {
		return nil, errors.New("block is missing")
	}
	out := &block{
		Description:        b.Description,
		DescriptionKind:    descriptionKind(b.DescriptionKind),
		Deprecated:         b.Deprecated,
		DeprecationMessage: b.DeprecationMessage,
	}
	if len(b.Attributes) > 0 {
		attrs, err := convertAttributes(b.Attributes)
		if err != nil {
			return nil, err
		}
		out.Attributes = attrs
	}
	if len(b.BlockTypes) > 0 {
		out.BlockTypes = make(map[string]*blockType, len(b.BlockTypes))
		for _, nb := range b.BlockTypes {
			if nb == nil {
				return nil, errors.New("nested block is missing")
			}
			converted, err := convertBlockType(nb)
			if err != nil {
				return nil, fmt.Errorf("block %q: %w", nb.TypeName, err)
			}
			out.BlockTypes[nb.TypeName] = converted
		}
	}
	return out, nil
}

func convertBlockType(nb *tfprotov6.SchemaNestedBlock) (*blockType, error) {
	if nb.MinItems < 0 || nb.MaxItems < 0 {
		return nil, fmt.Errorf("negative min_items (%d) or max_items (%d)", nb.MinItems, nb.MaxItems)
	}
	b, err := convertBlock(nb.Block)
	if err != nil {
		return nil, err
	}
	return &blockType{
		NestingMode: blockNestingMode(nb.Nesting),
		Block:       b,
		MinItems:    uint64(nb.MinItems),
		MaxItems:    uint64(nb.MaxItems),
	}, nil
}

// convertAttributes converts the attributes of a block or of a nested attribute type.
// Terraform always writes the attributes map of a nested type, even an empty one (which
// encoding/json then leaves out, as it does here).
func convertAttributes(in []*tfprotov6.SchemaAttribute) (map[string]*attribute, error) {
	out := make(map[string]*attribute, len(in))
	for _, a := range in {
		if a == nil {
			return nil, errors.New("attribute is missing")
		}
		converted, err := convertAttribute(a)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		out[a.Name] = converted
	}
	return out, nil
}

func convertAttribute(a *tfprotov6.SchemaAttribute) (*attribute, error) {
	ty, err := typeJSON(a.Type)
	if err != nil {
		return nil, err
	}
	out := &attribute{
		AttributeType:      ty,
		Description:        a.Description,
		DescriptionKind:    descriptionKind(a.DescriptionKind),
		Deprecated:         a.Deprecated,
		DeprecationMessage: a.DeprecationMessage,
		Required:           a.Required,
		Optional:           a.Optional,
		Computed:           a.Computed,
		Sensitive:          a.Sensitive,
		WriteOnly:          a.WriteOnly,
	}
	if a.NestedType != nil {
		attrs, err := convertAttributes(a.NestedType.Attributes)
		if err != nil {
			return nil, err
		}
		out.AttributeNestedType = &nestedType{
			Attributes:  attrs,
			NestingMode: objectNestingMode(a.NestedType.Nesting),
		}
	}
	return out, nil
}

func convertIdentity(id *tfprotov6.ResourceIdentitySchema) (*identitySchema, error) {
	version, err := schemaVersion(id.Version)
	if err != nil {
		return nil, err
	}
	out := &identitySchema{
		Version:    version,
		Attributes: make(map[string]*identityAttribute, len(id.IdentityAttributes)),
	}
	for _, a := range id.IdentityAttributes {
		if a == nil {
			return nil, errors.New("identity attribute is missing")
		}
		ty, err := typeJSON(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		out.Attributes[a.Name] = &identityAttribute{
			IdentityType:      ty,
			Description:       a.Description,
			RequiredForImport: a.RequiredForImport,
			OptionalForImport: a.OptionalForImport,
		}
	}
	return out, nil
}

func convertActions(in map[string]*tfprotov6.ActionSchema) (map[string]*actionSchema, error) {
	out := make(map[string]*actionSchema, len(in))
	for name, a := range in {
		if a == nil || a.Schema == nil {
			return nil, fmt.Errorf("action %q: schema is missing", name)
		}
		b, err := convertBlock(a.Schema.Block)
		if err != nil {
			return nil, fmt.Errorf("action %q: %w", name, err)
		}
		out[name] = &actionSchema{ConfigSchema: b}
	}
	return out, nil
}

// convertFunctions returns nil for no functions, as Terraform does. Function and parameter
// description kinds are not part of Terraform's JSON.
func convertFunctions(in map[string]*tfprotov6.Function) (map[string]*functionSignature, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]*functionSignature, len(in))
	for name, f := range in {
		converted, err := convertFunction(f)
		if err != nil {
			return nil, fmt.Errorf("function %q: %w", name, err)
		}
		out[name] = converted
	}
	return out, nil
}

func convertFunction(f *tfprotov6.Function) (*functionSignature, error) {
	if f == nil {
		return nil, errors.New("definition is missing")
	}
	if f.Return == nil {
		return nil, errors.New("return is missing")
	}
	ret, err := ctyType(f.Return.Type)
	if err != nil {
		return nil, fmt.Errorf("return type: %w", err)
	}
	out := &functionSignature{
		Description:        f.Description,
		Summary:            f.Summary,
		DeprecationMessage: f.DeprecationMessage,
		ReturnType:         ret,
	}
	if len(f.Parameters) > 0 {
		out.Parameters = make([]*functionParameter, len(f.Parameters))
		for i, p := range f.Parameters {
			if out.Parameters[i], err = convertParameter(p); err != nil {
				return nil, fmt.Errorf("parameter %d: %w", i, err)
			}
		}
	}
	if f.VariadicParameter != nil {
		if out.VariadicParameter, err = convertParameter(f.VariadicParameter); err != nil {
			return nil, fmt.Errorf("variadic parameter: %w", err)
		}
	}
	return out, nil
}

func convertParameter(p *tfprotov6.FunctionParameter) (*functionParameter, error) {
	if p == nil {
		return nil, errors.New("parameter is missing")
	}
	ty, err := ctyType(p.Type)
	if err != nil {
		return nil, err
	}
	return &functionParameter{
		Name:        p.Name,
		Description: p.Description,
		IsNullable:  p.AllowNullValue,
		Type:        ty,
	}, nil
}

// ctyType decodes a type as Terraform does: tf6server sends the type's JSON encoding
// (tftypes' MarshalJSON, the only encoding terraform-plugin-go has), and Terraform
// decodes it into a cty.Type, whose JSON encoding it then writes.
func ctyType(t tftypes.Type) (cty.Type, error) {
	if t == nil {
		return cty.NilType, errors.New("type is missing")
	}
	//nolint:staticcheck // SA1019: tf6server encodes schema types with this very method.
	raw, err := t.MarshalJSON()
	if err != nil {
		return cty.NilType, fmt.Errorf("encoding type %s: %w", t, err)
	}
	var ty cty.Type
	if err := json.Unmarshal(raw, &ty); err != nil {
		return cty.NilType, fmt.Errorf("decoding type %s: %w", raw, err)
	}
	return ty, nil
}

// typeJSON is the "type" of an attribute: absent when the attribute has no type (a nested
// attribute), as Terraform leaves it out for cty.NilType.
func typeJSON(t tftypes.Type) (json.RawMessage, error) {
	if t == nil {
		return nil, nil
	}
	ty, err := ctyType(t)
	if err != nil {
		return nil, err
	}
	return json.Marshal(ty)
}

func descriptionKind(k tfprotov6.StringKind) string {
	if k == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}

func blockNestingMode(m tfprotov6.SchemaNestedBlockNestingMode) string {
	switch m {
	case tfprotov6.SchemaNestedBlockNestingModeSingle:
		return "single"
	case tfprotov6.SchemaNestedBlockNestingModeGroup:
		return "group"
	case tfprotov6.SchemaNestedBlockNestingModeList:
		return "list"
	case tfprotov6.SchemaNestedBlockNestingModeSet:
		return "set"
	case tfprotov6.SchemaNestedBlockNestingModeMap:
		return "map"
	default:
		return "invalid"
	}
}

func objectNestingMode(m tfprotov6.SchemaObjectNestingMode) string {
	switch m {
	case tfprotov6.SchemaObjectNestingModeSingle:
		return "single"
	case tfprotov6.SchemaObjectNestingModeList:
		return "list"
	case tfprotov6.SchemaObjectNestingModeSet:
		return "set"
	case tfprotov6.SchemaObjectNestingModeMap:
		return "map"
	default:
		return "invalid"
	}
}
