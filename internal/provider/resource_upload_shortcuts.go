package provider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"maps"
	"math/big"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// Shortcuts for unchanged uploads. A plan of 1,000 unchanged uploads spends most of the
// provider's time converting the 30-attribute upload object by reflection. For an upload
// whose state, remote upload and file are those recorded at the last refresh, the answer
// of Read and ModifyPlan is known without that: the state (or plan) as it is. Both
// methods exit early in that case, on raw values, after the framework has done its part
// (defaults, plan modifiers, identity, semantic equality): the framework answers every
// RPC. Each shortcut logs "shortcut taken" (at DEBUG), and envDisableShortcuts turns all
// of them off; the differential tests plan the same configurations both ways.

// Shortcut names, as logged.
const (
	shortcutRefresh = "refresh_unchanged" // Read kept the state
	shortcutPlan    = "plan_unchanged"    // ModifyPlan kept the plan
	shortcutFile    = "file_record"       // a file's MD5 came from a record instead of reading it
)

// logShortcut logs that a shortcut answered, with fields naming what for (upload_id or source).
func logShortcut(ctx context.Context, shortcut string, fields map[string]any) {
	fields["shortcut"] = shortcut
	tflog.Debug(ctx, "shortcut taken", fields)
}

// refreshUnchanged is Read's early exit. It keeps the state when mapping the upload again
// would give it back: private state records (refreshRecord) that this state was built by
// this build, with this schema version, from an upload that DatoCMS still returns
// unchanged (every field, updated_at included); no create is pending; the project is the
// one the upload was recorded in; and the source file's stat still shows the recorded
// version. Read would then write the same state and the same private records. Like Read,
// it records the upload as tracked. When it fetched the upload but cannot keep the state,
// it returns the upload, so that Read does not fetch it again.
func (r *uploadResource) refreshUnchanged(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) (kept bool, fetched *datocms.Upload) {
	if !r.shortcuts || req.State.Raw.IsNull() {
		return false, nil
	}
	record := readRefreshRecord(ctx, req.Private)
	if record == nil || record.Build != buildDigest() || record.Schema != resp.State.Schema.GetVersion() ||
		record.State != stateDigest(req.State.Raw) || readPendingCreate(ctx, req.Private) != nil {
		return false, nil
	}
	var id, source types.String
	if req.State.GetAttribute(ctx, path.Root("id"), &id).HasError() || req.State.GetAttribute(ctx, path.Root("source"), &source).HasError() ||
		id.ValueString() == "" {
		return false, nil
	}
	project, _, err := currentProject(ctx, r.client)
	if recorded := readProjectRecord(ctx, req.Private); err != nil || recorded == nil || *recorded != project {
		return false, nil
	}
	if !source.IsNull() && !r.files.StillRecorded(source.ValueString(), readFileRecord(ctx, req.Private)) {
		return false, nil
	}
	up, err := r.client.GetUpload(ctx, id.ValueString())
	if err != nil {
		return false, nil // Read fetches it again and words the error
	}
	if uploadDigest(up) != record.Upload {
		return false, up
	}
	r.trackInState(ctx, up.ID)
	logShortcut(ctx, shortcutRefresh, map[string]any{"upload_id": up.ID})
	return true, nil
}

// planUnchanged is ModifyPlan's early exit: it reports whether the plan the framework made
// is already the answer. That is so when the plan, after the framework applied defaults and
// plan modifiers, is the prior state (the configuration changes nothing), no create is
// pending, and the file is either not managed or a source file whose stat still shows the
// recorded version, with the md5 the state holds. ModifyPlan would then plan every computed
// attribute from the prior state and find nothing to check. Inline content always takes the
// full path (its MD5 is computed from the configuration, which is cheap anyway), write-only
// content above all, which neither plan nor state holds. So does a file from source_url:
// its MD5 comes from the pin or the last download's record, which may differ from a
// refreshed md5 (the file replaced in DatoCMS) while plan and state are equal.
func (r *uploadResource) planUnchanged(ctx context.Context, req resource.ModifyPlanRequest) bool {
	if !r.shortcuts || req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || !req.Plan.Raw.Equal(req.State.Raw) ||
		readPendingCreate(ctx, req.Private) != nil {
		return false
	}
	var id, source, sourceURL, content, contentBase64, md5 types.String
	for _, a := range []struct {
		name string
		v    *types.String
	}{{"id", &id}, {"source", &source}, {"content", &content}, {"content_base64", &contentBase64}, {"source_url", &sourceURL}, {"md5", &md5}} {
		if req.State.GetAttribute(ctx, path.Root(a.name), a.v).HasError() {
			return false
		}
	}
	if !content.IsNull() || !contentBase64.IsNull() || !sourceURL.IsNull() || mustReupload(ctx, req.Private, md5) {
		return false // a file to upload again is planned in full (see planComputed)
	}
	// Write-only content is in the configuration only: plan and state both hold null, and
	// only its MD5, computed by the full path, tells whether it changed.
	for _, name := range []string{"content_wo", "content_base64_wo"} {
		var wo types.String
		if req.Config.GetAttribute(ctx, path.Root(name), &wo).HasError() || !wo.IsNull() {
			return false
		}
	}
	if !source.IsNull() {
		record := readFileRecord(ctx, req.Private)
		if record == nil || record.Facts.MD5 != md5.ValueString() || record.Facts.Size > datocms.MaxUploadSize ||
			!r.files.StillRecorded(source.ValueString(), record) {
			return false
		}
	}
	logShortcut(ctx, shortcutPlan, map[string]any{"upload_id": id.ValueString()})
	return true
}

