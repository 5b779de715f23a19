package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// datocms_upload_metadata manages the metadata of an upload that already exists, without
// owning its file: the way in for media libraries whose files no repository holds.
//
// Each metadata argument is managed only when it is set: an argument left out of the
// configuration is read from DatoCMS into state and never written (Optional+Computed, with
// the prior state kept in the plan), so adopting an upload to enforce its alt text does not
// wipe the author or tags someone set in the UI. A managed argument is authoritative: edits
// made in DatoCMS show as drift. A destroy leaves the upload and its metadata as they are
// unless clear_on_destroy is set, because the upload is not the resource's to undo.

var (
	_ resource.ResourceWithConfigure      = (*uploadMetadataResource)(nil)
	_ resource.ResourceWithImportState    = (*uploadMetadataResource)(nil)
	_ resource.ResourceWithIdentity       = (*uploadMetadataResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*uploadMetadataResource)(nil)
	_ resource.ResourceWithValidateConfig = (*uploadMetadataResource)(nil)
)

// NewUploadMetadataResource is the datocms_upload_metadata resource.
func NewUploadMetadataResource() resource.Resource {
	return &uploadMetadataResource{}
}

type uploadMetadataResource struct {
	client *datocms.Client
	claims *uploadClaims
}

type uploadMetadataModel struct {
	ID       types.String `tfsdk:"id"`
	UploadID types.String `tfsdk:"upload_id"`
	Basename types.String `tfsdk:"basename"`
	uploadMetadataFields
	PosterTime     types.Float64 `tfsdk:"poster_time"`
	ClearOnDestroy types.Bool    `tfsdk:"clear_on_destroy"`
}

func (r *uploadMetadataResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload_metadata"
}

func (r *uploadMetadataResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	const unmanaged = " Managed only when set: when left out, the value DatoCMS holds is shown and never changed."
	managedText := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: desc + " `\"\"` means it must stay empty: a value added in the UI shows as a change." + unmanaged,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			Validators:          textBlankOrValue,
		}
	}
	dfm := metadataResourceAttribute(textBlankOrValue)
	dfm.Computed = true
	dfm.PlanModifiers = []planmodifier.Map{mapplanmodifier.UseStateForUnknown()}
	dfm.MarkdownDescription = "Default metadata used by records that do not override it, keyed by locale (such as `en` or " +
		"`pt-BR`). When set, it is the whole value: locales left out, and fields left out of a locale, are cleared in " +
		"DatoCMS (to keep what the UI holds, carry it over from the `datocms_uploads` data source, as the example does). " +
		"Locales must exist in the environment. `alt` or `title` set to `\"\"` must stay empty (a value added in the UI " +
		"shows as a change). DatoCMS keeps one focal point per asset: every locale that sets `focal_point` must set the " +
		"same value." + unmanaged

	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the metadata of an upload that already exists in DatoCMS, without managing its file: " +
			"alt text and titles, author, copyright, notes, tags, its collection and its name. The upload is never " +
			"created, replaced or deleted by this resource. Do not manage the same upload with a `datocms_upload` " +
			"resource too: the two would undo each other's changes on every apply.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The upload ID (the same as `upload_id`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"upload_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ID of the upload whose metadata this resource manages. It must exist in the environment " +
					"(checked at plan time). Changing it manages another upload instead (the first is left as it is).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"basename": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "File name without extension. Setting it renames the file in place (its URL changes). " +
					"Lowercase letters, digits and `-`: the only characters DatoCMS is known to keep as they are." + unmanaged,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{basenameValidator},
			},
			"author":    managedText("Author of the asset."),
			"copyright": managedText("Copyright notice."),
			"notes":     managedText("Internal notes."),
			"tags": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				MarkdownDescription: "Manual tags. When set, the set is authoritative: tags added outside Terraform show as " +
					"a change." + unmanaged,
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				Validators:    []validator.Set{tagsValidator},
			},
			"default_field_metadata": dfm,
			"upload_collection_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "ID of the upload collection (media folder) holding the asset; changing it moves the " +
					"asset. It must exist in the environment." + unmanaged,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"poster_time": schema.Float64Attribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: afterDescriptions["poster_time"] + posterTimeDescription + unmanaged,
				PlanModifiers:       []planmodifier.Float64{float64planmodifier.UseStateForUnknown()},
				Validators:          []validator.Float64{float64validator.AtLeast(0)},
			},
			"clear_on_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "What a destroy does. `false` (default): nothing; the upload keeps its metadata. `true`: " +
					"the destroy clears the upload's `author`, `copyright`, `notes`, `tags` and `default_field_metadata` " +
					"(its name and collection stay). Set it and apply before the destroy: the destroy uses the value in state.",
			},
		},
	}
}

