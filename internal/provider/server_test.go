package provider

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// These tests hold server's shortcuts (readUnchanged, planUnchanged) to the framework's
// answers: each request is sent to both, through the protocol as Terraform sends it, and
// the answers must be the same, whether the shortcut answered or declined. The counters
// show which one did, so a shortcut that never answers fails too.

// fastPathHarness is a configured server with one datocms_upload, driven as Terraform would.
type fastPathHarness struct {
	t        *testing.T
	srv      *datocmstest.Server
	server   *server
	schema   *tfprotov6.Schema
	typ      tftypes.Object
	identity tftypes.Object
	config   *tfprotov6.DynamicValue
	state    *tfprotov6.DynamicValue
	private  []byte
}

func newFastPathHarness(t *testing.T, srv *datocmstest.Server, config map[string]tftypes.Value) *fastPathHarness {
	t.Helper()
	p := configuredProtoProvider(t, srv)
	s, schemas := p.server, p.schemas
	typ, identity := s.uploadTypes(t.Context())
	h := &fastPathHarness{t: t, srv: srv, server: s, schema: schemas.ResourceSchemas[uploadTypeName], typ: typ, identity: identity}
	h.config = objectValue(t, typ, config)
	return h
}

// create plans and applies the configuration as Terraform does for a new resource: the
// proposed new state is the configuration with every unset computed attribute unknown.
func (h *fastPathHarness) create() {
	t := h.t
	t.Helper()
	config := unmarshal(t, h.config, h.typ)
	var attrs map[string]tftypes.Value
	if err := config.As(&attrs); err != nil {
		t.Fatal(err)
	}
	for _, a := range h.schema.Block.Attributes {
		if a.Computed && attrs[a.Name].IsNull() {
			attrs[a.Name] = tftypes.NewValue(h.typ.AttributeTypes[a.Name], tftypes.UnknownValue)
		}
	}
	proposed, err := tfprotov6.NewDynamicValue(h.typ, tftypes.NewValue(h.typ, attrs))
	if err != nil {
		t.Fatal(err)
	}
	null := h.null()
	plan, err := h.server.PlanResourceChange(t.Context(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: uploadTypeName, PriorState: null, ProposedNewState: &proposed, Config: h.config,
	})
	if err != nil || diagsHaveError(plan.Diagnostics) {
		t.Fatalf("PlanResourceChange (create): %v %s", err, diagsText(plan.Diagnostics))
	}
	applied, err := h.server.ApplyResourceChange(t.Context(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: uploadTypeName, PriorState: null, PlannedState: plan.PlannedState, Config: h.config,
		PlannedPrivate: plan.PlannedPrivate, PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil || diagsHaveError(applied.Diagnostics) {
		t.Fatalf("ApplyResourceChange (create): %v %s", err, diagsText(applied.Diagnostics))
	}
	h.state, h.private = applied.NewState, applied.Private
}

func (h *fastPathHarness) null() *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(h.typ, tftypes.NewValue(h.typ, nil))
	if err != nil {
		h.t.Fatal(err)
	}
	return &dv
}

// refresh sends the same ReadResource to the server and to the framework, checks that
// they answer the same, reports whether the server's shortcut answered, and keeps the
// refreshed state and private state, as the next plan gets them.
func (h *fastPathHarness) refresh() (fast bool) {
	t := h.t
	t.Helper()
	req := func() *tfprotov6.ReadResourceRequest {
		return &tfprotov6.ReadResourceRequest{TypeName: uploadTypeName, CurrentState: h.state, Private: h.private}
	}
	before := h.server.fastReads.Load()
	got, err := h.server.ReadResource(t.Context(), req())
	if err != nil {
		t.Fatal(err)
	}
	fast = h.server.fastReads.Load() > before
	want, err := h.server.frameworkServer.ReadResource(t.Context(), req())
	if err != nil {
		t.Fatal(err)
	}
	h.sameDiagnostics("ReadResource", got.Diagnostics, want.Diagnostics)
	h.sameValue("ReadResource new state", got.NewState, want.NewState, h.typ)
	h.samePrivate("ReadResource private", got.Private, want.Private)
	h.sameValue("ReadResource identity", got.NewIdentity.IdentityData, want.NewIdentity.IdentityData, h.identity)
	h.state, h.private = want.NewState, want.Private
	return fast
}

// planUnchangedConfig sends the PlanResourceChange of the current state with an unchanged
// configuration (the proposed new state is then the prior state) to both, checks that they
// answer the same and reports whether the server's shortcut answered.
func (h *fastPathHarness) planUnchangedConfig() (fast bool) {
	t := h.t
	t.Helper()
	req := func() *tfprotov6.PlanResourceChangeRequest {
		return &tfprotov6.PlanResourceChangeRequest{
			TypeName: uploadTypeName, PriorState: h.state, ProposedNewState: h.state, Config: h.config, PriorPrivate: h.private,
		}
	}
	before := h.server.fastPlans.Load()
	got, err := h.server.PlanResourceChange(t.Context(), req())
	if err != nil {
		t.Fatal(err)
	}
	fast = h.server.fastPlans.Load() > before
	want, err := h.server.frameworkServer.PlanResourceChange(t.Context(), req())
	if err != nil {
		t.Fatal(err)
	}
	h.sameDiagnostics("PlanResourceChange", got.Diagnostics, want.Diagnostics)
	h.sameValue("PlanResourceChange planned state", got.PlannedState, want.PlannedState, h.typ)
	h.samePrivate("PlanResourceChange planned private", got.PlannedPrivate, want.PlannedPrivate)
	h.sameValue("PlanResourceChange planned identity", got.PlannedIdentity.IdentityData, want.PlannedIdentity.IdentityData, h.identity)
	if len(got.RequiresReplace) != 0 || len(want.RequiresReplace) != 0 {
		t.Errorf("PlanResourceChange requires replace: server %v, framework %v", got.RequiresReplace, want.RequiresReplace)
	}
	return fast
}

func (h *fastPathHarness) sameValue(what string, got, want *tfprotov6.DynamicValue, typ tftypes.Type) {
	h.t.Helper()
	if g, w := unmarshal(h.t, got, typ), unmarshal(h.t, want, typ); !g.Equal(w) {
		h.t.Errorf("%s differs:\nserver:    %s\nframework: %s", what, g, w)
	}
}

// samePrivate compares private states key by key (Terraform keeps them as opaque bytes,
// and the framework re-encodes them).
func (h *fastPathHarness) samePrivate(what string, got, want []byte) {
	h.t.Helper()
	g, okG := decodePrivate(got)
	w, okW := decodePrivate(want)
	if !okG || !okW {
		h.t.Fatalf("%s: not the framework's encoding: %q / %q", what, got, want)
	}
	gj, _ := json.Marshal(g)
	wj, _ := json.Marshal(w)
	if !bytes.Equal(gj, wj) {
		h.t.Errorf("%s differs:\nserver:    %s\nframework: %s", what, got, want)
	}
}

func (h *fastPathHarness) sameDiagnostics(what string, got, want []*tfprotov6.Diagnostic) {
	h.t.Helper()
	if g, w := diagsText(got), diagsText(want); g != w {
		h.t.Errorf("%s diagnostics differ:\nserver:    %s\nframework: %s", what, g, w)
	}
}

func (h *fastPathHarness) stateAttribute(name string) tftypes.Value {
	var attrs map[string]tftypes.Value
	if err := unmarshal(h.t, h.state, h.typ).As(&attrs); err != nil {
		h.t.Fatal(err)
	}
	return attrs[name]
}

func TestFastPath_sourceFileUpload(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	file := filepath.Join(t.TempDir(), "hero.txt")
	if err := os.WriteFile(file, []byte("hero v1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	h := newFastPathHarness(t, srv, map[string]tftypes.Value{
		"source": str(file),
		"notes":  str("first"),
		"tags":   tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{str("b"), str("a"), str("c")}),
	})
	h.create()

	// Right after the apply: the upload is as the apply recorded it.
	if !h.refresh() {
		t.Error("refresh after apply: the shortcut did not answer")
	}
	if !h.planUnchangedConfig() {
		t.Error("plan after apply: the shortcut did not answer")
	}

	// Edited in DatoCMS: the refresh must map the upload again (and show the drift).
	var id string
	if err := h.stateAttribute("id").As(&id); err != nil {
		t.Fatal(err)
	}
	if err := srv.EditUpload("", id, func(u *datocmstest.Upload) { n := "edited in the UI"; u.Notes = &n }); err != nil {
		t.Fatal(err)
	}
	if h.refresh() {
		t.Error("refresh after a remote edit: the shortcut answered")
	}
	if got := h.stateAttribute("notes"); !got.Equal(str("edited in the UI")) {
		t.Errorf("refreshed notes = %s, want the remote edit", got)
	}
	if !h.refresh() {
		t.Error("second refresh after the remote edit: the shortcut did not answer")
	}

	// Touched (same content, new stat): the file is hashed again, by the framework's Read.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	if h.refresh() {
		t.Error("refresh after touching the source: the shortcut answered")
	}
	if !h.planUnchangedConfig() {
		t.Error("plan after the refresh of a touched file: the shortcut did not answer")
	}

	// New content: the plan must show it (the framework plans it).
	if err := os.WriteFile(file, []byte("hero v2, longer\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if h.planUnchangedConfig() {
		t.Error("plan of a changed file: the shortcut answered")
	}
}