// privateRefreshKey holds the refreshRecord of the state it is stored with.
const privateRefreshKey = "refresh"

// refreshRecord says which upload (as DatoCMS returned it) gave which state, in which build
// of the provider and which version of the resource's schema: the mapping from upload to
// state may differ in another build or version, so their records are never trusted.
type refreshRecord struct {
	Upload string `json:"upload"` // uploadDigest of the upload the state was built from
	State  string `json:"state"`  // stateDigest of that state
	Schema int64  `json:"schema"` // the schema version of that state
	Build  string `json:"build"`  // buildDigest of the build that built it
}

func readRefreshRecord(ctx context.Context, private privateGetter) *refreshRecord {
	var rec refreshRecord
	if !readPrivate(ctx, private, privateRefreshKey, &rec) || rec.Upload == "" || rec.State == "" || rec.Build == "" {
		return nil
	}
	return &rec
}

// recordRefresh records that state was built from up by this build; with a nil up (a state
// that is not exactly the mapping of an upload) or a build that cannot be identified, it
// forgets the record.
func recordRefresh(ctx context.Context, private privateSetter, up *datocms.Upload, state tfsdk.State) diag.Diagnostics {
	var rec *refreshRecord
	if build := buildDigest(); up != nil && build != "" {
		rec = &refreshRecord{Upload: uploadDigest(up), State: stateDigest(state.Raw), Schema: state.Schema.GetVersion(), Build: build}
	}
	return writePrivate(ctx, private, privateRefreshKey, rec)
}

// buildDigest identifies this build of the provider: the module version and VCS revision of
// a build from a clean checkout (goreleaser, go install in a clean clone); otherwise (a
// modified tree, go run, a test binary) a hash of the executable itself, so that a changed
// build never trusts a record of another. "" when neither can be read: nothing is then
// recorded, and nothing trusted.
var buildDigest = sync.OnceValue(func() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" && settings["vcs.modified"] == "false" {
			sum := sha256.Sum256([]byte("vcs\x00" + info.Main.Path + "\x00" + info.Main.Version + "\x00" + rev + "\x00" + info.GoVersion))
			return shortDigest(sum[:])
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe) //nolint:gosec // our own executable
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	h.Write([]byte("exe\x00"))
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return shortDigest(h.Sum(nil))
})

// uploadDigest digests an upload as DatoCMS returned it (every field, updated_at included).
func uploadDigest(up *datocms.Upload) string {
	raw, err := json.Marshal(up)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(raw)
	return shortDigest(sum[:])
}

// stateDigest digests a state value in a canonical form: object and map keys sorted, set
// elements sorted, numbers in their shortest exact form. Terraform stores state as JSON and
// sends it back re-encoded (sets in its own order), so the bytes it sends cannot be compared.
func stateDigest(v tftypes.Value) string {
	var buf bytes.Buffer
	writeCanonical(&buf, v)
	sum := sha256.Sum256(buf.Bytes())
	return shortDigest(sum[:])
}

// shortDigest keeps 128 bits of a digest, base64url: private state is copied for every
// instance by Terraform, so its size counts.
func shortDigest(sum []byte) string {
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// writeCanonical writes v to buf as tagged, length-prefixed fields.
func writeCanonical(buf *bytes.Buffer, v tftypes.Value) {
	field := func(tag byte, s string) {
		buf.WriteByte(tag)
		buf.Write(binary.AppendUvarint(nil, uint64(len(s))))
		buf.WriteString(s)
	}
	switch {
	case !v.IsKnown():
		field('?', "")
		return
	case v.IsNull():
		field('n', "")
		return
	}
	switch typ := v.Type(); {
	case typ.Is(tftypes.String):
		var s string
		_ = v.As(&s)
		field('s', s)
	case typ.Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		field('d', f.Text('g', -1))
	case typ.Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		field('b', strconv.FormatBool(b))
	case typ.Is(tftypes.Object{}) || typ.Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		field('o', strconv.Itoa(len(m)))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			field('k', k)
			writeCanonical(buf, m[k])
		}
	case typ.Is(tftypes.Set{}):
		var elems []tftypes.Value
		_ = v.As(&elems)
		encoded := make([]string, len(elems))
		for i, e := range elems {
			var eb bytes.Buffer
			writeCanonical(&eb, e)
			encoded[i] = eb.String()
		}
		slices.Sort(encoded)
		field('e', strconv.Itoa(len(encoded)))
		for _, e := range encoded {
			buf.WriteString(e)
		}
	default: // lists and tuples, in order
		var elems []tftypes.Value
		_ = v.As(&elems)
		field('l', strconv.Itoa(len(elems)))
		for _, e := range elems {
			writeCanonical(buf, e)
		}
	}
}
