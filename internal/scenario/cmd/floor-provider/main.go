// Command floor-provider stands in for terraform-provider-datocms when make bench-scale
// measures what a plan of many uploads costs Terraform itself. It serves the provider's
// schemas and configuration (the real provider's server), but answers the RPCs Terraform
// sends for every datocms_upload of a plan (UpgradeResourceState, ReadResource,
// ValidateResourceConfig, PlanResourceChange) at once, giving back the state it was sent:
// no provider can answer them with less work, so a plan with it is the floor of a plan with
// the real provider. It plans no change, so use it only on configurations that have none.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/assetform/terraform-provider-datocms/internal/provider"
)

const uploadType = "datocms_upload"

func main() {
	err := tf6server.Serve(provider.RegistryAddress, func() tfprotov6.ProviderServer {
		server := provider.NewServer("floor")()
		schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
		if err != nil || schemas.ResourceSchemas[uploadType] == nil {
			log.Fatalf("floor-provider: no schema of %s: %v", uploadType, err)
		}
		return &floor{ProviderServer: server, state: schemas.ResourceSchemas[uploadType].ValueType()}
	})
	if err != nil {
		log.Fatal(err)
	}
}

// floor is the real provider's server with the per-upload RPCs answered without work.
// (ListResource is left out: Terraform does not call it in a plan.)
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
