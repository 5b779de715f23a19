package provider

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// ValidateConfig checks what spans several attributes; single-attribute rules live in the schema.
// It reads only the attributes it checks: converting the whole 30-attribute object into the
// model, for every upload of every plan, cost more than all the checks.
func (r *uploadResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config uploadResourceModel
	for name, target := range map[string]any{
		"source": &config.Source, "content": &config.Content, "content_base64": &config.ContentBase64,
		"content_wo": &config.ContentWO, "content_base64_wo": &config.ContentBase64WO,
		"source_url": &config.SourceURL, "source_sha256": &config.SourceSHA256, "source_md5": &config.SourceMD5,
		"extension": &config.Extension, "basename": &config.Basename, "tags": &config.Tags,
		"default_field_metadata": &config.DefaultFieldMetadata, "timeouts": &config.Timeouts,
	} {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), target)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	validateMetadataConfig(ctx, config.DefaultFieldMetadata, config.Tags, &resp.Diagnostics)
	checkTimeoutsPositive(config.Timeouts, &resp.Diagnostics)
	validateFileOrigin(config, &resp.Diagnostics)
	validateInlineContent(config, &resp.Diagnostics)
	validateURLSource(config, &resp.Diagnostics)
}

// validateMetadataConfig checks the metadata arguments that datocms_upload and
// datocms_upload_metadata share: empty locales, conflicting focal points, and tags that
// differ only in letter case.
func validateMetadataConfig(ctx context.Context, dfm types.Map, tags types.Set, diags *diag.Diagnostics) {
	locales, d := metadataLocales(ctx, dfm)
	diags.Append(d...)
	for _, loc := range sortedKeys(locales) {
		if setsNothing(locales[loc]) {
			diags.AddAttributeError(path.Root("default_field_metadata").AtMapKey(loc), "Empty locale in default_field_metadata",
				fmt.Sprintf("Locale %q sets nothing. Set at least one of alt, title, custom_data or focal_point, or remove the locale.", loc))
		}
	}
	if _, err := sharedFocalPoint(locales); err != nil {
		diags.AddAttributeError(path.Root("default_field_metadata"), "Conflicting focal points", err.Error())
	}

	if !tags.IsUnknown() && !tags.IsNull() {
		seen := map[string]string{}
		for _, v := range tags.Elements() {
			tag, ok := v.(types.String)
			if !ok || tag.IsUnknown() || tag.IsNull() {
				continue
			}
			folded := strings.ToLower(tag.ValueString())
			if other, dup := seen[folded]; dup {
				diags.AddAttributeError(path.Root("tags"), "Duplicate tags",
					fmt.Sprintf("Tags %q and %q differ only in letter case. DatoCMS may store them as one tag, which would show "+
						"as a change on every plan; keep one of them.", other, tag.ValueString()))
				continue
			}
			seen[folded] = tag.ValueString()
		}
	}
}

// checkFocalPointRemoval: DatoCMS keeps one focal point per asset, for every locale. Removing
// focal_point from one configured locale while another keeps it would change nothing in
// DatoCMS, and the configuration would then say that this locale has no focal point when it
// has one: the plan refuses it. Removing it from every locale clears it.
func checkFocalPointRemoval(prior, planned map[string]localeMetadataModel, diags *diag.Diagnostics) {
	var removed, kept []string
	for _, loc := range sortedKeys(planned) {
		switch fp := planned[loc].FocalPoint; {
		case fp != nil:
			kept = append(kept, loc)
		case prior[loc].FocalPoint != nil:
			removed = append(removed, loc)
		}
	}
	if len(removed) == 0 || len(kept) == 0 {
		return
	}
	diags.AddAttributeError(path.Root("default_field_metadata"), "Focal point removed from some locales only",
		fmt.Sprintf("focal_point is removed from %s but kept on %s. DatoCMS keeps one focal point per asset, shared by "+
			"every locale, so this would change nothing: remove focal_point from every locale to clear it, or keep it on %s.",
			quoteAll(removed), quoteAll(kept), quoteAll(removed)))
}

func quoteAll(items []string) string {
	quoted := make([]string, len(items))
	for i, it := range items {
		quoted[i] = fmt.Sprintf("%q", it)
	}
	return strings.Join(quoted, ", ")
}

