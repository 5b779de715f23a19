package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and later): every resource of this provider is
// identified by the ID DatoCMS gives it, within the environment the provider block
// manages. Terraform records the identity in state and accepts it in import blocks
// (`identity = { id = "..." }`); older Terraform versions ignore it.

// idIdentity is the identity of a resource known by its DatoCMS ID.
type idIdentity struct {
	ID types.String `tfsdk:"id"`
}

// idIdentitySchema describes idIdentity for a resource whose DatoCMS object is what.
func idIdentitySchema(what string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "ID of the " + what + " in DatoCMS, in the environment the provider manages.",
			},
		},
	}
}

// setIdentityFromState sets the identity from the id in the first of states that has one.
// Each CRUD method defers it, so every path that writes state also writes the identity.
// Read passes the prior state too: the framework wants an identity even from a Read that
// removes the resource, and Terraform before 1.12 sends no prior identity to keep.
func setIdentityFromState(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics, states ...tfsdk.State) {
	if identity == nil {
		return
	}
	for _, state := range states {
		if state.Raw.IsNull() {
			continue
		}
		var id types.String
		if state.GetAttribute(ctx, path.Root("id"), &id).HasError() || id.ValueString() == "" {
			continue
		}
		diags.Append(identity.Set(ctx, idIdentity{ID: id})...)
		return
	}
}

// importIDMissing reports whether an import names no object: an empty (or blank) ID and no
// identity with an ID. (terraform import accepts "" as an ID, and the framework hands an
// empty identity to resources that have an identity schema.)
func importIDMissing(ctx context.Context, req resource.ImportStateRequest) bool {
	if strings.TrimSpace(req.ID) != "" {
		return false
	}
	if req.Identity == nil || req.Identity.Raw.IsNull() {
		return true
	}
	var id types.String
	return req.Identity.GetAttribute(ctx, path.Root("id"), &id).HasError() || strings.TrimSpace(id.ValueString()) == ""
}

// importByIDOrIdentity imports from an ID (terraform import, import blocks with id) or from
// an identity (import blocks with identity).
func importByIDOrIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
}