func TestFastPath_importedAndInline(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

	// Inline content: refreshed by the shortcut; planned by the framework (content is hashed).
	inline := newFastPathHarness(t, srv, map[string]tftypes.Value{
		"content": str("inline text\n"), "basename": str("inline"), "extension": str("txt"), "author": str("me"),
	})
	inline.create()
	if !inline.refresh() {
		t.Error("refresh of inline content: the shortcut did not answer")
	}
	if inline.planUnchangedConfig() {
		t.Error("plan of inline content: the shortcut answered")
	}

	// Imported, metadata only (no source nor content): the first refresh maps it (nothing
	// recorded yet), the next ones and the plan are answered by the shortcut.
	var id string
	if err := inline.stateAttribute("id").As(&id); err != nil {
		t.Fatal(err)
	}
	imported := newFastPathHarness(t, srv, nil)
	resp, err := imported.server.ImportResourceState(t.Context(), &tfprotov6.ImportResourceStateRequest{TypeName: uploadTypeName, ID: id})
	if err != nil || diagsHaveError(resp.Diagnostics) || len(resp.ImportedResources) != 1 {
		t.Fatalf("ImportResourceState: %v %s", err, diagsText(resp.Diagnostics))
	}
	imported.state, imported.private = resp.ImportedResources[0].State, resp.ImportedResources[0].Private
	if imported.refresh() {
		t.Error("first refresh after import: the shortcut answered")
	}
	if !imported.refresh() {
		t.Error("second refresh after import: the shortcut did not answer")
	}
	// The configuration -generate-config-out writes: the state's arguments.
	var attrs map[string]tftypes.Value
	if err := unmarshal(t, imported.state, imported.typ).As(&attrs); err != nil {
		t.Fatal(err)
	}
	config := map[string]tftypes.Value{}
	for _, a := range imported.schema.Block.Attributes {
		if a.Optional || a.Required {
			config[a.Name] = attrs[a.Name]
		}
	}
	imported.config = objectValue(t, imported.typ, config)
	if !imported.planUnchangedConfig() {
		t.Error("plan of the imported upload: the shortcut did not answer")
	}
}