func (r *uploadMetadataResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("upload")
}

func (r *uploadMetadataResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data := configuredData(req.ProviderData, &resp.Diagnostics)
	if data == nil {
		return
	}
	r.client, r.claims = data.client, data.claims
}

func (r *uploadMetadataResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if importIDMissing(ctx, req) {
		resp.Diagnostics.AddError("Invalid import ID",
			"Import a datocms_upload_metadata by the upload's ID, for example: terraform import datocms_upload_metadata.hero q0VNpiNQSkG6z0lif_O1zg")
		return
	}
	importByIDOrIdentity(ctx, req, resp)
	var id types.String // from the import ID or the identity
	resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("upload_id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("clear_on_destroy"), false)...)
}

func (r *uploadMetadataResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config uploadMetadataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateMetadataConfig(ctx, config.DefaultFieldMetadata, config.Tags, &resp.Diagnostics)
}

// ModifyPlan says in the plan what a destroy does, and checks at plan time what DatoCMS
// would refuse at apply: an upload, a collection or a locale that does not exist.
func (r *uploadMetadataResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.client == nil {
		return
	}
	if req.Plan.Raw.IsNull() {
		var state uploadMetadataModel
		if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.AddWarning("Destroying datocms_upload_metadata leaves the upload in DatoCMS", destroyEffect(state))
		return
	}
	var plan uploadMetadataModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *uploadMetadataModel
	if !req.State.Raw.IsNull() {
		state = &uploadMetadataModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.UploadID.IsUnknown() {
		r.claims.claim(plan.UploadID.ValueString(), "datocms_upload_metadata", &resp.Diagnostics)
	}
	var held *datocms.Upload
	if state == nil && !plan.UploadID.IsUnknown() {
		held = r.checkUploadExists(ctx, plan.UploadID.ValueString(), &resp.Diagnostics)
	}
	var prior *uploadMetadataFields
	if state != nil {
		prior = &state.uploadMetadataFields
	}
	checkPlannedMetadata(ctx, r.client, plan.uploadMetadataFields, prior, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.PosterTime.IsNull() && !plan.PosterTime.IsUnknown() && (state == nil || !plan.PosterTime.Equal(state.PosterTime)) {
		r.checkPosterTime(ctx, plan, held, &resp.Diagnostics)
	}
	switch {
	case held != nil:
		remote, diags := metadataModelFromAPI(ctx, held, plan)
		if !diags.HasError() {
			warnAboutAdoption(ctx, plan, remote, &resp.Diagnostics)
		}
	case state != nil && !plan.Basename.IsUnknown() && !plan.Basename.Equal(state.Basename):
		warnAboutNewURL(ctx, r.client, state.UploadID.ValueString(), "", "a rename", &resp.Diagnostics)
	}
}

// destroyEffect says what destroying the resource does to the upload.
func destroyEffect(state uploadMetadataModel) string {
	if state.ClearOnDestroy.ValueBool() {
		return fmt.Sprintf("Upload %s stays in DatoCMS. clear_on_destroy is true, so its author, copyright, notes, tags and "+
			"default_field_metadata are cleared; its file, name and collection stay.", state.UploadID.ValueString())
	}
	return fmt.Sprintf("Upload %s and its metadata stay in DatoCMS as they are: Terraform only stops managing them. "+
		"To clear the metadata on destroy, set clear_on_destroy = true and apply it first.", state.UploadID.ValueString())
}

// checkUploadExists fails the plan of a new resource whose upload DatoCMS does not have; it
// returns the upload when it exists.
func (r *uploadMetadataResource) checkUploadExists(ctx context.Context, id string, diags *diag.Diagnostics) *datocms.Upload {
	up, err := r.client.GetUpload(ctx, id)
	switch {
	case datocms.IsNotFound(err):
		diags.AddAttributeError(path.Root("upload_id"), "Unknown upload", noSuchUpload(id))
	case err != nil:
		diags.Append(apiErrorDiagnostic("Error reading upload", fmt.Sprintf("Could not check upload_id %s: %s", id, err), err))
	}
	return up
}

func noSuchUpload(id string) string {
	return fmt.Sprintf("The environment has no upload %q. datocms_upload_metadata manages the metadata of an upload "+
		"that already exists: use the ID of one (the datocms_upload and datocms_uploads data sources find them), or "+
		"create the upload with a datocms_upload resource instead.", id)
}

func (r *uploadMetadataResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State) }()
	var plan uploadMetadataModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, defaultUpdateTimeout)
	defer cancel()
	id := plan.UploadID.ValueString()
	up, err := r.client.GetUpload(ctx, id)
	if datocms.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("upload_id"), "Unknown upload", noSuchUpload(id))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error reading upload", fmt.Sprintf("Could not read upload %s: %s", id, err), err))
		return
	}
	remote, diags := metadataModelFromAPI(ctx, up, plan)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, remote, up, resp.Private, &resp.State, &resp.Diagnostics)
}

