package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/text/language"

	"github.com/assetform/terraform-provider-datocms/internal/createjournal"
	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// datocms_upload_track: one subtitle or audio track of a video upload (API §6.12). DatoCMS
// has no update for tracks and chooses their IDs, so every change replaces the track, and a
// create that was interrupted is found again through the create journal (see Create).

var (
	_ resource.Resource                   = (*uploadTrackResource)(nil)
	_ resource.ResourceWithConfigure      = (*uploadTrackResource)(nil)
	_ resource.ResourceWithImportState    = (*uploadTrackResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*uploadTrackResource)(nil)
	_ resource.ResourceWithValidateConfig = (*uploadTrackResource)(nil)
)

const (
	defaultTrackCreateTimeout = 10 * time.Minute
	defaultTrackDeleteTimeout = 5 * time.Minute
)

// NewUploadTrackResource is the datocms_upload_track resource.
func NewUploadTrackResource() resource.Resource { return &uploadTrackResource{} }

type uploadTrackResource struct {
	client  *datocms.Client
	files   *localfile.Files
	journal *createjournal.Journal
	owner   createjournal.Owner
}

type uploadTrackModel struct {
	ID             types.String   `tfsdk:"id"`
	UploadID       types.String   `tfsdk:"upload_id"`
	Type           types.String   `tfsdk:"type"`
	Source         types.String   `tfsdk:"source"`
	SourceURL      types.String   `tfsdk:"source_url"`
	MD5            types.String   `tfsdk:"md5"`
	Name           types.String   `tfsdk:"name"`
	LanguageCode   types.String   `tfsdk:"language_code"`
	ClosedCaptions types.Bool     `tfsdk:"closed_captions"`
	Status         types.String   `tfsdk:"status"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

func (r *uploadTrackResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload_track"
}

func (r *uploadTrackResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaced := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A subtitle or audio track of a video upload. DatoCMS has no update for tracks: every change " +
			"replaces the track (use `create_before_destroy` so that the video is never without it). The create waits " +
			"until DatoCMS has prepared the track.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The track ID, chosen by DatoCMS.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"upload_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "ID of the video upload the track belongs to.",
				PlanModifiers: replaced, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"type": schema.StringAttribute{
				Required: true, MarkdownDescription: "`subtitles` or `audio`.",
				PlanModifiers: replaced, Validators: []validator.String{stringvalidator.OneOf("subtitles", "audio")},
			},
			"source": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of the track's local file (WebVTT or SRT subtitles, or audio). Hashed at plan " +
					"time: a new content replaces the track. Set `source` or `source_url`.",
				PlanModifiers: replaced, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"source_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "URL DatoCMS downloads the track from (`https`, without credentials), instead of " +
					"`source`. DatoCMS reads it once: a new file at the same URL needs a new URL (or a replace).",
				PlanModifiers: replaced, Validators: []validator.String{urlValidator{}},
			},
			"md5": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Hex MD5 of `source` when the track was made; a new content replaces the track.",
				// ModifyPlan replaces the prior value only when the file's content changed; an
				// update (of timeouts alone) keeps it, as Update writes the plan to state.
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "Name of the track in the player's menu, such as `English`.",
				PlanModifiers: replaced, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"language_code": schema.StringAttribute{
				Required: true, MarkdownDescription: "Language of the track, as a BCP 47 tag such as `en`, `it` or `pt-BR`.",
				PlanModifiers: replaced, Validators: []validator.String{bcp47Validator{}},
			},
			"closed_captions": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Whether subtitles are closed captions (they describe sounds too). Default `false`.",
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"status": schema.StringAttribute{
				Computed: true, MarkdownDescription: "`ready` once DatoCMS has prepared the track (the create waits for it).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
	}
}

func (r *uploadTrackResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.client, r.files, r.journal, r.owner = data.client, data.files, data.journal, data.owner
	}
}

func (r *uploadTrackResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var source, sourceURL types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("source"), &source)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("source_url"), &sourceURL)...)
	if source.IsUnknown() || sourceURL.IsUnknown() {
		return
	}
	if source.IsNull() == sourceURL.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("source"), "Set one of source and source_url",
			"A track's file comes from a local file (source) or from a URL DatoCMS downloads (source_url): set exactly one.")
	}
}

// ModifyPlan hashes the local file: a new content replaces the track.
func (r *uploadTrackResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.files == nil || req.Plan.Raw.IsNull() {
		return
	}
	var plan uploadTrackModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	md5 := types.StringNull()
	switch {
	case plan.Source.IsUnknown():
		md5 = types.StringUnknown()
	case !plan.Source.IsNull():
		facts, _, err := r.files.Facts(plan.Source.ValueString(), nil)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("source"), "Unusable track file", err.Error())
			return
		}
		md5 = types.StringValue(facts.MD5)
	}
	if req.State.Raw.IsNull() {
		plan.MD5 = md5
	} else {
		var prior types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("md5"), &prior)...)
		if !md5.Equal(prior) {
			plan.MD5 = md5
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("md5"))
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

func (r *uploadTrackResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan uploadTrackModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTrackCreateTimeout)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	uploadID := plan.UploadID.ValueString()

	scope, key := r.journalScope(ctx), trackJournalKey(plan)
	track := r.adoptInterrupted(ctx, scope, plan)
	if track == nil {
		if track = r.createTrack(ctx, scope, key, plan, &resp.Diagnostics); track == nil {
			return
		}
	}
	if track.Status == datocms.TrackPreparing {
		// AwaitTrack returns its last read with the error that ended the wait (the timeout):
		// a track still preparing then fails the create, whatever that read said.
		got, err := r.client.AwaitTrack(ctx, uploadID, track.ID)
		if got != nil {
			track = got
		}
		if err != nil {
			r.saveTrack(ctx, plan, track, &resp.State, &resp.Diagnostics)
			resp.Diagnostics.AddError("Track not ready", fmt.Sprintf("Track %s of upload %s was created, but DatoCMS did not "+
				"finish preparing it: %s. It is kept in state, marked tainted, and replaced by the next apply.", track.ID, uploadID,
				describeAPIError(err, timeout, "create")))
			// The track is in state now: a later create of the same track must not adopt it.
			r.journalForget(scope, key)
			return
		}
	}
	if track.Status == datocms.TrackErrored {
		r.discardErrored(ctx, track, &resp.Diagnostics)
		r.journalForget(scope, key)
		return
	}
	r.saveTrack(ctx, plan, track, &resp.State, &resp.Diagnostics)
	r.journalForget(scope, key)
}

// createTrack sends the track's file and creates the track, with a journal entry naming the
// tracks that existed before, so that the next apply can find a track this create made if
// it never returns. It returns nil, with the reason in diags, when no track was created.
func (r *uploadTrackResource) createTrack(ctx context.Context, scope, key string, plan uploadTrackModel, diags *diag.Diagnostics) *datocms.Track {
	uploadID := plan.UploadID.ValueString()
	existing, err := r.client.ListTracks(ctx, uploadID)
	if err != nil {
		diags.Append(apiErrorDiagnostic("Error reading tracks", fmt.Sprintf("Could not list the tracks of upload %s: %s", uploadID, err), err))
		return nil
	}
	in := datocms.CreateTrackInput{Type: plan.Type.ValueString(), Source: plan.SourceURL.ValueString(), Name: plan.Name.ValueString(),
		LanguageCode: plan.LanguageCode.ValueString(), ClosedCaptions: plan.ClosedCaptions.ValueBool()}
	if !plan.Source.IsNull() {
		file, err := r.client.UploadFile(ctx, datocms.UploadFileInput{LocalPath: plan.Source.ValueString(),
			ExpectedMD5: plan.MD5.ValueString(), ExpectedSize: -1})
		if err != nil {
			diags.AddAttributeError(path.Root("source"), "Error uploading track file",
				fmt.Sprintf("Could not upload %q: %s. No track was created.", plan.Source.ValueString(), err))
			return nil
		}
		in.Source = file.Path
	}
	before := make([]string, 0, len(existing))
	for _, t := range existing {
		before = append(before, t.ID)
	}
	if scope == "" {
		tflog.Warn(ctx, "no create journal for this track: the environment could not be read")
	} else if err := r.journal.Record(scope, createjournal.Entry{UploadID: key, Key: trackDescription(plan), MD5: plan.MD5.ValueString(),
		Owner: r.owner, Terraform: createjournal.Terraform(), Stage: createjournal.Started, CreatedAt: time.Now().UTC(), Before: before}); err != nil {
		tflog.Warn(ctx, "could not write the create journal", map[string]any{"error": err.Error()})
	}
	track, err := r.client.CreateTrack(ctx, uploadID, in)
	if err != nil {
		diags.Append(apiErrorDiagnostic("Error creating track", fmt.Sprintf("Could not create the %s track %q of upload %s: %s",
			in.Type, in.Name, uploadID, err), err))
		return nil
	}
	return track
}

// adoptInterrupted finds the track that an interrupted create of the same track made (same
// upload, type, language and name; the create's terraform process gone): the one track
// that matches and did not exist before that create. It returns nil when there is none or
// the choice is not certain.
func (r *uploadTrackResource) adoptInterrupted(ctx context.Context, scope string, plan uploadTrackModel) *datocms.Track {
	if scope == "" {
		return nil
	}
	entries := r.journal.Adoptable(scope, r.owner, trackDescription(plan), plan.MD5.ValueString())
	if len(entries) == 0 {
		return nil
	}
	tracks, err := r.client.ListTracks(ctx, plan.UploadID.ValueString())
	if err != nil {
		return nil
	}
	var found []datocms.Track
	for _, t := range tracks {
		if t.Type == plan.Type.ValueString() && t.LanguageCode == plan.LanguageCode.ValueString() &&
			t.Name == plan.Name.ValueString() && !slices.Contains(entries[len(entries)-1].Before, t.ID) {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		return nil
	}
	tflog.Info(ctx, "adopting the track of an interrupted create", map[string]any{"upload_id": plan.UploadID.ValueString(), "track_id": found[0].ID})
	return &found[0]
}

// discardErrored deletes a track DatoCMS could not prepare, so nothing is left behind, and
// says why it failed.
func (r *uploadTrackResource) discardErrored(ctx context.Context, track *datocms.Track, diags *diag.Diagnostics) {
	why := "DatoCMS gave no reason"
	if track.Error != nil && *track.Error != "" {
		why = *track.Error
	}
	left := "It was deleted again, so nothing is left behind."
	if err := r.client.DeleteTrack(ctx, track.UploadID, track.ID); err != nil && !datocms.IsNotFound(err) {
		left = fmt.Sprintf("Deleting it again failed (%s): delete track %s in DatoCMS.", err, track.ID)
	}
	diags.AddError("Track could not be prepared", fmt.Sprintf("DatoCMS could not prepare the %s track %q of upload %s: %s. %s",
		track.Type, track.Name, track.UploadID, why, left))
}

func (r *uploadTrackResource) saveTrack(ctx context.Context, prior uploadTrackModel, t *datocms.Track, state *tfsdk.State, diags *diag.Diagnostics) {
	m := prior
	m.ID, m.UploadID, m.Type = types.StringValue(t.ID), types.StringValue(t.UploadID), types.StringValue(t.Type)
	m.Name, m.LanguageCode, m.ClosedCaptions = types.StringValue(t.Name), types.StringValue(t.LanguageCode), types.BoolValue(t.ClosedCaptions)
	m.Status = types.StringValue(t.Status)
	if m.MD5.IsUnknown() {
		m.MD5 = types.StringNull()
	}
	diags.Append(state.Set(ctx, m)...)
}

// Read reads the track through its upload's list; a track (or upload) deleted in DatoCMS
// leaves the state, so the next plan creates it again.
func (r *uploadTrackResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state uploadTrackModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	t, err := r.client.GetTrack(ctx, state.UploadID.ValueString(), state.ID.ValueString())
	switch {
	case datocms.IsNotFound(err):
		tflog.Info(ctx, "track no longer exists in DatoCMS; removing it from state", map[string]any{"track_id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
	case err != nil:
		resp.Diagnostics.Append(apiErrorDiagnostic("Error reading track", fmt.Sprintf("Could not read track %s of upload %s: %s",
			state.ID.ValueString(), state.UploadID.ValueString(), err), err))
	default:
		r.saveTrack(ctx, state, t, &resp.State, &resp.Diagnostics)
	}
}

// Update never runs: every argument replaces the track (timeouts aside, which only the
// state keeps).
func (r *uploadTrackResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan uploadTrackModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	}
}

func (r *uploadTrackResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state uploadTrackModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTrackDeleteTimeout)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := r.client.DeleteTrack(ctx, state.UploadID.ValueString(), state.ID.ValueString())
	if err != nil && !datocms.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error deleting track", fmt.Sprintf("Could not delete track %s of upload %s: %s",
			state.ID.ValueString(), state.UploadID.ValueString(), describeAPIError(err, timeout, "delete")), err))
	}
}

// ImportState takes "<upload_id>/<track_id>".
func (r *uploadTrackResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	uploadID, trackID, ok := strings.Cut(req.ID, "/")
	if !ok || uploadID == "" || trackID == "" || strings.Contains(trackID, "/") {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Import a datocms_upload_track as <upload_id>/<track_id>, "+
			"for example: terraform import datocms_upload_track.hero_en q0VNpiNQSkG6z0lif_O1zg/1234567 (got %q).", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("upload_id"), uploadID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), trackID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("closed_captions"), false)...)
}

// journalScope is the create journal's scope for the tracks of this environment, or "" (no
// journal) when the environment cannot be read.
func (r *uploadTrackResource) journalScope(ctx context.Context) string {
	if _, scope, err := currentProject(ctx, r.client); err == nil {
		return scope + "-tracks"
	}
	return ""
}

func (r *uploadTrackResource) journalForget(scope, key string) {
	if scope != "" {
		r.journal.Forget(scope, key)
	}
}

// trackDescription names a track by what identifies it in its upload's list.
func trackDescription(plan uploadTrackModel) string {
	return fmt.Sprintf("track %s/%s/%s/%s", plan.UploadID.ValueString(), plan.Type.ValueString(), plan.LanguageCode.ValueString(),
		plan.Name.ValueString())
}

// trackJournalKey is the journal's file name for a track's create.
func trackJournalKey(plan uploadTrackModel) string {
	sum := sha256.Sum256([]byte(trackDescription(plan)))
	return hex.EncodeToString(sum[:16])
}

// bcp47Validator checks a language tag at plan time.
type bcp47Validator struct{}

func (bcp47Validator) Description(context.Context) string {
	return "a BCP 47 language tag, such as en or pt-BR"
}

func (v bcp47Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (bcp47Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	tag := req.ConfigValue.ValueString()
	if _, err := language.Parse(tag); err != nil || strings.TrimSpace(tag) != tag {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid language code",
			fmt.Sprintf("%q is not a BCP 47 language tag: use one such as \"en\", \"it\" or \"pt-BR\".", tag))
	}
}
