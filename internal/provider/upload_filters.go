package provider

import (
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	lschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// The arguments that select uploads, in one place for everything that lists uploads: the
// datocms_uploads data source and the list resources of `terraform query` (datocms_upload,
// and any other resource whose objects are found by listing uploads). The data source and
// list schema packages have distinct types, so the arguments are described once and built
// for each.

// uploadFilters are the filter arguments as read from a configuration. Tags is a slice so
// that the same struct reads the data source's set and the list resource's list (list
// resource schemas have no set attribute); both are null or known when they are read.
type uploadFilters struct {
	Tags               []string     `tfsdk:"tags"`
	Type               types.String `tfsdk:"type"`
	UploadCollectionID types.String `tfsdk:"upload_collection_id"`
	Query              types.String `tfsdk:"query"`
	Locale             types.String `tfsdk:"locale"`
	MD5                types.String `tfsdk:"md5"`
	OrderBy            types.String `tfsdk:"order_by"`
}

// listOptions turns the filters into the client's options.
func (f uploadFilters) listOptions() datocms.ListUploadsOptions {
	opts := datocms.ListUploadsOptions{
		Types:        uploadTypeFilters[f.Type.ValueString()],
		ExcludeTypes: excludedTypes[f.Type.ValueString()],
		CollectionID: f.UploadCollectionID.ValueString(),
		Query:        f.Query.ValueString(),
		Locale:       f.Locale.ValueString(),
		MD5:          strings.ToLower(f.MD5.ValueString()),
		OrderBy:      f.OrderBy.ValueString(),
	}
	if len(f.Tags) > 0 {
		opts.Tags = slices.Sorted(slices.Values(f.Tags)) // a stable request, whatever the order given
	}
	return opts
}

// uploadTypeFilters maps the type argument to the API's upload types (the CDA's UploadType
// enum): each of those, plus "document" for every kind of office document and PDF.
var uploadTypeFilters = map[string][]string{
	"document": {"pdfdocument", "richtext", "presentation", "spreadsheet"},
}

// excludedTypes maps the type arguments that are not an API type to the types they exclude:
// "other" is an upload of none of the documented types. (The API has no "other" type: it
// is asked for as type not_in every documented one.)
var excludedTypes = map[string][]string{"other": datocms.UploadTypes}

func init() {
	for _, t := range datocms.UploadTypes {
		uploadTypeFilters[t] = []string{t}
	}
}

var (
	md5Pattern     = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	orderByPattern = regexp.MustCompile(`^[a-z_]+_(ASC|DESC)(,[a-z_]+_(ASC|DESC))*$`)
)

// uploadFilterArgument describes one filter argument for every schema package: a string,
// or a collection of strings (tags) whose elements are checked by elementValidators.
type uploadFilterArgument struct {
	description       string
	strings           bool // a collection of strings rather than one string
	validators        []validator.String
	elementValidators []validator.String
}

// uploadFilterArguments describes the filter arguments; results names what order_by sorts
// (such as "`uploads`" or "the results").
func uploadFilterArguments(results string) map[string]uploadFilterArgument {
	typeNames := make([]string, 0, len(uploadTypeFilters)+len(excludedTypes))
	for name := range uploadTypeFilters {
		typeNames = append(typeNames, name)
	}
	for name := range excludedTypes {
		typeNames = append(typeNames, name)
	}
	slices.Sort(typeNames)
	return map[string]uploadFilterArgument{
		"tags": {
			strings:           true,
			description:       "Uploads that carry every one of these manual tags.",
			elementValidators: []validator.String{stringvalidator.RegexMatches(notBlank, "must not be empty")},
		},
		"type": {
			description: "Kind of file, as DatoCMS classifies it from the file: `image`, `video`, `audio`, `pdfdocument`, " +
				"`richtext` (word processor documents), `presentation`, `spreadsheet` or `archive`, the types DatoCMS documents; " +
				"`document` for any of `pdfdocument`, `richtext`, `presentation` and `spreadsheet`; or `other` for uploads of " +
				"none of the documented types (DatoCMS has no `other` type: this asks for uploads whose type is not any of them).",
			validators: []validator.String{stringvalidator.OneOf(typeNames...)},
		},
		"upload_collection_id": {
			description: "Uploads directly in this upload collection (not in the collections inside it). DatoCMS cannot " +
				"filter by collection, so the provider lists the environment's uploads (one request per 500) and keeps " +
				"these; the collection must exist.",
			validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"query": {
			description: "Free text that DatoCMS searches for in the file name, author, copyright, notes, and the " +
				"alt text and title in `locale`.",
			validators: []validator.String{stringvalidator.RegexMatches(notBlank, "must not be empty")},
		},
		"locale": {
			description: "Locale whose alt text and title `query` searches. Default: the environment's main locale.",
			validators: []validator.String{
				stringvalidator.RegexMatches(localePattern, "must be a DatoCMS locale code such as \"en\", \"it\" or \"pt-BR\""),
				stringvalidator.AlsoRequires(path.MatchRoot("query")),
			},
		},
		"md5": {
			description: "Hex MD5 of the file: the uploads holding this very content.",
			validators:  []validator.String{stringvalidator.RegexMatches(md5Pattern, "must be 32 hexadecimal digits")},
		},
		"order_by": {
			description: "Order of " + results + ": comma-separated `<field>_ASC` or `<field>_DESC` rules, such as " +
				"`_created_at_DESC` or `filename_ASC,size_DESC` (fields: `_created_at`, `_updated_at`, `size`, `filename`, " +
				"`basename`, `format`, `mime_type`). Default: the API's order.",
			validators: []validator.String{stringvalidator.RegexMatches(orderByPattern,
				"must be comma-separated <field>_ASC or <field>_DESC rules, such as \"_created_at_DESC\"")},
		},
	}
}

// uploadFilterDataSourceAttributes are the filter arguments of a data source; tags is a set.
func uploadFilterDataSourceAttributes(results string) map[string]dschema.Attribute {
	out := map[string]dschema.Attribute{}
	for name, arg := range uploadFilterArguments(results) {
		if arg.strings {
			out[name] = dschema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: arg.description,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(arg.elementValidators...)},
			}
			continue
		}
		out[name] = dschema.StringAttribute{Optional: true, MarkdownDescription: arg.description, Validators: arg.validators}
	}
	return out
}

// uploadFilterListAttributes are the filter arguments of a list resource's config block;
// tags is a list (the order and repeats of its elements do not matter).
func uploadFilterListAttributes(results string) map[string]lschema.Attribute {
	out := map[string]lschema.Attribute{}
	for name, arg := range uploadFilterArguments(results) {
		if arg.strings {
			out[name] = lschema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: arg.description,
				Validators:          []validator.List{listvalidator.ValueStringsAre(arg.elementValidators...)},
			}
			continue
		}
		out[name] = lschema.StringAttribute{Optional: true, MarkdownDescription: arg.description, Validators: arg.validators}
	}
	return out
}