func (r *uploadMetadataResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State, req.State) }()
	var state uploadMetadataModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	id := state.UploadID.ValueString()
	up, err := r.client.GetUpload(ctx, id)
	if datocms.IsNotFound(err) {
		if gone := confirmGone(ctx, r.client, id, req.Private); gone != nil {
			resp.Diagnostics.AddError("Error reading upload", gone.Error())
			return
		}
		tflog.Info(ctx, "upload no longer exists in DatoCMS; removing its metadata from state", map[string]any{"upload_id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error reading upload", fmt.Sprintf("Could not read upload %s: %s", id, err), err))
		return
	}
	newState, diags := metadataModelFromAPI(ctx, up, state)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, newState)...)
	resp.Diagnostics.Append(recordProject(ctx, r.client, resp.Private)...)
}

func (r *uploadMetadataResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State) }()
	var plan, state uploadMetadataModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, defaultUpdateTimeout)
	defer cancel()
	r.apply(ctx, plan, state, nil, resp.Private, &resp.State, &resp.Diagnostics)
}

// apply writes what takes the upload from current (its metadata as DatoCMS holds it, or as
// state records it) to plan, and saves the state DatoCMS answers with. up is the upload
// as just read, saved as it is when nothing needs writing (nil: state already matches).
func (r *uploadMetadataResource) apply(ctx context.Context, plan, current uploadMetadataModel, up *datocms.Upload,
	private privateSetter, state *tfsdk.State, diags *diag.Diagnostics,
) {
	id := plan.UploadID.ValueString()
	var in datocms.UpdateUploadInput
	diags.Append(plan.addPatch(ctx, current.uploadMetadataFields, &in)...)
	if !plan.Basename.IsUnknown() && !plan.Basename.Equal(current.Basename) {
		in.Basename = plan.Basename.ValueStringPointer()
	}
	if !plan.PosterTime.IsNull() { // left out: not managed
		in.PosterTime = patchPosterTime(plan.PosterTime, current.PosterTime)
	}
	if diags.HasError() {
		return
	}
	if !in.IsEmpty() {
		var err error
		if up, err = r.client.UpdateUpload(ctx, id, in); err != nil {
			diags.Append(apiErrorDiagnostic("Error updating upload metadata",
				fmt.Sprintf("Could not update the metadata of upload %s: %s", id, describeAPIError(err, defaultUpdateTimeout, "update")), err))
			return
		}
		tflog.Debug(ctx, "updated upload metadata", map[string]any{"upload_id": id})
	}
	if up == nil {
		diags.Append(state.Set(ctx, plan)...)
		return
	}
	newState, d := metadataModelFromAPI(ctx, up, plan)
	diags.Append(d...)
	diags.Append(state.Set(ctx, newState)...)
	diags.Append(recordProject(ctx, r.client, private)...)
}

