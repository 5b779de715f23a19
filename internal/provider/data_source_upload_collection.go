package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

var (
	_ datasource.DataSourceWithConfigure        = (*uploadCollectionDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*uploadCollectionDataSource)(nil)
)

// NewUploadCollectionDataSource is the datocms_upload_collection data source.
func NewUploadCollectionDataSource() datasource.DataSource {
	return &uploadCollectionDataSource{}
}

type uploadCollectionDataSource struct {
	client *datocms.Client
}

type uploadCollectionDataSourceModel struct {
	ID       types.String `tfsdk:"id"`
	Label    types.String `tfsdk:"label"`
	ParentID types.String `tfsdk:"parent_id"`
	Position types.Int64  `tfsdk:"position"`
	ChildIDs types.List   `tfsdk:"child_ids"`
}

func (d *uploadCollectionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload_collection"
}

func (d *uploadCollectionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an upload collection (a folder of the DatoCMS media library) by its ID or by its label. " +
			"Several collections with the label are an error that lists them; `parent_id` tells apart same-named folders " +
			"inside different parents.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Upload collection ID to look up. Exactly one of `id` and `label` must be set.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"label": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Label to look up (exact, letter case included). Exactly one collection must have it.",
				Validators:          []validator.String{stringvalidator.RegexMatches(notBlank, "must not be empty")},
			},
			"parent_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "With `label`: look only among the collections inside this one. After the lookup: the ID " +
					"of the collection this one is inside, null for a top-level collection.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("id")),
				},
			},
			"position": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Place among the collections with the same parent, from 1.",
			},
			"child_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "IDs of the collections directly inside this one, in position order.",
			},
		},
	}
}

func (d *uploadCollectionDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("label"))}
}

func (d *uploadCollectionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = dataSourceClient(req, resp)
}

func (d *uploadCollectionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config uploadCollectionDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var found *datocms.UploadCollection
	if !config.ID.IsNull() {
		id := config.ID.ValueString()
		col, err := d.client.GetUploadCollection(ctx, id)
		if datocms.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Upload collection not found",
				fmt.Sprintf("The environment has no upload collection %q.", id))
			return
		}
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiagnostic("Error reading upload collection",
				fmt.Sprintf("Could not read upload collection %s: %s", id, err), err))
			return
		}
		found = col
	} else {
		found = d.findByLabel(ctx, config.Label.ValueString(), config.ParentID, resp)
		if found == nil {
			return
		}
	}

	children, diags := types.ListValueFrom(ctx, types.StringType, found.ChildIDs)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, uploadCollectionDataSourceModel{
		ID:       types.StringValue(found.ID),
		Label:    types.StringValue(found.Label),
		ParentID: types.StringPointerValue(found.ParentID),
		Position: types.Int64Value(int64(found.Position)),
		ChildIDs: children,
	})...)
}

// findByLabel returns the only collection labelled label (inside parent, when set); zero
// or several are an error that lists them.
func (d *uploadCollectionDataSource) findByLabel(ctx context.Context, label string, parent types.String, resp *datasource.ReadResponse) *datocms.UploadCollection {
	all, err := d.client.ListUploadCollections(ctx)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error listing upload collections", "Could not list upload collections: "+err.Error(), err))
		return nil
	}
	byID := map[string]datocms.UploadCollection{}
	for _, col := range all {
		byID[col.ID] = col
	}
	var matches []datocms.UploadCollection
	for _, col := range all {
		if col.Label != label {
			continue
		}
		if !parent.IsNull() && (col.ParentID == nil || *col.ParentID != parent.ValueString()) {
			continue
		}
		matches = append(matches, col)
	}
	where := ""
	if !parent.IsNull() {
		where = fmt.Sprintf(" inside collection %q", parent.ValueString())
	}
	switch len(matches) {
	case 1:
		return &matches[0]
	case 0:
		resp.Diagnostics.AddAttributeError(path.Root("label"), "Upload collection not found",
			fmt.Sprintf("The environment has no upload collection labelled %q%s. Labels are compared exactly, letter case included.", label, where))
	default:
		described := make([]string, 0, len(matches))
		for _, col := range matches {
			described = append(described, fmt.Sprintf("%s (%s)", col.ID, collectionPathName(col, byID)))
		}
		resp.Diagnostics.AddAttributeError(path.Root("label"), "Several upload collections found",
			fmt.Sprintf("%d upload collections are labelled %q%s: %s. Set parent_id to the collection the one you want is "+
				"inside, or look it up by id.", len(matches), label, where, listIDs(described, len(matches))))
	}
	return nil
}

// collectionPathName is a collection's place in the tree, such as "Marketing / 2026 / Heroes".
func collectionPathName(col datocms.UploadCollection, byID map[string]datocms.UploadCollection) string {
	name := col.Label
	seen := map[string]bool{col.ID: true}
	for p := col.ParentID; p != nil && !seen[*p]; {
		parent, ok := byID[*p]
		if !ok {
			break
		}
		seen[parent.ID] = true
		name = parent.Label + " / " + name
		p = parent.ParentID
	}
	return name
}
