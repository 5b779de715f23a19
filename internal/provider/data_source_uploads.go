package provider

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

var _ datasource.DataSourceWithConfigure = (*uploadsDataSource)(nil)

// NewUploadsDataSource is the datocms_uploads data source.
func NewUploadsDataSource() datasource.DataSource {
	return &uploadsDataSource{}
}

type uploadsDataSource struct {
	client *datocms.Client
}

type uploadsDataSourceModel struct {
	uploadFilters
	Uploads types.List `tfsdk:"uploads"`
}

// uploadFilters are the arguments that select uploads, in datocms_uploads and in anything
// else that lists uploads the same way.
type uploadFilters struct {
	Tags               types.Set    `tfsdk:"tags"`
	Type               types.String `tfsdk:"type"`
	UploadCollectionID types.String `tfsdk:"upload_collection_id"`
	Query              types.String `tfsdk:"query"`
	Locale             types.String `tfsdk:"locale"`
	MD5                types.String `tfsdk:"md5"`
	OrderBy            types.String `tfsdk:"order_by"`
}

// listOptions turns the filters into the client's options.
func (f uploadFilters) listOptions(ctx context.Context) (datocms.ListUploadsOptions, diag.Diagnostics) {
	opts := datocms.ListUploadsOptions{
		Types:        uploadTypeFilters[f.Type.ValueString()],
		CollectionID: f.UploadCollectionID.ValueString(),
		Query:        f.Query.ValueString(),
		Locale:       f.Locale.ValueString(),
		MD5:          strings.ToLower(f.MD5.ValueString()),
		OrderBy:      f.OrderBy.ValueString(),
	}
	var diags diag.Diagnostics
	if !f.Tags.IsNull() && !f.Tags.IsUnknown() {
		diags = f.Tags.ElementsAs(ctx, &opts.Tags, false)
		slices.Sort(opts.Tags) // a stable request for a set
	}
	return opts, diags
}

// uploadTypeFilters maps the type argument to the API's upload types (the CDA's UploadType
// enum): each of those, plus "document" for every kind of office document and PDF.
var uploadTypeFilters = map[string][]string{
	"document": {"pdfdocument", "richtext", "presentation", "spreadsheet"},
}

func init() {
	for _, t := range datocms.UploadTypes {
		uploadTypeFilters[t] = []string{t}
	}
}

var (
	md5Pattern     = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	orderByPattern = regexp.MustCompile(`^[a-z_]+_(ASC|DESC)(,[a-z_]+_(ASC|DESC))*$`)
)

func (d *uploadsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_uploads"
}

func (d *uploadsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	typeNames := make([]string, 0, len(uploadTypeFilters))
	for name := range uploadTypeFilters {
		typeNames = append(typeNames, name)
	}
	slices.Sort(typeNames)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the uploads (assets) of the DatoCMS media library that match every filter given, or all " +
			"of them when none is. It pages through any number of results, 500 per request, within the provider's rate limit.",
		Attributes: map[string]schema.Attribute{
			"tags": schema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Uploads that carry every one of these manual tags.",
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(notBlank, "must not be empty"))},
			},
			"type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Kind of file, as DatoCMS classifies it from the file: `image`, `video`, `audio`, `pdfdocument`, " +
					"`richtext` (word processor documents), `presentation`, `spreadsheet`, `archive` or `other`; or `document` for " +
					"any of `pdfdocument`, `richtext`, `presentation` and `spreadsheet`.",
				Validators: []validator.String{stringvalidator.OneOf(typeNames...)},
			},
			"upload_collection_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Uploads directly in this upload collection (not in the collections inside it).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"query": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Free text that DatoCMS searches for in the file name, author, copyright, notes, and the " +
					"alt text and title in `locale`.",
				Validators: []validator.String{stringvalidator.RegexMatches(notBlank, "must not be empty")},
			},
			"locale": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Locale whose alt text and title `query` searches. Default: the environment's main locale.",
				Validators: []validator.String{
					stringvalidator.RegexMatches(localePattern, "must be a DatoCMS locale code such as \"en\", \"it\" or \"pt-BR\""),
					stringvalidator.AlsoRequires(path.MatchRoot("query")),
				},
			},
			"md5": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Hex MD5 of the file: the uploads holding this very content.",
				Validators:          []validator.String{stringvalidator.RegexMatches(md5Pattern, "must be 32 hexadecimal digits")},
			},
			"order_by": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Order of `uploads`: comma-separated `<field>_ASC` or `<field>_DESC` rules, such as " +
					"`_created_at_DESC` or `filename_ASC,size_DESC` (fields: `_created_at`, `_updated_at`, `size`, `filename`, " +
					"`basename`, `format`, `mime_type`). Default: the API's order.",
				Validators: []validator.String{stringvalidator.RegexMatches(orderByPattern,
					"must be comma-separated <field>_ASC or <field>_DESC rules, such as \"_created_at_DESC\"")},
			},
			"uploads": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every matching upload.",
				NestedObject:        schema.NestedAttributeObject{Attributes: uploadDataAttributes()},
			},
		},
	}
}

func (d *uploadsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = dataSourceClient(req, resp)
}

func (d *uploadsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config uploadsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts, diags := config.listOptions(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	uploads := []uploadDataModel{}
	for up, err := range d.client.ListUploads(ctx, opts) {
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiagnostic("Error listing uploads", "Could not list uploads: "+err.Error(), err))
			return
		}
		m, diags := uploadDataFromAPI(ctx, up)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		uploads = append(uploads, m)
	}
	tflog.Debug(ctx, "listed uploads", map[string]any{"count": len(uploads)})
	list, diags := types.ListValueFrom(ctx, uploadDataObjectType, uploads)
	resp.Diagnostics.Append(diags...)
	config.Uploads = list
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}
