package provider

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// These tests call the list resource without Terraform (so they run with any CLI, or none):
// through the provider's protocol 6 server as Terraform would, and the shared listing
// helper directly with a mapping of another resource type.

// protoProvider is the provider served over protocol 6, configured for a test server.
type protoProvider struct {
	server  protoServer
	schemas *tfprotov6.GetProviderSchemaResponse
	data    *providerData // what Configure handed the resources
}

// dataKeepingProvider is the provider, keeping what its Configure hands the resources, so a
// test can reach it.
type dataKeepingProvider struct {
	*datocmsProvider
	data *providerData
}

func (p *dataKeepingProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	p.datocmsProvider.Configure(ctx, req, resp)
	p.data, _ = resp.ResourceData.(*providerData)
}

// protoServer is the framework's protocol 6 server: a provider server with list resources
// (which terraform-plugin-go keeps out of tfprotov6.ProviderServer for now).
type protoServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

func configuredProtoProvider(t testing.TB, srv *datocmstest.Server) protoProvider {
	t.Helper()
	keeper := &dataKeepingProvider{datocmsProvider: New("test")().(*datocmsProvider)} //nolint:forcetypeassert // New makes one
	server, ok := providerserver.NewProtocol6(keeper)().(protoServer)
	if !ok {
		t.Fatal("the framework's server does not serve list resources")
	}
	schemas, err := server.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || diagsHaveError(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	config := objectValue(t, schemas.Provider.ValueType(), map[string]tftypes.Value{
		"api_token": tftypes.NewValue(tftypes.String, testToken),
		"base_url":  tftypes.NewValue(tftypes.String, srv.URL()),
	})
	resp, err := server.ConfigureProvider(t.Context(), &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil || diagsHaveError(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, diagsText(resp.Diagnostics))
	}
	return protoProvider{server: server, schemas: schemas, data: keeper.data}
}

// list runs the ListResource RPC of datocms_upload with the given config attributes (the
// others null) and returns its results.
func (p protoProvider) list(t *testing.T, config map[string]tftypes.Value, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	t.Helper()
	stream, err := p.server.ListResource(t.Context(), &tfprotov6.ListResourceRequest{
		TypeName:        "datocms_upload",
		Config:          objectValue(t, p.schemas.ListResourceSchemas["datocms_upload"].ValueType(), config),
		IncludeResource: includeResource,
		Limit:           limit,
	})
	if err != nil {
		t.Fatalf("ListResource: %v", err)
	}
	return slices.Collect(stream.Results)
}

// objectValue is the DynamicValue of an object of type typ with the given attributes; the
// others are null.
func objectValue(t testing.TB, typ tftypes.Type, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	obj := typ.(tftypes.Object) //nolint:forcetypeassert // every schema is an object
	values := map[string]tftypes.Value{}
	for name, attrType := range obj.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
		if v, ok := attrs[name]; ok {
			values[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func unmarshal(t testing.TB, dv *tfprotov6.DynamicValue, typ tftypes.Type) tftypes.Value {
	t.Helper()
	if dv == nil {
		t.Fatal("no value")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func diagsHaveError(diags []*tfprotov6.Diagnostic) bool {
	return slices.ContainsFunc(diags, func(d *tfprotov6.Diagnostic) bool { return d.Severity == tfprotov6.DiagnosticSeverityError })
}

func diagsText(diags []*tfprotov6.Diagnostic) string {
	var s string
	for _, d := range diags {
		s += d.Severity.String() + ": " + d.Summary + ": " + d.Detail + "\n"
	}
	return s
}

// TestUploadListResource_resultIsImportedState: each result's resource object is exactly
// the state Terraform gets from importing that upload (ImportResourceState, then
// ReadResource), and its identity the identity the import records; so the configuration
// generated from a result plans no change after the import.
func TestUploadListResource_resultIsImportedState(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	heroes := srv.CreateUploadCollection("", "Heroes")
	archive := srv.CreateUploadCollection("", "Archive")
	byCollection := seedInCollections(t, srv, 12, heroes, archive)
	p := configuredProtoProvider(t, srv)
	resourceType := p.schemas.ResourceSchemas["datocms_upload"].ValueType()
	ids, err := p.server.GetResourceIdentitySchemas(t.Context(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	identityType := ids.IdentitySchemas["datocms_upload"].ValueType()

	results := p.list(t, map[string]tftypes.Value{"upload_collection_id": tftypes.NewValue(tftypes.String, heroes)}, true, 100)
	var got []string
	for _, result := range results {
		if len(result.Diagnostics) > 0 {
			t.Fatalf("result with diagnostics: %s", diagsText(result.Diagnostics))
		}
		if result.Identity == nil {
			t.Fatal("result without identity")
		}
		var (
			identity map[string]tftypes.Value
			id       string
		)
		if err := unmarshal(t, result.Identity.IdentityData, identityType).As(&identity); err != nil {
			t.Fatal(err)
		}
		if err := identity["id"].As(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
		up, _ := srv.Upload("", id)
		if want := up.Filename + " (" + id + ")"; result.DisplayName != want {
			t.Errorf("display name %q, want %q", result.DisplayName, want)
		}

		imported, err := p.server.ImportResourceState(t.Context(), &tfprotov6.ImportResourceStateRequest{TypeName: "datocms_upload", ID: id})
		if err != nil || diagsHaveError(imported.Diagnostics) || len(imported.ImportedResources) != 1 {
			t.Fatalf("ImportResourceState %s: %v %s", id, err, diagsText(imported.Diagnostics))
		}
		read, err := p.server.ReadResource(t.Context(), &tfprotov6.ReadResourceRequest{
			TypeName:        "datocms_upload",
			CurrentState:    imported.ImportedResources[0].State,
			CurrentIdentity: imported.ImportedResources[0].Identity,
		})
		if err != nil || diagsHaveError(read.Diagnostics) {
			t.Fatalf("ReadResource %s: %v %s", id, err, diagsText(read.Diagnostics))
		}
		want, listed := unmarshal(t, read.NewState, resourceType), unmarshal(t, result.Resource, resourceType)
		if !listed.Equal(want) {
			diffs, _ := listed.Diff(want)
			t.Errorf("upload %s: the listed resource differs from the imported state: %v", id, diffs)
		}
		if wantID := unmarshal(t, read.NewIdentity.IdentityData, identityType); !wantID.Equal(unmarshal(t, result.Identity.IdentityData, identityType)) {
			t.Errorf("upload %s: listed identity %v, imported %v", id, result.Identity, wantID)
		}
	}
	if want := uploadIDs(byCollection[heroes]); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("listed %q, want the uploads of the collection %q", got, want)
	}
}

// TestUploadListResource_limitAndErrors: the results stop at the request's limit, whose
// size is the one page asked for; without include_resource the results hold no resource;
// an API error ends the stream with an error diagnostic.
func TestUploadListResource_limitAndErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	if _, err := srv.SeedUploads("", 12, time.Time{}); err != nil {
		t.Fatal(err)
	}
	p := configuredProtoProvider(t, srv)
	srv.ResetRequests()
	results := p.list(t, nil, false, 4)
	if len(results) != 4 {
		t.Fatalf("%d results with limit 4, want 4", len(results))
	}
	for _, r := range results {
		if r.Resource != nil || r.Identity == nil || len(r.Diagnostics) > 0 {
			t.Errorf("result without include_resource: resource %v, identity %v, diagnostics %s", r.Resource, r.Identity, diagsText(r.Diagnostics))
		}
	}
	var limits []string
	for _, r := range srv.Requests() {
		if r.Method == "GET" && r.Path == "/uploads" {
			limits = append(limits, r.Query.Get("page[limit]"))
		}
	}
	if !slices.Equal(limits, []string{"4"}) {
		t.Errorf("GET /uploads with page[limit] %q, want one request for 4", limits)
	}

	// A collection that does not exist is an error naming upload_collection_id, before any listing.
	srv.ResetRequests()
	results = p.list(t, map[string]tftypes.Value{"upload_collection_id": tftypes.NewValue(tftypes.String, "no-such-collection")}, false, 10)
	if len(results) != 1 || !diagsHaveError(results[0].Diagnostics) || results[0].Diagnostics[0].Summary != "Unknown upload collection" ||
		!strings.Contains(results[0].Diagnostics[0].Detail, `"no-such-collection"`) {
		t.Errorf("results for an unknown collection: %d, %s", len(results), diagsText(results[0].Diagnostics))
	}
	if n := srv.CountRequests("GET", "/uploads"); n != 0 {
		t.Errorf("%d listings of uploads for a collection that does not exist", n)
	}

	if err := srv.SetFaultRules(datocmstest.FaultRule{Method: "GET", Path: "/uploads", Action: "status", Status: 403}); err != nil {
		t.Fatal(err)
	}
	results = p.list(t, nil, true, 100)
	if len(results) != 1 || !diagsHaveError(results[0].Diagnostics) || results[0].Diagnostics[0].Summary != "Error listing uploads" {
		t.Fatalf("results after a 403, want one error diagnostic: %d results, %s", len(results), diagsText(results[0].Diagnostics))
	}
}

// TestStreamUploads_otherResourceType: the listing serves a resource type whose state has
// another shape, the way datocms_upload_metadata's does: the same filters, identities and
// names, and the resource object its own mapping makes of each upload.
func TestStreamUploads_otherResourceType(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := newTestServer(t)
	heroes := srv.CreateUploadCollection("", "Heroes")
	archive := srv.CreateUploadCollection("", "Archive")
	seedInCollections(t, srv, 12, heroes, archive)

	type metadataModel struct {
		UploadID types.String `tfsdk:"upload_id"`
		Author   types.String `tfsdk:"author"`
		Tags     types.Set    `tfsdk:"tags"`
	}
	mapping := func(ctx context.Context, up *datocms.Upload) (any, diag.Diagnostics) {
		tags, diags := types.SetValueFrom(ctx, types.StringType, up.Tags)
		return metadataModel{UploadID: types.StringValue(up.ID), Author: types.StringPointerValue(nonEmpty(up.Author)), Tags: tags}, diags
	}
	configSchema := uploadListConfigSchema("")
	filters := tfsdk.State{Schema: configSchema, Raw: tftypes.NewValue(configSchema.Type().TerraformType(ctx), nil)}
	if diags := filters.Set(ctx, uploadFilters{UploadCollectionID: types.StringValue(heroes), Tags: []string{"brand"}}); diags.HasError() {
		t.Fatal(diags)
	}
	req := list.ListRequest{
		Config:          tfsdk.Config{Schema: configSchema, Raw: filters.Raw},
		IncludeResource: true,
		Limit:           10,
		ResourceSchema: rschema.Schema{Attributes: map[string]rschema.Attribute{
			"upload_id": rschema.StringAttribute{Required: true},
			"author":    rschema.StringAttribute{Optional: true},
			"tags":      rschema.SetAttribute{ElementType: types.StringType, Optional: true},
		}},
		ResourceIdentitySchema: idIdentitySchema("upload"),
	}
	lister := uploadsLister{client: apiClient(t, srv)}

	var want []string
	for _, up := range srv.Uploads("") {
		if strPtrEq(up.UploadCollectionID, heroes) && hasTags(up, "brand") {
			want = append(want, up.ID)
		}
	}
	var got []string
	for result := range lister.streamUploads(ctx, req, "datocms_upload_metadata", mapping) {
		if result.Diagnostics.HasError() {
			t.Fatal(result.Diagnostics)
		}
		var identity idIdentity
		var state metadataModel
		if diags := result.Identity.Get(ctx, &identity); diags.HasError() {
			t.Fatal(diags)
		}
		if diags := result.Resource.Get(ctx, &state); diags.HasError() {
			t.Fatal(diags)
		}
		up, _ := srv.Upload("", identity.ID.ValueString())
		if state.UploadID != identity.ID || state.Author.ValueString() != deref(up.Author) || result.DisplayName != up.Filename+" ("+up.ID+")" {
			t.Errorf("result %q: state %+v, display name %q; upload %+v", identity.ID, state, result.DisplayName, up)
		}
		got = append(got, identity.ID.ValueString())
	}
	if len(want) != 2 || !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("listed %q, want the 2 uploads in Heroes tagged brand %q", got, want)
	}

	// Limit 1: one result, one page of one.
	req.Limit = 1
	if n := len(slices.Collect(lister.streamUploads(ctx, req, "datocms_upload_metadata", mapping))); n != 1 {
		t.Errorf("%d results with limit 1", n)
	}
	// Without a configured provider: one error result.
	results := slices.Collect((&uploadsLister{}).streamUploads(ctx, req, "datocms_upload_metadata", mapping))
	if len(results) != 1 || !results[0].Diagnostics.HasError() {
		t.Errorf("unconfigured listing: %+v", results)
	}
}
