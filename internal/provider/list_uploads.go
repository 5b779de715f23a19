package provider

import (
	"context"
	"fmt"
	"iter"
	"math"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	lschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// Listing uploads for `terraform query` (Terraform 1.14 and later). A list resource whose
// objects are found by listing uploads (datocms_upload, and a resource that manages one part
// of an upload, such as its metadata) embeds uploadsLister: it gets Configure, and
// streamUploads, which reads the datocms_uploads filters from the list block, pages through
// the matching uploads with the client (its page size, rate limit and retries) and makes one
// list result of each upload, whose resource object the resource type makes. Its config
// schema comes from uploadListConfigSchema.

// uploadResourceState makes the resource object of one listed upload: the state its resource
// type would hold right after importing it. Used only when Terraform asks for resource
// objects (`terraform query -generate-config-out`).
type uploadResourceState func(ctx context.Context, up *datocms.Upload) (any, diag.Diagnostics)

// uploadsLister is the part every upload-listing list resource shares.
type uploadsLister struct {
	client *datocms.Client
}

// uploadListConfigSchema is the config block of a list resource that lists uploads: the
// filters of datocms_uploads.
func uploadListConfigSchema(description string) lschema.Schema {
	return lschema.Schema{
		MarkdownDescription: description,
		Attributes:          uploadFilterListAttributes("the results"),
	}
}

func (l *uploadsLister) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data := configuredData(req.ProviderData, &resp.Diagnostics)
	if data == nil {
		return
	}
	l.client = data.client
}

// streamUploads streams a result per upload that matches the list block's filters, at most
// req.Limit of them: identified by the upload's ID (every resource type that lists uploads
// has that identity), named by its file name, with the object resourceState makes. Any
// error ends the stream with a result that holds only the error's diagnostics. what names
// the resource type in messages.
func (l *uploadsLister) streamUploads(ctx context.Context, req list.ListRequest, what string, resourceState uploadResourceState) iter.Seq[list.ListResult] {
	var filters uploadFilters
	if diags := req.Config.Get(ctx, &filters); diags.HasError() {
		return list.ListResultsStreamDiagnostics(diags)
	}
	if l.client == nil {
		var diags diag.Diagnostics
		diags.AddError("Provider not configured",
			"Listing "+what+" needs a configured datocms provider, and the list resource received none. This is a bug in the provider.")
		return list.ListResultsStreamDiagnostics(diags)
	}
	var diags diag.Diagnostics
	if checkCollectionExists(ctx, l.client, filters.UploadCollectionID, &diags); diags.HasError() {
		return list.ListResultsStreamDiagnostics(diags)
	}
	opts := filters.listOptions()
	if req.Limit > 0 && opts.CollectionID == "" {
		// Ask for no more than Terraform wants: a small limit costs one small page. The
		// client caps pages at the API's maximum (500). (A collection is filtered here, not
		// by the API, so its listing keeps the largest pages.)
		opts.PageSize = int(min(req.Limit, math.MaxInt32))
	}
	return func(push func(list.ListResult) bool) {
		var count int64
		for up, err := range l.client.ListUploads(ctx, opts) {
			if err != nil {
				push(list.ListResult{Diagnostics: diag.Diagnostics{apiErrorDiagnostic("Error listing uploads",
					fmt.Sprintf("Could not list uploads for %s: %s", what, err), err)}})
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = up.Filename + " (" + up.ID + ")"
			result.Diagnostics.Append(result.Identity.Set(ctx, idIdentity{ID: types.StringValue(up.ID)})...)
			if req.IncludeResource {
				state, diags := resourceState(ctx, up)
				if diags.HasError() {
					push(list.ListResult{Diagnostics: diags})
					return
				}
				result.Diagnostics.Append(diags...)
				result.Diagnostics.Append(result.Resource.Set(ctx, state)...)
			}
			if !push(result) || result.Diagnostics.HasError() {
				return
			}
			if count++; req.Limit > 0 && count >= req.Limit {
				break
			}
		}
		tflog.Debug(ctx, "listed uploads", map[string]any{"resource_type": what, "count": count, "limit": req.Limit})
	}
}
