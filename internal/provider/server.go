package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// NewServer returns the constructor of the provider's protocol 6 server, as main serves it
// and the tests run it: the framework's server, with a shortcut for the RPCs Terraform
// sends for every upload of every plan.
//
// Why: a plan of 1,000 unchanged uploads spent ~9 s of provider CPU, ~70 % of it in the
// framework converting the 30-attribute upload object by reflection, several times per RPC
// (make bench-scale). For an upload whose configuration matches its state and whose source
// file is the version recorded at the last refresh, the framework's answer is known without
// any of that: the prior state, unchanged. server answers those RPCs itself and hands every
// other case, and every other RPC, to the framework. TestFastPath* check that both answer
// the same.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := &datocmsProvider{version: version}
		fw, ok := providerserver.NewProtocol6(p)().(frameworkServer)
		if !ok {
			panic("terraform-plugin-framework's server no longer serves list resources")
		}
		return &server{frameworkServer: fw, provider: p}
	}
}

// frameworkServer is the framework's protocol 6 server: a provider server with list
// resources (which terraform-plugin-go v0.31 keeps out of ProviderServer for now).
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

// server is the framework's server (embedded: every RPC not overridden here goes to it).
type server struct {
	frameworkServer
	provider *datocmsProvider

	typesOnce sync.Once
	upload    tftypes.Object // datocms_upload's state type
	identity  tftypes.Object // its identity type

	fastReads atomic.Int64 // refreshes answered by readUnchanged, for tests
	fastPlans atomic.Int64 // plans answered by planUnchanged, for tests
}

// uploadTypes returns the state and identity types of datocms_upload, derived once from the
// schemas the framework serves.
func (s *server) uploadTypes(ctx context.Context) (state, identity tftypes.Object) {
	s.typesOnce.Do(func() {
		r := &uploadResource{}
		var schemaResp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &schemaResp)
		s.upload, _ = schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
		s.identity, _ = idIdentitySchema("upload").Type().TerraformType(ctx).(tftypes.Object)
	})
	return s.upload, s.identity
}

// UpgradeResourceState answers a datocms_upload state of the current schema version as the
// framework does (decode the JSON against the schema, ignoring attributes it no longer
// has), without instantiating the resource and deriving its type on every call.
func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req == nil || req.TypeName != uploadTypeName || req.Version != uploadSchemaVersion || req.RawState == nil || req.RawState.JSON == nil {
		return s.frameworkServer.UpgradeResourceState(ctx, req)
	}
	typ, _ := s.uploadTypes(ctx)
	value, err := req.RawState.UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
	})
	if err != nil { // the framework words the error
		return s.frameworkServer.UpgradeResourceState(ctx, req)
	}
	state, err := tfprotov6.NewDynamicValue(typ, value)
	if err != nil {
		return s.frameworkServer.UpgradeResourceState(ctx, req)
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &state}, nil
}

// ReadResource answers the refresh of an unchanged datocms_upload itself (readUnchanged)
// and leaves everything else to the framework, with the upload it fetched already.
func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, fetched := s.readUnchanged(ctx, req)
	if resp != nil {
		s.fastReads.Add(1)
		return resp, nil
	}
	if fetched != nil {
		ctx = context.WithValue(ctx, fetchedUploadKey{}, fetched)
	}
	return s.frameworkServer.ReadResource(ctx, req)
}

// readUnchanged returns the refresh of a datocms_upload that DatoCMS holds as it was when its
// state was built, or nil when that is not certain (and the upload, if it fetched it). It
// is certain when the current state and the upload it fetches are those of the private
// refreshRecord, no create is pending, the project record names the project the provider
// reaches, and a source file's stat still matches its record. Read would then map the same
// upload onto its own mapping (giving it back), record the same project, file and refresh,
// and set the identity from the same id: the framework's answer is the current state,
// private state and identity. Like Read, it records the upload as tracked and forgets its
// create journal entry.
func (s *server) readUnchanged(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, *fetched) {
	data := s.provider.configured.Load()
	if data == nil || req == nil || req.TypeName != uploadTypeName || req.CurrentState == nil || len(req.CurrentState.MsgPack) == 0 {
		return nil, nil
	}
	typ, identityType := s.uploadTypes(ctx)
	current, err := req.CurrentState.Unmarshal(typ)
	if err != nil || current.IsNull() {
		return nil, nil
	}
	attrs, ok := stringAttributes(current, "id", "source")
	if !ok || attrs["id"] == nil || *attrs["id"] == "" {
		return nil, nil
	}
	id := *attrs["id"]
	private, ok := decodePrivate(req.Private)
	if !ok || readPendingCreate(ctx, private) != nil {
		return nil, nil
	}
	record := readRefreshRecord(ctx, private)
	if record == nil || record.State != stateDigest(current) {
		return nil, nil
	}
	project, _, err := currentProject(ctx, data.client)
	if recorded := readProjectRecord(ctx, private); err != nil || recorded == nil || *recorded != project {
		return nil, nil
	}
	if source := attrs["source"]; source != nil && !data.files.stillRecorded(*source, readFileRecord(ctx, private)) {
		return nil, nil
	}
	up, err := data.client.GetUpload(ctx, id)
	if err != nil {
		return nil, nil // Read fetches it again and words the error
	}
	if uploadDigest(up) != record.Upload {
		return nil, &fetched{id: id, upload: up}
	}

	configuredUploadResource(data).trackInState(ctx, id)
	identity, err := tfprotov6.NewDynamicValue(identityType, tftypes.NewValue(identityType, map[string]tftypes.Value{
		"id": tftypes.NewValue(tftypes.String, id),
	}))
	if err != nil {
		return nil, &fetched{id: id, upload: up}
	}
	return &tfprotov6.ReadResourceResponse{
		NewState:    req.CurrentState,
		Private:     req.Private,
		NewIdentity: &tfprotov6.ResourceIdentityData{IdentityData: &identity},
	}, nil
}

