package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

var (
	_ datasource.DataSourceWithConfigure        = (*uploadDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*uploadDataSource)(nil)
)

// NewUploadDataSource is the datocms_upload data source.
func NewUploadDataSource() datasource.DataSource {
	return &uploadDataSource{}
}

type uploadDataSource struct {
	client *datocms.Client
}

func (d *uploadDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload"
}

func (d *uploadDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := uploadDataAttributes()
	lookup := func(desc string, validators ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: desc, Validators: validators}
	}
	attrs["id"] = lookup("Upload ID to look up. Exactly one of `id`, `md5` and `filename` must be set.",
		stringvalidator.LengthAtLeast(1))
	attrs["md5"] = lookup("Hex MD5 of the file to look up. Exactly one upload must hold a file with this MD5.",
		stringvalidator.RegexMatches(md5Pattern, "must be 32 hexadecimal digits"))
	attrs["filename"] = lookup("File name, with its extension, to look up (such as `hero.png`, as DatoCMS shows it; "+
		"letter case is ignored). Exactly one upload must have this name.", stringvalidator.RegexMatches(notBlank, "must not be empty"))
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one upload (asset) of the DatoCMS media library by its ID, by the MD5 of its file or by " +
			"its file name. A lookup by `md5` or `filename` that matches no upload, or several, is an error that lists them.",
		Attributes: attrs,
	}
}

func (d *uploadDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("md5"), path.MatchRoot("filename")),
	}
}

func (d *uploadDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = dataSourceClient(req, resp)
}

func (d *uploadDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config uploadDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var up *datocms.Upload
	switch {
	case !config.ID.IsNull():
		id := config.ID.ValueString()
		var err error
		up, err = d.client.GetUpload(ctx, id)
		if datocms.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Upload not found",
				fmt.Sprintf("The environment has no upload %q.", id))
			return
		}
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiagnostic("Error reading upload", fmt.Sprintf("Could not read upload %s: %s", id, err), err))
			return
		}
	case !config.MD5.IsNull():
		md5 := strings.ToLower(config.MD5.ValueString())
		up = d.findOne(ctx, datocms.ListUploadsOptions{MD5: md5}, nil, path.Root("md5"),
			fmt.Sprintf("has md5 %q", md5), fmt.Sprintf("have md5 %q", md5), resp)
	default:
		name := config.Filename.ValueString()
		up = d.findOne(ctx, datocms.ListUploadsOptions{FilenameContains: name},
			func(u *datocms.Upload) bool { return strings.EqualFold(u.Filename, name) },
			path.Root("filename"), fmt.Sprintf("is named %q", name), fmt.Sprintf("are named %q", name), resp)
	}
	if up == nil {
		return
	}
	state, diags := uploadDataFromAPI(ctx, up)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// findOne lists the uploads opts (and keep, when set) select and returns the only one; zero
// or several are an error on attr that says how many and which. one and many are what the
// uploads sought do, in the singular and the plural ("has md5 ...", "have md5 ...").
func (d *uploadDataSource) findOne(ctx context.Context, opts datocms.ListUploadsOptions, keep func(*datocms.Upload) bool,
	attr path.Path, one, many string, resp *datasource.ReadResponse,
) *datocms.Upload {
	var found []*datocms.Upload
	for up, err := range d.client.ListUploads(ctx, opts) {
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiagnostic("Error listing uploads", "Could not look for the upload that "+one+": "+err.Error(), err))
			return nil
		}
		if keep == nil || keep(up) {
			found = append(found, up)
		}
	}
	switch len(found) {
	case 1:
		return found[0]
	case 0:
		resp.Diagnostics.AddAttributeError(attr, "No upload found",
			fmt.Sprintf("No upload in the environment %s. Check the value, and the provider's environment.", one))
	default:
		described := make([]string, 0, min(len(found), maxListedIDs))
		for _, up := range found[:min(len(found), maxListedIDs)] {
			described = append(described, describeUpload(up))
		}
		resp.Diagnostics.AddAttributeError(attr, "Several uploads found",
			fmt.Sprintf("%d uploads %s: %s. Look the upload up by id instead (the datocms_uploads data source returns "+
				"every match).", len(found), many, listIDs(described, len(found))))
	}
	return nil
}

// describeUpload names an upload in a message: its id, file name and collection.
func describeUpload(up *datocms.Upload) string {
	where := ""
	if up.UploadCollectionID != nil {
		where = ", in collection " + *up.UploadCollectionID
	}
	return fmt.Sprintf("%s (%s%s)", up.ID, up.Filename, where)
}

// dataSourceClient returns the client a data source's Configure receives, or nil (with an
// error when the provider data is not what it should be).
func dataSourceClient(req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) *datocms.Client {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		return data.client
	}
	return nil
}
