package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

var _ datasource.DataSourceWithConfigure = (*uploadTracksDataSource)(nil)

// NewUploadTracksDataSource is the datocms_upload_tracks data source.
func NewUploadTracksDataSource() datasource.DataSource { return &uploadTracksDataSource{} }

type uploadTracksDataSource struct {
	client *datocms.Client
}

// Tracks is a plain slice: the framework derives the list's element type from
// trackDataModel, so no hand-kept copy of the attribute types can drift from the schema.
type uploadTracksModel struct {
	UploadID types.String     `tfsdk:"upload_id"`
	Tracks   []trackDataModel `tfsdk:"tracks"`
}

type trackDataModel struct {
	ID             types.String `tfsdk:"id"`
	Type           types.String `tfsdk:"type"`
	Name           types.String `tfsdk:"name"`
	LanguageCode   types.String `tfsdk:"language_code"`
	ClosedCaptions types.Bool   `tfsdk:"closed_captions"`
	Status         types.String `tfsdk:"status"`
	Error          types.String `tfsdk:"error"`
}

func (d *uploadTracksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload_tracks"
}

func (d *uploadTracksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the subtitle and audio tracks of a video upload, as DatoCMS holds them.",
		Attributes: map[string]schema.Attribute{
			"upload_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "ID of the video upload.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"tracks": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The upload's tracks, in the order DatoCMS lists them.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":            str("Track ID: `datocms_upload_track` imports it as `<upload_id>/<id>`."),
					"type":          str("`subtitles` or `audio`."),
					"name":          str("Name of the track in the player's menu."),
					"language_code": str("BCP 47 language tag."),
					"closed_captions": schema.BoolAttribute{
						Computed: true, MarkdownDescription: "Whether subtitles are closed captions.",
					},
					"status": str("`preparing`, `ready` or `errored`."),
					"error":  str("Why DatoCMS could not prepare the track, when `errored`."),
				}},
			},
		},
	}
}

func (d *uploadTracksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = dataSourceClient(req, resp)
}

func (d *uploadTracksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m uploadTracksModel
	if resp.Diagnostics.Append(req.Config.Get(ctx, &m)...); resp.Diagnostics.HasError() {
		return
	}
	tracks, err := d.client.ListTracks(ctx, m.UploadID.ValueString())
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error reading tracks",
			fmt.Sprintf("Could not list the tracks of upload %s: %s", m.UploadID.ValueString(), err), err))
		return
	}
	m.Tracks = make([]trackDataModel, 0, len(tracks)) // not nil: no tracks is an empty list, not null
	for _, t := range tracks {
		m.Tracks = append(m.Tracks, trackDataModel{ID: types.StringValue(t.ID), Type: types.StringValue(t.Type), Name: stringOrNull(t.Name),
			LanguageCode: types.StringValue(t.LanguageCode), ClosedCaptions: types.BoolValue(t.ClosedCaptions),
			Status: types.StringValue(t.Status), Error: types.StringPointerValue(t.Error)})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
