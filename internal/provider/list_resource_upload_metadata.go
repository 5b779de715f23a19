package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

var _ list.ListResourceWithConfigure = (*uploadMetadataListResource)(nil)

// NewUploadMetadataListResource is the datocms_upload_metadata list resource, for
// `terraform query`: it adopts the metadata of existing uploads without their files.
func NewUploadMetadataListResource() list.ListResource {
	return &uploadMetadataListResource{}
}

type uploadMetadataListResource struct {
	uploadsLister
}

func (l *uploadMetadataListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload_metadata"
}

func (l *uploadMetadataListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = uploadListConfigSchema("Finds the uploads (assets) of the DatoCMS media library that match every filter given, " +
		"or all of them when none is, as `datocms_upload_metadata` resources: each result is identified by the upload's ID " +
		"and named by its file name. `terraform query -generate-config-out=FILE` writes an import block and a " +
		"`datocms_upload_metadata` block for each, holding the metadata the upload has, which plan no change once imported: " +
		"the way to bring a whole library, or a collection, under review without its files. It pages through the uploads, " +
		"up to 500 per request and never more than the list block's `limit`, within the provider's rate limit. Needs " +
		"Terraform 1.14 or later.")
}

func (l *uploadMetadataListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = l.streamUploads(ctx, req, "datocms_upload_metadata", func(ctx context.Context, up *datocms.Upload, includeResource bool) (listedUpload, diag.Diagnostics) {
		item := listedUpload{
			Identity:    idIdentity{ID: types.StringValue(up.ID)},
			DisplayName: up.Filename + " (" + up.ID + ")",
		}
		if !includeResource {
			return item, nil
		}
		prior, diags := importedState[uploadMetadataModel](ctx, req, &uploadMetadataResource{}, up.ID)
		if diags.HasError() {
			return item, diags
		}
		state, d := metadataModelFromAPI(ctx, up, prior)
		diags.Append(d...)
		item.Resource = state
		return item, diags
	})
}
