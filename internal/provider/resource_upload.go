package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
	"github.com/assetform/terraform-provider-datocms/internal/createjournal"
	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

var (
	_ resource.ResourceWithConfigure      = (*uploadResource)(nil)
	_ resource.ResourceWithImportState    = (*uploadResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*uploadResource)(nil)
	_ resource.ResourceWithValidateConfig = (*uploadResource)(nil)
)

// Default durations of the timeouts block: each covers a whole operation, including the
// file transfer and the asynchronous job DatoCMS runs for it.
const (
	defaultCreateTimeout = 10 * time.Minute
	defaultUpdateTimeout = 10 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
)

const (
	replaceStrategyCreateNewURL = "create_new_url"
	replaceStrategyKeepURL      = "keep_url"
)

// uploadTypeName is the resource type of datocms_upload.
const uploadTypeName = "datocms_upload"

// NewUploadResource is the datocms_upload resource.
func NewUploadResource() resource.Resource {
	return &uploadResource{}
}

type uploadResource struct {
	client    *datocms.Client
	files     *localfile.Files
	journal   *createjournal.Journal // nil without a usable cache directory
	owner     createjournal.Owner
	tracked   *trackedUploads
	claims    *uploadClaims
	cache     *cachedir.Root // nil without a usable cache directory
	shortcuts bool           // see resource_upload_shortcuts.go
}

type uploadResourceModel struct {
	ID           types.String `tfsdk:"id"`
	Source       types.String `tfsdk:"source"`
	SourceURL    types.String `tfsdk:"source_url"`
	SourceSHA256 types.String `tfsdk:"source_sha256"`
	SourceMD5    types.String `tfsdk:"source_md5"`
	MD5          types.String `tfsdk:"md5"`
	Size         types.Int64  `tfsdk:"size"`
	Format       types.String `tfsdk:"format"`
	MimeType     types.String `tfsdk:"mime_type"`
	URL          types.String `tfsdk:"url"`
	Path         types.String `tfsdk:"path"`
	Filename     types.String `tfsdk:"filename"`
	Width        types.Int64  `tfsdk:"width"`
	Height       types.Int64  `tfsdk:"height"`
	IsImage      types.Bool   `tfsdk:"is_image"`
	Blurhash     types.String `tfsdk:"blurhash"`
	Thumbhash    types.String `tfsdk:"thumbhash"`
	CreatedAt    types.String `tfsdk:"created_at"`
	Basename     types.String `tfsdk:"basename"`
	uploadMetadataFields
	uploadAfterFields
	ReplaceStrategy      types.String   `tfsdk:"replace_strategy"`
	Content              types.String   `tfsdk:"content"`
	ContentBase64        types.String   `tfsdk:"content_base64"`
	ContentWO            types.String   `tfsdk:"content_wo"`
	ContentBase64WO      types.String   `tfsdk:"content_base64_wo"`
	Extension            types.String   `tfsdk:"extension"`
	DeleteWhenReferenced types.Bool     `tfsdk:"delete_when_referenced"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

var (
	// tagsValidator refuses tags DatoCMS could not keep as they are: empty, or padded.
	tagsValidator = setvalidator.ValueStringsAre(stringvalidator.RegexMatches(regexp.MustCompile(`^\S(.*\S)?$`),
		"must not be empty or start or end with whitespace"))
	// basenameValidator accepts only names DatoCMS is known to keep as they are: it lowercases
	// and turns other characters into dashes (API §6.1), which would make the stored basename
	// differ from the configuration and fail the apply with "inconsistent result". Only
	// slugified names ([a-z0-9-]) were ever observed; whether "_" survives is not documented.
	basenameValidator = stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`),
		"must be lowercase letters, digits and '-', starting with a letter or digit: DatoCMS slugifies file names, "+
			"and these are the only characters it is known to keep as they are (write \"hero-image\", not \"Hero_Image\")")
	// localePattern is the API's locale key pattern (API §5.3), requiring at least two letters.
	localePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z]+)?(-[A-Z]{0,3})?$`)
	notBlank      = regexp.MustCompile(`\S`)

	// textNotBlank is datocms_upload's rule for texts: a value, or the argument left out.
	textNotBlank = []validator.String{stringvalidator.RegexMatches(notBlank, "must not be empty; remove the argument to clear it")}
	// textBlankOrValue is datocms_upload_metadata's: "" (must stay empty) or a value, never
	// only spaces (DatoCMS would keep them, or not: undocumented).
	textBlankOrValue = []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^$|\S`),
		"must be \"\" (must stay empty) or hold a character other than a space")}
)

func (r *uploadResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload"
}

