// Command floor-provider stands in for terraform-provider-datocms when make bench-scale
// measures what a plan of many unchanged uploads costs without the provider's own work. It
// serves the provider's schemas and configuration, and has two floors, chosen by the
// DATOCMS_FLOOR environment variable:
//
//   - "protocol" (the default): the RPCs Terraform sends for every datocms_upload of a plan
//     (UpgradeResourceState, ReadResource, ValidateResourceConfig, PlanResourceChange) are
//     answered at once, before the framework, with the state they were sent. No provider can
//     answer them with less work: this is Terraform's own share of the plan.
//   - "framework": the framework answers every RPC, but datocms_upload's Read, ModifyPlan and
//     ValidateConfig return at once. This is what the framework itself costs (decoding,
//     defaults, plan modifiers, semantic equality): no early exit inside the provider can go
//     below it.
//
// Both plan no change, so use them only on configurations that have none.
package main

import (
	"context"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	datocms "github.com/assetform/terraform-provider-datocms/internal/provider"
)

const uploadType = "datocms_upload"

func main() {
	datocms.QuietSDKLogs() // as the provider's main does
	serve := protocolFloor
	if os.Getenv("DATOCMS_FLOOR") == "framework" {
		serve = frameworkFloor
	}
	if err := tf6server.Serve(datocms.RegistryAddress, serve); err != nil {
		log.Fatal(err)
	}
}

// frameworkFloor is the framework's server for the provider, with datocms_upload's own
// methods answering at once.
func frameworkFloor() tfprotov6.ProviderServer {
	return providerserver.NewProtocol6(&floorProvider{Provider: datocms.New("floor")()})()
}

type floorProvider struct{ provider.Provider }

func (p *floorProvider) Resources(ctx context.Context) []func() resource.Resource {
	out := p.Provider.Resources(ctx)
	for i, newResource := range out {
		var meta resource.MetadataResponse
		newResource().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "datocms"}, &meta)
		if meta.TypeName == uploadType {
			out[i] = func() resource.Resource { return immediateUpload{newResource()} }
		}
	}
	return out
}

// immediateUpload is datocms_upload whose Read (the framework has copied the state into the
// response already), ModifyPlan and ValidateConfig do nothing but what the framework
// demands: an identity after Read, set from the id.
type immediateUpload struct{ resource.Resource }

func (immediateUpload) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if resp.Identity == nil || !resp.Identity.Raw.IsNull() {
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root("id"), id)...)
}

func (immediateUpload) ModifyPlan(context.Context, resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
}

func (immediateUpload) ValidateConfig(context.Context, resource.ValidateConfigRequest, *resource.ValidateConfigResponse) {
}

func (u immediateUpload) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	if r, ok := u.Resource.(resource.ResourceWithIdentity); ok {
		r.IdentitySchema(ctx, req, resp)
	}
}

// protocolFloor is the provider's server with the per-upload RPCs answered without work.
// (ListResource is left out: Terraform does not call it in a plan.)
func protocolFloor() tfprotov6.ProviderServer {
	server := datocms.NewServer("floor")()
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || schemas.ResourceSchemas[uploadType] == nil {
		log.Fatalf("floor-provider: no schema of %s: %v", uploadType, err)
	}
	return &floor{ProviderServer: server, state: schemas.ResourceSchemas[uploadType].ValueType()}
}

type floor struct {
	tfprotov6.ProviderServer
	state tftypes.Type
}

func (f *floor) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req.TypeName != uploadType || req.RawState == nil {
		return f.ProviderServer.UpgradeResourceState(ctx, req)
	}
	// The least any provider does: decode the stored JSON into the schema's type.
	v, err := req.RawState.UnmarshalWithOpts(f.state, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return nil, err
	}
	dv, err := tfprotov6.NewDynamicValue(f.state, v)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

func (f *floor) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if req.TypeName != uploadType {
		return f.ProviderServer.ReadResource(ctx, req)
	}
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private, NewIdentity: req.CurrentIdentity}, nil
}

func (f *floor) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	if req.TypeName != uploadType {
		return f.ProviderServer.ValidateResourceConfig(ctx, req)
	}
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

func (f *floor) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName != uploadType {
		return f.ProviderServer.PlanResourceChange(ctx, req)
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate, PlannedIdentity: req.PriorIdentity}, nil
}
