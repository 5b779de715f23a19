//go:build unix

package provider

import (
	"encoding/json"
	"math/big"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// BenchmarkUnchangedUpload measures the provider's side of a plan of one unchanged
// datocms_upload: the four RPCs Terraform sends for it (ValidateResourceConfig,
// UpgradeResourceState, ReadResource, PlanResourceChange), through the framework's server as
// Terraform calls it, with the shortcuts on and off. Its time per operation is mostly the
// refresh batching window of the client (a lone refresh waits for others to share its
// request), so it reports the process's CPU per operation (cpu-ms/op) as well. Profile it
// to see where a plan's provider CPU goes:
//
//	go test -run '^$' -bench UnchangedUpload -cpuprofile cpu.out ./internal/provider/
func BenchmarkUnchangedUpload(b *testing.B) {
	for _, mode := range []struct{ name, env string }{{"on", ""}, {"off", "1"}} {
		b.Run(mode.name, func(b *testing.B) {
			b.Setenv(envDisableShortcuts, mode.env)
			srv := datocmstest.NewServer(b, datocmstest.WithToken(testToken), datocmstest.WithRateLimit(0), datocmstest.WithJobDelay(time.Millisecond))
			p := configuredProtoProvider(b, srv)
			schema := p.schemas.ResourceSchemas[uploadTypeName]
			typ := schema.ValueType()
			src := filepath.Join(b.TempDir(), "hero.png")
			writePNG(b, src, 40, 64, 48)
			time.Sleep(2100 * time.Millisecond) // past the racy window: the file is older than its hash
			s := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
			config := objectValue(b, typ, map[string]tftypes.Value{
				"source": s(src), "author": s("Jane Doe"), "copyright": s("ACME"),
				"tags": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{s("hero"), s("homepage")}),
			})
			state, private := applyCreate(b, p, schema, config)
			raw, err := json.Marshal(stateJSON(unmarshal(b, state, typ)))
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			cpuBefore := processCPU(b)
			b.ResetTimer()
			for b.Loop() {
				// Each iteration is a new plan of the same upload, which a real plan (one
				// provider process) claims once: start each with no claims.
				p.data.claims = &uploadClaims{}
				v, err := p.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: uploadTypeName, Config: config})
				if err != nil || diagsHaveError(v.Diagnostics) {
					b.Fatalf("ValidateResourceConfig: %v %s", err, diagsText(v.Diagnostics))
				}
				up, err := p.server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: uploadTypeName, RawState: &tfprotov6.RawState{JSON: raw}})
				if err != nil || diagsHaveError(up.Diagnostics) {
					b.Fatalf("UpgradeResourceState: %v %s", err, diagsText(up.Diagnostics))
				}
				read, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: uploadTypeName, CurrentState: up.UpgradedState, Private: private})
				if err != nil || diagsHaveError(read.Diagnostics) {
					b.Fatalf("ReadResource: %v %s", err, diagsText(read.Diagnostics))
				}
				plan, err := p.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
					TypeName: uploadTypeName, PriorState: read.NewState, ProposedNewState: read.NewState, Config: config,
					PriorPrivate: read.Private, PriorIdentity: read.NewIdentity,
				})
				if err != nil || diagsHaveError(plan.Diagnostics) {
					b.Fatalf("PlanResourceChange: %v %s", err, diagsText(plan.Diagnostics))
				}
			}
			b.ReportMetric(float64(processCPU(b)-cpuBefore)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(b testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// applyCreate plans and applies a new datocms_upload as Terraform does: the proposed new
// state is the configuration with every unset computed attribute unknown.
func applyCreate(b testing.TB, p protoProvider, schema *tfprotov6.Schema, config *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, []byte) {
	b.Helper()
	typ := schema.ValueType().(tftypes.Object) //nolint:forcetypeassert // every schema is an object
	var attrs map[string]tftypes.Value
	if err := unmarshal(b, config, typ).As(&attrs); err != nil {
		b.Fatal(err)
	}
	for _, a := range schema.Block.Attributes {
		if a.Computed && attrs[a.Name].IsNull() {
			attrs[a.Name] = tftypes.NewValue(typ.AttributeTypes[a.Name], tftypes.UnknownValue)
		}
	}
	proposed, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, attrs))
	if err != nil {
		b.Fatal(err)
	}
	null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	plan, err := p.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: uploadTypeName, PriorState: &null, ProposedNewState: &proposed, Config: config})
	if err != nil || diagsHaveError(plan.Diagnostics) {
		b.Fatalf("PlanResourceChange (create): %v %s", err, diagsText(plan.Diagnostics))
	}
	applied, err := p.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: uploadTypeName, PriorState: &null, PlannedState: plan.PlannedState, Config: config,
		PlannedPrivate: plan.PlannedPrivate, PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil || diagsHaveError(applied.Diagnostics) {
		b.Fatalf("ApplyResourceChange (create): %v %s", err, diagsText(applied.Diagnostics))
	}
	return applied.NewState, applied.Private
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
