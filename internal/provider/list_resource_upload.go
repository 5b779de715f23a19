package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

var _ list.ListResourceWithConfigure = (*uploadListResource)(nil)

// uploadListResource is a list resource that finds uploads for `terraform query`: the
// datocms_upload list resource, or datocms_upload_metadata's. They differ only in their
// name, their description and the resource object of each upload.
type uploadListResource struct {
	uploadsLister
	typeName    string // after the provider's name, such as "_upload"
	description string
	// state is the resource object of an upload, as an import of it reads it.
	state func(ctx context.Context, req list.ListRequest, up *datocms.Upload) (any, diag.Diagnostics)
}

// NewUploadListResource is the datocms_upload list resource.
func NewUploadListResource() list.ListResource {
	return &uploadListResource{
		typeName: "_upload",
		description: "Finds the uploads (assets) of the DatoCMS media library that match every filter given, " +
			"or all of them when none is, as `datocms_upload` resources: each result is identified by the upload's ID and named " +
			"by its file name. `terraform query -generate-config-out=FILE` writes an import block and a `datocms_upload` block " +
			"for each, which plan no change once imported. It pages through the uploads, up to 500 per request and never " +
			"more than the list block's `limit`, within the provider's rate limit. Needs Terraform 1.14 or later.",
		state: func(ctx context.Context, req list.ListRequest, up *datocms.Upload) (any, diag.Diagnostics) {
			return importedUploadState(ctx, req, up)
		},
	}
}

// NewUploadMetadataListResource is the datocms_upload_metadata list resource: it adopts the
// metadata of existing uploads without their files.
func NewUploadMetadataListResource() list.ListResource {
	return &uploadListResource{
		typeName: "_upload_metadata",
		description: "Finds the uploads (assets) of the DatoCMS media library that match every filter given, " +
			"or all of them when none is, as `datocms_upload_metadata` resources: each result is identified by the upload's ID " +
			"and named by its file name. `terraform query -generate-config-out=FILE` writes an import block and a " +
			"`datocms_upload_metadata` block for each, holding the metadata the upload has, which plan no change once imported: " +
			"the way to bring a whole library, or a collection, under review without its files. It pages through the uploads, " +
			"up to 500 per request and never more than the list block's `limit`, within the provider's rate limit. Needs " +
			"Terraform 1.14 or later.",
		state: func(ctx context.Context, req list.ListRequest, up *datocms.Upload) (any, diag.Diagnostics) {
			prior, diags := importedState[uploadMetadataModel](ctx, req, &uploadMetadataResource{}, up.ID)
			if diags.HasError() {
				return nil, diags
			}
			state, d := metadataModelFromAPI(ctx, up, prior)
			diags.Append(d...)
			return state, diags
		},
	}
}

func (l *uploadListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + l.typeName
}

func (l *uploadListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = uploadListConfigSchema(l.description)
}

func (l *uploadListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = l.streamUploads(ctx, req, "datocms"+l.typeName, func(ctx context.Context, up *datocms.Upload) (any, diag.Diagnostics) {
		return l.state(ctx, req, up)
	})
}

// importedUploadState is the state of a datocms_upload imported by up's ID: what ImportState
// writes, refreshed from up by the mapping Read uses. The configuration Terraform generates
// from it therefore plans no change once the import is done.
func importedUploadState(ctx context.Context, req list.ListRequest, up *datocms.Upload) (uploadResourceModel, diag.Diagnostics) {
	prior, diags := importedState[uploadResourceModel](ctx, req, &uploadResource{}, up.ID)
	if diags.HasError() {
		return prior, diags
	}
	state, d := modelFromAPI(ctx, up, prior)
	diags.Append(d...)
	return state, diags
}

// importedState is what r's ImportState writes for id, before the Read that follows it.
func importedState[M any](ctx context.Context, req list.ListRequest, r resource.ResourceWithImportState, id string) (M, diag.Diagnostics) {
	var model M
	imported := resource.ImportStateResponse{State: tfsdk.State{
		Schema: req.ResourceSchema,
		Raw:    tftypes.NewValue(req.ResourceSchema.Type().TerraformType(ctx), nil),
	}}
	r.ImportState(ctx, resource.ImportStateRequest{ID: id}, &imported)
	diags := imported.Diagnostics
	if !diags.HasError() {
		diags.Append(imported.State.Get(ctx, &model)...)
	}
	return model, diags
}
