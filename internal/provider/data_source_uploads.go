package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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

func (d *uploadsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_uploads"
}

func (d *uploadsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := uploadFilterDataSourceAttributes("`uploads`")
	attributes["uploads"] = schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: "Every matching upload.",
		NestedObject:        schema.NestedAttributeObject{Attributes: uploadDataAttributes()},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the uploads (assets) of the DatoCMS media library that match every filter given, or all " +
			"of them when none is. It pages through any number of results, 500 per request, within the provider's rate limit.",
		Attributes: attributes,
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
	checkCollectionExists(ctx, d.client, config.UploadCollectionID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := config.listOptions()

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