// fetched is an upload readUnchanged fetched for Read, which finds it in its context.
type fetched struct {
	id     string
	upload *datocms.Upload
}

type fetchedUploadKey struct{}

// fetchedUpload returns the upload readUnchanged fetched for this Read of id, or nil.
func fetchedUpload(ctx context.Context, id string) *datocms.Upload {
	if f, ok := ctx.Value(fetchedUploadKey{}).(*fetched); ok && f.id == id {
		return f.upload
	}
	return nil
}

// PlanResourceChange answers the plan of an unchanged datocms_upload itself (planUnchanged)
// and leaves everything else to the framework.
func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if resp := s.planUnchanged(ctx, req); resp != nil {
		s.fastPlans.Add(1)
		return resp, nil
	}
	return s.frameworkServer.PlanResourceChange(ctx, req)
}

// planUnchanged returns the plan of a datocms_upload that cannot change, or nil when it
// might (the framework then plans it). It cannot change when the proposed new state is
// the prior state (the configuration sets nothing the state does not hold), no create is
// pending, and the file is not managed, or is a source file whose stat still matches the
// record of private state, with the md5 DatoCMS holds. ModifyPlan would then plan every
// computed attribute from the prior state (planComputed with local facts equal to the
// state's), check nothing (nothing changes) and set the plan it got, so the framework's
// answer is the prior state, private state and identity. Like ModifyPlan, it records the
// upload as tracked (no orphan) and forgets its create journal entry.
func (s *server) planUnchanged(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) *tfprotov6.PlanResourceChangeResponse {
	data := s.provider.configured.Load()
	if data == nil || req == nil || req.TypeName != uploadTypeName || req.PriorState == nil || req.ProposedNewState == nil ||
		len(req.PriorState.MsgPack) == 0 || !bytes.Equal(req.PriorState.MsgPack, req.ProposedNewState.MsgPack) {
		return nil
	}
	typ, identityType := s.uploadTypes(ctx)
	prior, err := req.PriorState.Unmarshal(typ)
	if err != nil || !prior.IsFullyKnown() || prior.IsNull() {
		return nil
	}
	attrs, ok := stringAttributes(prior, "id", "source", "content", "content_base64", "md5")
	if !ok || attrs["id"] == nil || attrs["content"] != nil || attrs["content_base64"] != nil {
		return nil
	}
	private, ok := decodePrivate(req.PriorPrivate)
	if !ok || readPendingCreate(ctx, private) != nil {
		return nil
	}
	if source := attrs["source"]; source != nil {
		record := readFileRecord(ctx, private)
		if record == nil || attrs["md5"] == nil || record.Facts.MD5 != *attrs["md5"] || record.Facts.Size > datocms.MaxUploadSize ||
			!data.files.stillRecorded(*source, record) {
			return nil
		}
	}

	configuredUploadResource(data).trackInState(ctx, *attrs["id"])

	identity := req.PriorIdentity
	if identity == nil { // as the framework does: a null identity to start from
		null, err := tfprotov6.NewDynamicValue(identityType, tftypes.NewValue(identityType, nil))
		if err != nil {
			return nil
		}
		identity = &tfprotov6.ResourceIdentityData{IdentityData: &null}
	}
	return &tfprotov6.PlanResourceChangeResponse{
		PlannedState:    req.ProposedNewState,
		PlannedPrivate:  req.PriorPrivate,
		PlannedIdentity: identity,
	}
}

// configuredUploadResource is datocms_upload as the framework configures it, for the side
// effects the shortcuts share with its methods.
func configuredUploadResource(data *providerData) *uploadResource {
	r := &uploadResource{}
	r.configure(data)
	return r
}

// stringAttributes returns the named string attributes of an object value: nil for null.
// ok is false when obj is not such an object.
func stringAttributes(obj tftypes.Value, names ...string) (map[string]*string, bool) {
	var all map[string]tftypes.Value
	if obj.As(&all) != nil {
		return nil, false
	}
	out := make(map[string]*string, len(names))
	for _, name := range names {
		var v *string
		if all[name].As(&v) != nil {
			return nil, false
		}
		out[name] = v
	}
	return out, true
}

// rawPrivate is private state as Terraform sends it, read with the helpers of
// upload_private.go: the framework's encoding, a JSON object of base64 byte strings.
type rawPrivate map[string][]byte

// decodePrivate decodes raw private state; ok is false when it is not the framework's encoding.
func decodePrivate(raw []byte) (rawPrivate, bool) {
	private := rawPrivate{}
	if len(raw) == 0 {
		return private, true
	}
	return private, json.Unmarshal(raw, (*map[string][]byte)(&private)) == nil
}

func (p rawPrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}