// TestFastPath_upgradeResourceState: a state of the current schema version, as Terraform
// stores it (JSON, here with an attribute an older version had), is upgraded by the server
// exactly as by the framework.
func TestFastPath_upgradeResourceState(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	h := newFastPathHarness(t, srv, map[string]tftypes.Value{
		"content": str("upgrade me\n"), "basename": str("upgrade"), "extension": str("txt"),
		"tags": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{str("x"), str("y")}),
	})
	h.create()
	stored, ok := stateJSON(unmarshal(t, h.state, h.typ)).(map[string]any)
	if !ok {
		t.Fatal("state is not an object")
	}
	stored["attribute_of_an_older_version"] = 1
	raw, err := json.Marshal(stored)
	if err != nil {
		t.Fatal(err)
	}
	req := func() *tfprotov6.UpgradeResourceStateRequest {
		return &tfprotov6.UpgradeResourceStateRequest{TypeName: uploadTypeName, Version: uploadSchemaVersion, RawState: &tfprotov6.RawState{JSON: raw}}
	}
	got, err := h.server.UpgradeResourceState(t.Context(), req())
	if err != nil {
		t.Fatal(err)
	}
	want, err := h.server.frameworkServer.UpgradeResourceState(t.Context(), req())
	if err != nil {
		t.Fatal(err)
	}
	h.sameDiagnostics("UpgradeResourceState", got.Diagnostics, want.Diagnostics)
	h.sameValue("UpgradeResourceState upgraded state", got.UpgradedState, want.UpgradedState, h.typ)
	h.sameValue("UpgradeResourceState upgraded state and the state", got.UpgradedState, h.state, h.typ)
}

// stateJSON is v as Terraform writes it in a state file.
func stateJSON(v tftypes.Value) any {
	if v.IsNull() {
		return nil
	}
	switch typ := v.Type(); {
	case typ.Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case typ.Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return json.Number(f.Text('g', -1))
	case typ.Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	case typ.Is(tftypes.Object{}) || typ.Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := map[string]any{}
		for k, e := range m {
			out[k] = stateJSON(e)
		}
		return out
	default:
		var elems []tftypes.Value
		_ = v.As(&elems)
		out := []any{}
		for _, e := range elems {
			out = append(out, stateJSON(e))
		}
		return out
	}
}