func (r *uploadMetadataResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state uploadMetadataModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	if !state.ClearOnDestroy.ValueBool() {
		return // the upload is not this resource's: it keeps its metadata (see destroyEffect)
	}
	ctx, cancel := context.WithTimeout(ctx, defaultDeleteTimeout)
	defer cancel()
	id := state.UploadID.ValueString()
	cleared := state.uploadMetadataFields
	cleared.Author, cleared.Copyright, cleared.Notes = types.StringNull(), types.StringNull(), types.StringNull()
	cleared.Tags = types.SetValueMust(types.StringType, nil)
	cleared.DefaultFieldMetadata = types.MapNull(localeMetadataType)
	var in datocms.UpdateUploadInput
	if resp.Diagnostics.Append(cleared.addPatch(ctx, state.uploadMetadataFields, &in)...); resp.Diagnostics.HasError() || in.IsEmpty() {
		return
	}
	if _, err := r.client.UpdateUpload(ctx, id, in); err != nil && !datocms.IsNotFound(err) {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error clearing upload metadata",
			fmt.Sprintf("Could not clear the metadata of upload %s (clear_on_destroy): %s", id, describeAPIError(err, defaultDeleteTimeout, "delete")), err))
	}
}

// metadataModelFromAPI maps an upload onto the resource; prior (plan or state) supplies the
// Terraform-side arguments and how empty metadata is represented.
func metadataModelFromAPI(ctx context.Context, up *datocms.Upload, prior uploadMetadataModel) (uploadMetadataModel, diag.Diagnostics) {
	m := prior
	m.ID = types.StringValue(up.ID)
	m.UploadID = types.StringValue(up.ID)
	m.Basename = types.StringValue(up.Basename)
	if m.ClearOnDestroy.IsNull() || m.ClearOnDestroy.IsUnknown() {
		m.ClearOnDestroy = types.BoolValue(false)
	}
	var diags diag.Diagnostics
	m.uploadMetadataFields, diags = metadataFieldsFromAPI(ctx, up, prior.uploadMetadataFields, true)
	m.PosterTime = types.Float64PointerValue(up.DefaultFieldMetadata.PosterTime)
	return m, diags
}

// checkPosterTime checks a new poster time against the upload (held, or read now): a video,
// long enough, in an environment that keeps poster times (see the datocms_upload check).
func (r *uploadMetadataResource) checkPosterTime(ctx context.Context, plan uploadMetadataModel, held *datocms.Upload, diags *diag.Diagnostics) {
	if held == nil {
		up, err := r.client.GetUpload(ctx, plan.UploadID.ValueString())
		if err != nil {
			diags.Append(apiErrorDiagnostic("Error reading upload", fmt.Sprintf("Could not check poster_time against upload %s: %s",
				plan.UploadID.ValueString(), err), err))
			return
		}
		held = up
	}
	same := uploadResourceModel{MimeType: types.StringPointerValue(held.MimeType), uploadAfterFields: uploadAfterFromAPI(held)}
	checkPosterTime(ctx, r.client, plan.PosterTime, "", &same, diags)
}
