package provider

import (
	"context"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// modelFromAPI maps an upload returned by DatoCMS onto the model. prior (the plan or the
// previous state) supplies what the API does not know: source, replace_strategy, timeouts,
// and how empty metadata and the focal point are represented.
func modelFromAPI(ctx context.Context, up *datocms.Upload, prior uploadResourceModel) (uploadResourceModel, diag.Diagnostics) {
	m := prior
	m.ID = types.StringValue(up.ID)
	m.MD5 = types.StringValue(up.MD5)
	m.Size = types.Int64Value(up.Size)
	m.Format = types.StringPointerValue(up.Format)
	m.MimeType = types.StringPointerValue(up.MimeType)
	m.URL = types.StringValue(up.URL)
	m.Path = types.StringValue(up.Path)
	m.Filename = types.StringValue(up.Filename)
	m.Width = types.Int64PointerValue(up.Width)
	m.Height = types.Int64PointerValue(up.Height)
	m.IsImage = types.BoolValue(up.IsImage)
	m.Blurhash = types.StringPointerValue(up.Blurhash)
	m.Thumbhash = types.StringPointerValue(up.Thumbhash)
	m.CreatedAt = types.StringValue(up.CreatedAt)
	m.Basename = types.StringValue(up.Basename)
	if m.ReplaceStrategy.IsNull() || m.ReplaceStrategy.IsUnknown() {
		m.ReplaceStrategy = types.StringValue(replaceStrategyCreateNewURL)
	}
	m.ContentWO, m.ContentBase64WO = types.StringNull(), types.StringNull() // write-only: never in state
	m.uploadAfterFields = uploadAfterFromAPI(up)
	var diags diag.Diagnostics
	m.uploadMetadataFields, diags = metadataFieldsFromAPI(ctx, up, prior.uploadMetadataFields, false)
	return m, diags
}

// uploadMetadataFields are the metadata arguments that datocms_upload and
// datocms_upload_metadata share, with one mapping to and from the API.
type uploadMetadataFields struct {
	Author               types.String `tfsdk:"author"`
	Copyright            types.String `tfsdk:"copyright"`
	Notes                types.String `tfsdk:"notes"`
	Tags                 types.Set    `tfsdk:"tags"`
	DefaultFieldMetadata types.Map    `tfsdk:"default_field_metadata"`
	UploadCollectionID   types.String `tfsdk:"upload_collection_id"`
}

// metadataFieldsFromAPI reads the metadata of an upload; prior decides how "nothing" is
// represented (see metadataFromAPI and textFromAPI). With blankTexts, empty author,
// copyright and notes are "" whatever prior holds: datocms_upload_metadata's, which are
// computed when left out (null is "not managed"), so that "" in a configuration, even a
// freshly imported one, plans no change while DatoCMS holds nothing.
func metadataFieldsFromAPI(ctx context.Context, up *datocms.Upload, prior uploadMetadataFields, blankTexts bool) (uploadMetadataFields, diag.Diagnostics) {
	blank := types.StringValue("")
	if !blankTexts {
		blank = types.StringNull()
	}
	text := func(v *string, prior types.String) types.String {
		if v := textFromAPI(nonEmpty(v), prior); !v.IsNull() {
			return v
		}
		return blank
	}
	m := uploadMetadataFields{
		Author:             text(up.Author, prior.Author),
		Copyright:          text(up.Copyright, prior.Copyright),
		Notes:              text(up.Notes, prior.Notes),
		UploadCollectionID: types.StringPointerValue(up.UploadCollectionID),
	}
	var diags diag.Diagnostics
	tags, d := types.SetValueFrom(ctx, types.StringType, up.Tags)
	diags.Append(d...)
	m.Tags = tags
	dfm, d := metadataFromAPI(ctx, up.DefaultFieldMetadata, prior.DefaultFieldMetadata)
	diags.Append(d...)
	m.DefaultFieldMetadata = dfm
	return m, diags
}

// addPatch adds to in what takes the metadata from state to plan: only what changed, with
// null clearing a value. Unknown planned values are left alone.
func (plan uploadMetadataFields) addPatch(ctx context.Context, state uploadMetadataFields, in *datocms.UpdateUploadInput) diag.Diagnostics {
	changed := func(p, s attr.Value) bool { return !p.IsUnknown() && !p.Equal(s) }
	if changed(plan.Author, state.Author) {
		in.Author = patchString(plan.Author)
	}
	if changed(plan.Copyright, state.Copyright) {
		in.Copyright = patchString(plan.Copyright)
	}
	if changed(plan.Notes, state.Notes) {
		in.Notes = patchString(plan.Notes)
	}
	if changed(plan.UploadCollectionID, state.UploadCollectionID) {
		in.UploadCollectionID = patchString(plan.UploadCollectionID)
	}
	var diags diag.Diagnostics
	if changed(plan.Tags, state.Tags) {
		tags := make([]string, 0, len(plan.Tags.Elements()))
		diags.Append(plan.Tags.ElementsAs(ctx, &tags, false)...)
		in.Tags = &tags
	}
	if !plan.DefaultFieldMetadata.IsUnknown() && !equalMetadata(ctx, plan.DefaultFieldMetadata, state.DefaultFieldMetadata) {
		dfm, d := metadataToAPI(ctx, plan.DefaultFieldMetadata)
		diags.Append(d...)
		in.DefaultFieldMetadata = dfm
	}
	return diags
}

// createInput is the body of POST /uploads for a plan; path is the uploaded file.
func createInput(ctx context.Context, plan uploadResourceModel, path string) (datocms.CreateUploadInput, diag.Diagnostics) {
	in := datocms.CreateUploadInput{
		ID:                 datocms.NewUploadID(), // client-generated so a failed create can still be found (API §1.3)
		Path:               path,
		Author:             plan.Author.ValueStringPointer(),
		Copyright:          plan.Copyright.ValueStringPointer(),
		Notes:              plan.Notes.ValueStringPointer(),
		UploadCollectionID: plan.UploadCollectionID.ValueStringPointer(),
	}
	var diags diag.Diagnostics
	in.Tags = make([]string, 0, len(plan.Tags.Elements()))
	diags.Append(plan.Tags.ElementsAs(ctx, &in.Tags, false)...)
	if !plan.DefaultFieldMetadata.IsNull() {
		dfm, d := metadataToAPI(ctx, plan.DefaultFieldMetadata)
		diags.Append(d...)
		in.DefaultFieldMetadata = dfm
	}
	return in, diags
}

// updateInput is the patch that takes the upload from state to plan: only what changed,
// with null clearing a value, so one PUT carries every change (design §3).
func updateInput(ctx context.Context, plan, state uploadResourceModel) (datocms.UpdateUploadInput, diag.Diagnostics) {
	var (
		in    datocms.UpdateUploadInput
		diags diag.Diagnostics
	)
	diags.Append(plan.addPatch(ctx, state.uploadMetadataFields, &in)...)
	if !plan.Basename.IsUnknown() && !plan.Basename.Equal(state.Basename) {
		in.Basename = plan.Basename.ValueStringPointer()
	}
	in.PosterTime = patchPosterTime(plan.PosterTime, state.PosterTime)
	return in, diags
}

// patchPosterTime is the poster time to send: unset when it does not change (compared as
// float64s, as DatoCMS keeps it), null for Mux's default.
func patchPosterTime(plan, state types.Float64) datocms.Field[float64] {
	switch {
	case plan.IsUnknown() || plan.IsNull() && state.IsNull():
		return datocms.Field[float64]{}
	case plan.IsNull():
		return datocms.Null[float64]()
	case !state.IsNull() && !state.IsUnknown() && plan.ValueFloat64() == state.ValueFloat64():
		return datocms.Field[float64]{}
	}
	return datocms.Set(plan.ValueFloat64())
}

// patchString is the value sent for a text that changed: null for null or "" (empty, as
// DatoCMS keeps it), as textToAPI decides for every text.
func patchString(v types.String) datocms.Field[string] {
	if text := textToAPI(v); text != nil {
		return datocms.Set(*text)
	}
	return datocms.Null[string]()
}

// uploadFilename is the name given to DatoCMS for a new file. DatoCMS derives basename and
// filename from it, so a configured basename is used to keep the name the user chose.
func uploadFilename(plan uploadResourceModel) string {
	if plan.hasInlineContent() {
		return plan.inlineName()
	}
	source := plan.Source.ValueString()
	if plan.hasURLSource() {
		source = urlNameOf(plan.SourceURL.ValueString())
	}
	if plan.Basename.IsNull() || plan.Basename.IsUnknown() {
		return filepath.Base(source)
	}
	return plan.Basename.ValueString() + filepath.Ext(source)
}

// nullUnknowns replaces the values still unknown in a plan by null, so that a partial
// state can be saved after a failed create (state may not hold unknown values), and drops
// write-only content, which state never holds.
func (m *uploadResourceModel) nullUnknowns() {
	m.ContentWO, m.ContentBase64WO = types.StringNull(), types.StringNull()
	for _, s := range []*types.String{&m.ID, &m.MD5, &m.Format, &m.MimeType, &m.URL, &m.Path, &m.Filename,
		&m.Blurhash, &m.Thumbhash, &m.CreatedAt, &m.Basename, &m.AntivirusStatus, &m.ThreatName, &m.MuxPlaybackID, &m.MuxMP4HighestRes} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	for _, i := range []*types.Int64{&m.Size, &m.Width, &m.Height} {
		if i.IsUnknown() {
			*i = types.Int64Null()
		}
	}
	if m.IsImage.IsUnknown() {
		m.IsImage = types.BoolNull()
	}
	for _, f := range []*types.Float64{&m.Duration, &m.FrameRate} {
		if f.IsUnknown() {
			*f = types.Float64Null()
		}
	}
}