// checkTimeoutsPositive: a zero or negative timeout would fail every operation at once.
func checkTimeoutsPositive(t timeouts.Value, diags *diag.Diagnostics) {
	if t.IsNull() || t.IsUnknown() {
		return
	}
	for _, name := range []string{"create", "update", "delete"} {
		v, ok := t.Attributes()[name].(types.String)
		if !ok || v.IsNull() || v.IsUnknown() {
			continue
		}
		if d, err := time.ParseDuration(v.ValueString()); err == nil && d <= 0 {
			diags.AddAttributeError(path.Root("timeouts").AtName(name), "Timeout must be positive",
				fmt.Sprintf("timeouts.%s is %q; it bounds the whole operation (file transfer and DatoCMS's job), so it must "+
					"be a positive duration such as \"10m\". Remove it to use the default.", name, v.ValueString()))
		}
	}
}

// setsNothing reports whether a locale entry is known to hold no value at all.
func setsNothing(lm localeMetadataModel) bool {
	if lm.Alt.IsUnknown() || lm.Title.IsUnknown() || lm.CustomData.IsUnknown() {
		return false
	}
	return lm.Alt.IsNull() && lm.Title.IsNull() && len(lm.CustomData.Elements()) == 0 && lm.FocalPoint == nil
}

// ModifyPlan plans the file: it hashes the local source (streaming) so the plan shows
// md5 and size changing, and marks unknown only the values DatoCMS computes from what
// actually changes. Metadata-only changes therefore plan with no unknown values.
func (r *uploadResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.files == nil { // a provider that is not configured yet
		return
	}
	if !req.State.Raw.IsNull() {
		// Tracked in state, even when the plan skips the refresh (-refresh=false) or destroys
		// it: never anybody's orphan (see createJournal).
		var id types.String
		if !req.State.GetAttribute(ctx, path.Root("id"), &id).HasError() && id.ValueString() != "" {
			r.trackInState(ctx, id.ValueString())
			if !req.Plan.Raw.IsNull() {
				r.claims.claim(id.ValueString(), uploadTypeName, &resp.Diagnostics)
			}
		}
	}
	if req.Plan.Raw.IsNull() { // destroy
		r.warnAboutReferences(ctx, req.State, &resp.Diagnostics)
		return
	}
	if r.planUnchanged(ctx, req) {
		return
	}
	var config, plan uploadResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *uploadResourceModel
	if !req.State.Raw.IsNull() {
		state = &uploadResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	var local *localfile.Facts
	switch {
	case !config.managesFile() && state == nil:
		resp.Diagnostics.AddAttributeError(path.Root("source"), "A new upload needs a file",
			"Set source (a local file), source_url, content, content_base64, content_wo or content_base64_wo. Only an "+
				"upload that already exists (imported) can leave them all unset, to manage its metadata and keep its file "+
				"as DatoCMS has it.")
		return
	case !config.managesFile():
		// The file is not managed: plan it as it is, so nothing about it changes.
		local = &localfile.Facts{MD5: state.MD5.ValueString(), Size: state.Size.ValueInt64()}
	case config.hasInlineContent():
		local = inlineFacts(config)
	case config.hasURLSource():
		local = urlFacts(ctx, config, req.Private)
	default:
		if record := r.localFileForPlan(ctx, config.Source, req.Private, &resp.Diagnostics); record != nil {
			local = &record.Facts
		}
	}
	planComputed(&plan, config, state, local, state != nil && mustReupload(ctx, req.Private, state.MD5))
	pending := state != nil && readPendingCreate(ctx, req.Private) != nil
	switch {
	case state == nil && local != nil:
		r.warnAboutOrphans(ctx, config.sourceKey(), plan, local, &resp.Diagnostics)
	case pending:
		planPendingCreate(&plan)
	}

	if state != nil && local != nil && plan.ReplaceStrategy.ValueString() == replaceStrategyKeepURL &&
		local.MD5 != state.MD5.ValueString() && local.Format != "" && !state.Format.IsNull() && local.Format != state.Format.ValueString() {
		resp.Diagnostics.AddAttributeError(path.Root("replace_strategy"), "keep_url needs a file of the same format",
			fmt.Sprintf("The new content of %q is %s but the upload holds %s. DatoCMS can keep the URL only when the format "+
				"stays the same: set replace_strategy = %q, or convert the file.",
				config.Source.ValueString(), local.Format, state.Format.ValueString(), replaceStrategyCreateNewURL))
	}

	var prior *uploadMetadataFields
	if state != nil {
		prior = &state.uploadMetadataFields
	}
	checkPlannedMetadata(ctx, r.client, plan.uploadMetadataFields, prior, &resp.Diagnostics)
	if newFile := plan.AntivirusStatus.IsUnknown(); newFile || !plan.PosterTime.Equal(state.PosterTime) {
		kind, same := "", state // what tells whether the file is a video: its header, or DatoCMS
		if newFile {
			same = nil
			if local != nil {
				kind = local.Kind
			}
		}
		checkPosterTime(ctx, r.client, plan.PosterTime, kind, same, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if state != nil && plan.URL.IsUnknown() && !state.URL.IsNull() && !pending {
		why := "a rename"
		if !plan.MD5.Equal(state.MD5) {
			why = "a new file"
		}
		warnAboutNewURL(ctx, r.client, state.ID.ValueString(), state.URL.ValueString(), why, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// checkPlannedMetadata checks at plan time what DatoCMS would refuse at apply in the metadata
// of a new (state nil) or changed upload: unknown locales and collections, and a focal point
// removed from some locales only.
func checkPlannedMetadata(ctx context.Context, client *datocms.Client, plan uploadMetadataFields, state *uploadMetadataFields, diags *diag.Diagnostics) {
	if state == nil || !plan.DefaultFieldMetadata.Equal(state.DefaultFieldMetadata) {
		checkLocalesExist(ctx, client, plan.DefaultFieldMetadata, diags)
		// Only a change can remove a focal point: unchanged metadata is not decoded (by
		// reflection) on every plan of an upload that takes the full path.
		if state != nil {
			prior, d1 := metadataLocales(ctx, state.DefaultFieldMetadata)
			planned, d2 := metadataLocales(ctx, plan.DefaultFieldMetadata)
			if !d1.HasError() && !d2.HasError() {
				checkFocalPointRemoval(prior, planned, diags)
			}
		}
	}
	if state == nil || !plan.UploadCollectionID.Equal(state.UploadCollectionID) {
		checkCollectionExists(ctx, client, plan.UploadCollectionID, diags)
	}
}

// planPendingCreate shows as "(known after apply)" what DatoCMS has not reported yet for an
// upload whose create is not confirmed: the apply waits for the create, then fills them in.
func planPendingCreate(plan *uploadResourceModel) {
	for _, v := range []*types.String{&plan.URL, &plan.Path, &plan.Filename, &plan.CreatedAt, &plan.Basename, &plan.Blurhash, &plan.Thumbhash} {
		if v.IsNull() {
			*v = types.StringUnknown()
		}
	}
	for _, v := range []*types.Int64{&plan.Width, &plan.Height} {
		if v.IsNull() {
			*v = types.Int64Unknown()
		}
	}
	if plan.IsImage.IsNull() {
		plan.IsImage = types.BoolUnknown()
	}
}

// localFileForPlan returns the facts to plan the source file with, or nil while they cannot
// be known: an unknown path, or a file another resource writes during apply.
//
// Terraform plans every resource again at apply time and fails with "Provider produced
// inconsistent final plan" if md5 then differs from the saved plan. To answer a file that
// changed between plan and apply in our own words, Read records the file it saw in private
// state; when the file has changed since that refresh, the plan keeps the recorded facts and
// warns, and the upload (which checks the bytes against the planned md5) stops with an error
// that says the file changed since the plan was made. Nothing is uploaded.
func (r *uploadResource) localFileForPlan(ctx context.Context, source types.String, private privateGetter, diags *diag.Diagnostics) *localfile.Record {
	if source.IsUnknown() || source.IsNull() {
		return nil
	}
	name := source.ValueString()
	info, err := localfile.StatSource(name)
	switch {
	case errors.Is(err, localfile.ErrMissing):
		diags.AddAttributeWarning(path.Root("source"), "Source file not found",
			fmt.Sprintf("%q does not exist. If another resource writes it during apply, that is expected: md5 and the file's "+
				"facts are planned as known after apply. Otherwise fix source, or the apply will fail.", name))
		return nil
	case err != nil:
		diags.AddAttributeError(path.Root("source"), "Unusable source file", err.Error())
		return nil
	case info.Size() > datocms.MaxUploadSize:
		diags.AddAttributeError(path.Root("source"), "Source file too large for DatoCMS",
			fmt.Sprintf("%q is %d bytes; DatoCMS accepts files of at most 1 GiB (%d bytes). Compress or split the file.",
				name, info.Size(), datocms.MaxUploadSize))
		return nil
	}
	record := readFileRecord(ctx, private)
	facts, recorded, err := r.files.Facts(name, record)
	if err != nil {
		diags.AddAttributeError(path.Root("source"), "Unusable source file", err.Error())
		return nil
	}
	if recorded {
		logShortcut(ctx, shortcutFile, map[string]any{"source": name})
	}
	current := localfile.NewRecord(name, facts)
	if record != nil && record.Path == current.Path && record.Facts.Stat != facts.Stat && record.Facts.MD5 != facts.MD5 {
		diags.AddAttributeWarning(path.Root("source"), "Source file changed after the last refresh",
			fmt.Sprintf("%q changed after Terraform last read it (md5 %s then, %s now). This plan keeps the content read "+
				"at refresh; if a saved plan is being applied, the upload stops before anything is stored. "+
				"Run terraform plan again to upload the new content.", name, record.Facts.MD5, facts.MD5))
		return record
	}
	return &current
}

// planComputed sets every computed attribute of the plan: known from the local file or the
// prior state where the change cannot affect it, unknown only where DatoCMS will compute it.
func planComputed(plan *uploadResourceModel, config uploadResourceModel, state *uploadResourceModel, local *localfile.Facts, reupload bool) {
	if state != nil {
		plan.ID, plan.CreatedAt = state.ID, state.CreatedAt
		plan.Size, plan.Format, plan.MimeType = state.Size, state.Format, state.MimeType
		plan.URL, plan.Path, plan.Filename = state.URL, state.Path, state.Filename
		plan.Width, plan.Height, plan.IsImage = state.Width, state.Height, state.IsImage
		plan.Blurhash, plan.Thumbhash = state.Blurhash, state.Thumbhash
		plan.uploadAfterFields = state.withPosterTime(plan.PosterTime)
		if config.Basename.IsNull() {
			plan.Basename = state.Basename
		}
	}

	plan.MD5 = types.StringUnknown()
	if local != nil {
		plan.MD5 = types.StringValue(local.MD5)
	}
	// A file an apply found infected is uploaded again (see reuploadRecord).
	fileChanged := state == nil || local == nil || local.MD5 != state.MD5.ValueString() || reupload && config.managesFile()
	if fileChanged {
		planFileFacts(plan, local)
	}

	keepURL := state != nil && plan.ReplaceStrategy.ValueString() == replaceStrategyKeepURL
	newFileURL := fileChanged && !keepURL
	renamed := state == nil || (!config.Basename.IsNull() && !config.Basename.Equal(state.Basename))
	if newFileURL || renamed {
		plan.URL, plan.Path = types.StringUnknown(), types.StringUnknown()
		plan.Filename = predictFilename(config, state, newFileURL)
	}
	// A new file keeps the upload's basename when none is configured: the update sends it
	// with the file (see Update), so DatoCMS cannot name the upload after the new file.
}

// planFileFacts plans what DatoCMS derives from a new file: known where the file's header
// makes it certain (see predictContent), unknown otherwise.
func planFileFacts(plan *uploadResourceModel, local *localfile.Facts) {
	plan.Size, plan.Format, plan.MimeType = types.Int64Unknown(), types.StringUnknown(), types.StringUnknown()
	plan.Width, plan.Height, plan.IsImage = types.Int64Unknown(), types.Int64Unknown(), types.BoolUnknown()
	plan.Blurhash, plan.Thumbhash = types.StringUnknown(), types.StringUnknown()
	plan.unknownForNewFile(local != nil && (local.Kind == localfile.KindRaster || local.Kind == localfile.KindDocument))
	if local == nil {
		return
	}
	if local.Size >= 0 { // a file from source_url has no known size before its first download
		plan.Size = types.Int64Value(local.Size)
	}
	if local.Format != "" {
		plan.Format, plan.MimeType = types.StringValue(local.Format), types.StringValue(local.MimeType)
	}
	switch local.Kind {
	case localfile.KindRaster:
		plan.IsImage = types.BoolValue(true)
		if local.Width > 0 && local.Height > 0 {
			plan.Width, plan.Height = types.Int64Value(local.Width), types.Int64Value(local.Height)
		}
	case localfile.KindDocument:
		plan.IsImage = types.BoolValue(false)
		plan.Width, plan.Height = types.Int64Null(), types.Int64Null()
		plan.Blurhash, plan.Thumbhash = types.StringNull(), types.StringNull()
	}
}

// filenameExtension is an extension DatoCMS keeps as it is in a file name (lowercased).
var filenameExtension = regexp.MustCompile(`^\.[a-z0-9]+$`)

// predictFilename is filename after a rename or a new file: the basename (configured, or
// the upload's own, which an update sends with a new file) plus the extension, of the new
// file's name when the file changes (the provider uploads it as basename + extension, and
// DatoCMS names the file after it), or of the current filename on a plain rename (DatoCMS
// keeps the extension). A new upload without a configured basename is named by DatoCMS
// from the file's name: unknown.
func predictFilename(config uploadResourceModel, state *uploadResourceModel, newFile bool) types.String {
	basename := config.Basename
	if basename.IsNull() && state != nil {
		basename = state.Basename
	}
	if basename.IsNull() || basename.IsUnknown() || config.Source.IsUnknown() || config.SourceURL.IsUnknown() || config.Extension.IsUnknown() {
		return types.StringUnknown()
	}
	var ext string
	switch {
	case newFile && config.hasInlineContent():
		ext = "." + strings.ToLower(config.Extension.ValueString())
	case newFile && config.hasURLSource():
		ext = strings.ToLower(filepath.Ext(urlNameOf(config.SourceURL.ValueString())))
	case newFile:
		ext = strings.ToLower(filepath.Ext(config.Source.ValueString()))
	case state != nil:
		if dot := strings.LastIndexByte(state.Filename.ValueString(), '.'); dot > 0 {
			ext = state.Filename.ValueString()[dot:]
		}
	}
	if !filenameExtension.MatchString(ext) {
		return types.StringUnknown()
	}
	return types.StringValue(basename.ValueString() + ext)
}

// checkCollectionExists fails the plan when upload_collection_id names a collection the
// environment does not have: DatoCMS would refuse the upload at apply.
func checkCollectionExists(ctx context.Context, client *datocms.Client, id types.String, diags *diag.Diagnostics) {
	if id.IsNull() || id.IsUnknown() {
		return
	}
	exists, err := client.UploadCollectionExists(ctx, id.ValueString())
	switch {
	case err != nil:
		diags.AddError("Error reading the DatoCMS project", "Could not check upload_collection_id: "+err.Error())
	case !exists:
		diags.AddAttributeError(path.Root("upload_collection_id"), "Unknown upload collection",
			fmt.Sprintf("The environment has no upload collection %q. Use the ID of an existing collection (the "+
				"datocms_upload_collection data source finds one by label), or manage it with a datocms_upload_collection "+
				"resource and reference its id.", id.ValueString()))
	}
}

// checkLocalesExist fails the plan when default_field_metadata names a locale the
// environment does not have: DatoCMS would reject the write at apply.
func checkLocalesExist(ctx context.Context, client *datocms.Client, m types.Map, diags *diag.Diagnostics) {
	if m.IsNull() || m.IsUnknown() || len(m.Elements()) == 0 {
		return
	}
	site, err := client.Site(ctx)
	if err != nil {
		diags.AddError("Error reading the DatoCMS project", "Could not read the environment's locales to check default_field_metadata: "+err.Error())
		return
	}
	for _, loc := range sortedKeys(m.Elements()) {
		if !slices.Contains(site.Locales, loc) {
			diags.AddAttributeError(path.Root("default_field_metadata").AtMapKey(loc), "Unknown locale",
				fmt.Sprintf("Locale %q is not one of the environment's locales (%s). Add it to the DatoCMS project, or remove it here.",
					loc, strings.Join(site.Locales, ", ")))
		}
	}
}