func (r *uploadResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	computedInt := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	optionalText := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: desc + " Removing it from the configuration clears the value in DatoCMS.",
			Validators:          textNotBlank,
		}
	}

	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a DatoCMS upload (an asset of the media library): a local file and its metadata. " +
			"Every change, including a new file, is applied in place, so the upload keeps the ID that records link to.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Upload ID. It never changes for the life of the resource.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"source": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of the local file to upload. Only the file's content matters: the plan compares " +
					"its MD5 with `md5`, and a new content replaces the file in place. A file that does not exist at plan " +
					"time (because another resource writes it during apply) is planned with an unknown `md5`. " +
					"At most one of `source`, `source_url`, `content`, `content_base64`, `content_wo` and `content_base64_wo` " +
					"may be set. A new upload needs one of them; an existing (imported) upload may leave them all unset, and " +
					"its file is then left as DatoCMS has it: only its metadata is managed.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"source_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "URL of the file to upload, instead of `source`: `https` (plain `http` only to a loopback " +
					"host), without a user name or password (the URL is kept in state). Needs `source_sha256` or `source_md5`, " +
					"the checksum of the file: plans are decided from it, never from the network, so a new file shows as a " +
					"change of the pin. The apply downloads the file into a private temporary file (stopped past 1 GiB, at " +
					"most 5 redirects), checks it against the pin before anything is sent to DatoCMS, uploads it in place " +
					"and removes it.",
				Validators: []validator.String{urlValidator{}},
			},
			"source_sha256": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Hex SHA-256 of the file at `source_url` (as `sha256sum` prints it). Changing it uploads the " +
					"new file in place. `md5` is planned from the last download with this pin (unknown until the first).",
				Validators: []validator.String{stringvalidator.RegexMatches(sha256Pattern, "must be 64 hexadecimal digits")},
			},
			"source_md5": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Hex MD5 of the file at `source_url`: the `md5` DatoCMS will report, so the plan shows it. " +
					"With `source_sha256` too, both are checked.",
				Validators: []validator.String{stringvalidator.RegexMatches(md5Pattern, "must be 32 hexadecimal digits")},
			},
			"content": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Text to upload as the file, instead of `source` (for generated files: JSON, CSV, SVG, " +
					"robots.txt...). Uploaded as UTF-8 bytes and hashed like a file. Needs `basename` and `extension`, " +
					"which name the file in DatoCMS. The text is kept in state (marked sensitive: plans show `md5` and " +
					"`size` changing, not the text) and sent several times in every plan, so it is limited to 4 MiB: use " +
					"`content_wo` (Terraform 1.11 and later), which is never stored, or `source` for more.",
			},
			"content_base64": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Binary content to upload as the file, base64-encoded (standard encoding, with padding), " +
					"instead of `source`: for example `filebase64(...)` of a generated file or the output of another " +
					"resource. Needs `basename` and `extension`. Kept in state like `content` (sensitive), and limited to " +
					"4 MiB once decoded: use `content_base64_wo` or `source` for more.",
				Validators: []validator.String{base64Validator{}},
			},
			"content_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				MarkdownDescription: "Write-only text to upload as the file (Terraform 1.11 and later): like `content`, but " +
					"never stored in state or plan files. The plan computes its `md5` and `size` (kept in state), so a new " +
					"text shows as a new `md5` and is uploaded in place; the apply checks the text against the planned " +
					"`md5` again. Needs `basename` and `extension`. Up to 100 MiB: use `source` or `source_url` for larger files.",
			},
			"content_base64_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				MarkdownDescription: "Write-only binary content, base64-encoded (Terraform 1.11 and later): like " +
					"`content_base64`, but never stored, as `content_wo`. Up to 100 MiB once decoded.",
				Validators: []validator.String{base64Validator{}},
			},
			"extension": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "File extension, without the dot (such as `svg` or `json`), of `content` or " +
					"`content_base64` (or their write-only forms): DatoCMS names the file `<basename>.<extension>` and derives its format from it. " +
					"Not used with `source`, whose own extension is used.",
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[A-Za-z0-9]{1,16}$`),
					"must be letters and digits only, without the dot, such as \"svg\"")},
			},
			"delete_when_referenced": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Allow deleting the upload while records use it. By default a destroy asks DatoCMS " +
					"which records reference the upload and refuses (naming up to 10 of them) when any do, because the " +
					"records would be left pointing at a missing asset. Set it to `true` and apply before the destroy " +
					"(the destroy uses the value in state).",
			},
			"md5": computedString("Hex MD5 of the file DatoCMS holds. Planned from the local file, and refreshed from " +
				"DatoCMS so that a file replaced outside Terraform shows as a change."),
			"size":      computedInt("Size of the file in bytes."),
			"format":    computedString("File format as DatoCMS reports it, such as `png`, `jpg` or `pdf`."),
			"mime_type": computedString("MIME type of the file."),
			"url":       computedString("Public URL of the file. It changes when the file is replaced (unless `replace_strategy` is `keep_url`) or renamed."),
			"path":      computedString("Storage path of the file in DatoCMS."),
			"filename":  computedString("File name in DatoCMS, including the extension."),
			"width":     computedInt("Width in pixels, for images."),
			"height":    computedInt("Height in pixels, for images."),
			"is_image": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether DatoCMS treats the file as an image.",
			},
			"blurhash":  computedString("BlurHash placeholder of an image."),
			"thumbhash": computedString("ThumbHash placeholder of an image."),
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the upload was created (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"basename": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "File name without extension. Setting it renames the file in place (its `url` changes); " +
					"when unset, DatoCMS derives it from the uploaded file's name. Lowercase letters, digits and `-`: the only " +
					"characters DatoCMS is known to keep as they are.",
				Validators: []validator.String{basenameValidator},
			},
			"author":    optionalText("Author of the asset."),
			"copyright": optionalText("Copyright notice."),
			"notes":     optionalText("Internal notes."),
			"tags": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
				MarkdownDescription: "Manual tags. The set is authoritative: tags added outside Terraform show as a change, " +
					"and order never matters.",
				Validators: []validator.Set{tagsValidator},
			},
			"default_field_metadata": metadataResourceAttribute(textNotBlank),
			"upload_collection_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ID of the upload collection (media folder) holding the asset. Changing it moves the asset " +
					"in place; removing it takes the asset out of its collection.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"replace_strategy": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(replaceStrategyCreateNewURL),
				MarkdownDescription: "How a new file is published. `create_new_url` (default) gives the file a new `url` at once; " +
					"`keep_url` overwrites the file behind the current `url` (CDN caches may serve the old file for a few minutes, " +
					"and the new file must have the same format). Changing it alone makes no API call.",
				Validators: []validator.String{stringvalidator.OneOf(replaceStrategyCreateNewURL, replaceStrategyKeepURL)},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
	for name, a := range uploadAfterResourceAttributes() {
		resp.Schema.Attributes[name] = a
	}
}

func (r *uploadResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configuredData(req.ProviderData, &resp.Diagnostics); data != nil {
		r.configure(data)
	}
}

func (r *uploadResource) configure(data *providerData) {
	r.client, r.files, r.journal, r.owner, r.tracked, r.claims, r.cache, r.shortcuts = data.client, data.files, data.journal, data.owner,
		data.tracked, data.claims, data.cache, data.shortcuts
}

func (r *uploadResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("upload")
}

func (r *uploadResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if importIDMissing(ctx, req) {
		resp.Diagnostics.AddError("Invalid import ID", "Import a datocms_upload by its upload ID, for example: terraform import datocms_upload.hero q0VNpiNQSkG6z0lif_O1zg")
		return
	}
	importByIDOrIdentity(ctx, req, resp)
	// The API does not know how the next file should be published; start from the default
	// so that a configuration that leaves replace_strategy unset plans no change for it.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("replace_strategy"), replaceStrategyCreateNewURL)...)
}

func (r *uploadResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State, req.State) }()
	kept, up := r.refreshUnchanged(ctx, req, resp)
	if kept {
		return
	}
	var state uploadResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if pending := readPendingCreate(ctx, req.Private); pending != nil {
		r.readPending(ctx, state, pending, req, resp)
		return
	}
	id := state.ID.ValueString()
	var err error
	if up == nil { // not fetched already by refreshUnchanged
		up, err = r.client.GetUpload(ctx, id)
	}
	if datocms.IsNotFound(err) {
		if gone := confirmGone(ctx, r.client, id, req.Private); gone != nil {
			resp.Diagnostics.AddError("Error reading upload", gone.Error())
			return
		}
		tflog.Info(ctx, "upload no longer exists in DatoCMS; removing it from state", map[string]any{"upload_id": id})
		r.forgetJournal(ctx, id)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error reading upload", fmt.Sprintf("Could not read upload %s: %s", id, err), err))
		return
	}
	r.refreshed(ctx, up, state, req, resp)
}

func (r *uploadResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State) }()
	var plan, state uploadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(plan.withWriteOnlyContent(ctx, req.Config)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	if pending := readPendingCreate(ctx, req.Private); pending != nil {
		up, failed, diags := r.awaitPending(ctx, id, pending, "update")
		resp.Diagnostics.Append(diags...)
		if failed {
			resp.Diagnostics.AddError("Upload was never created",
				fmt.Sprintf("DatoCMS reports that creating upload %s failed, so there is nothing to update. The next plan "+
					"creates it again.", id))
		}
		if up == nil {
			return
		}
		// Diff against what DatoCMS holds now, and stop following the create.
		if state, diags = modelFromAPI(ctx, up, state); diags.HasError() {
			resp.Diagnostics.Append(diags...)
			return
		}
		resp.Diagnostics.Append(writePrivate[pendingCreate](ctx, resp.Private, privatePendingKey, nil)...)
	}
	in, diags := updateInput(ctx, plan, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var file *plannedUpload
	if plan.MD5.IsUnknown() || !plan.MD5.Equal(state.MD5) || plan.AntivirusStatus.IsUnknown() && mustReupload(ctx, req.Private, state.MD5) {
		var err error
		file, err = r.uploadPlannedFile(ctx, plan)
		if err != nil {
			resp.Diagnostics.Append(fileTransferError(plan, err))
			return
		}
		in.Path = &file.Path
		in.ReplaceStrategy = plan.ReplaceStrategy.ValueString()
		// The planned basename (configured, or the upload's own) goes with the new file, so
		// that DatoCMS cannot name the upload after the file: the plan promised it.
		in.Basename = plan.Basename.ValueStringPointer()
	}

	if in.IsEmpty() {
		// Only Terraform-side arguments changed (source path, replace_strategy, timeouts): no API call.
		plan.ContentWO, plan.ContentBase64WO = types.StringNull(), types.StringNull() // write-only: never in state
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		resp.Diagnostics.Append(r.recordFile(ctx, resp.Private, plan.Source, plan.MD5.ValueString())...)
		return
	}
	up, err := r.client.UpdateUpload(ctx, id, in)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error updating upload", fmt.Sprintf("Could not update upload %s (source %q): %s",
			id, plan.sourceKey(), describeAPIError(err, timeout, "update")), err))
		r.refreshAfterFailedUpdate(ctx, id, state, &resp.State, &resp.Diagnostics)
		return
	}
	if file != nil && up.Basename != plan.Basename.ValueString() {
		// DatoCMS named the upload after the new file anyway (what it does with a basename
		// sent with a file is not documented): rename it, as the plan promised.
		rename := datocms.UpdateUploadInput{Basename: plan.Basename.ValueStringPointer()}
		if up, err = r.client.UpdateUpload(ctx, id, rename); err != nil {
			resp.Diagnostics.Append(apiErrorDiagnostic("Error renaming upload", fmt.Sprintf("Upload %s has its new file, but "+
				"keeping its basename %q failed: %s", id, plan.Basename.ValueString(), describeAPIError(err, timeout, "update")), err))
			r.refreshAfterFailedUpdate(ctx, id, state, &resp.State, &resp.Diagnostics)
			return
		}
	}
	tflog.Debug(ctx, "updated upload", map[string]any{"upload_id": id, "file_replaced": file != nil})
	r.saveApplied(ctx, up, plan, file, &resp.State, resp.Private, infectedUpdate, &resp.Diagnostics)
}

func (r *uploadResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state uploadResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	if id == "" {
		return // a create that failed before DatoCMS assigned anything
	}
	if pending := readPendingCreate(ctx, req.Private); pending != nil {
		// Wait for the create to end, then delete what it produced.
		up, failed, diags := r.awaitPending(ctx, id, pending, "delete")
		resp.Diagnostics.Append(diags...)
		if failed || up == nil {
			if failed {
				r.forgetJournal(ctx, id)
			}
			return
		}
	}
	if !state.DeleteWhenReferenced.ValueBool() {
		refs, err := r.client.UploadReferences(ctx, id)
		switch {
		case datocms.IsNotFound(err):
			return // already gone
		case err != nil:
			resp.Diagnostics.Append(apiErrorDiagnostic("Error deleting upload",
				fmt.Sprintf("Could not check which records use upload %s before deleting it: %s. Nothing was deleted.", id, err), err))
			return
		case len(refs) > 0:
			resp.Diagnostics.AddError("Upload is used by records",
				fmt.Sprintf("%s Deleting it would leave them pointing at a missing asset. Nothing was deleted. Remove the references in DatoCMS first, or set delete_when_referenced = true "+
					"and apply it before destroying.", describeReferences(id, refs)))
			return
		}
	}
	r.forgetJournal(ctx, id)
	err := r.client.DeleteUpload(ctx, id)
	if err != nil && !datocms.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error deleting upload",
			fmt.Sprintf("Could not delete upload %s: %s", id, describeAPIError(err, timeout, "delete")), err))
	}
}
