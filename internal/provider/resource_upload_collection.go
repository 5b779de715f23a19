package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

var (
	_ resource.ResourceWithConfigure   = (*uploadCollectionResource)(nil)
	_ resource.ResourceWithImportState = (*uploadCollectionResource)(nil)
	_ resource.ResourceWithIdentity    = (*uploadCollectionResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*uploadCollectionResource)(nil)
)

// maxListedIDs bounds how many ids an error message lists.
const maxListedIDs = 10

// NewUploadCollectionResource is the datocms_upload_collection resource.
func NewUploadCollectionResource() resource.Resource {
	return &uploadCollectionResource{}
}

type uploadCollectionResource struct {
	client *datocms.Client
}

type uploadCollectionResourceModel struct {
	ID       types.String `tfsdk:"id"`
	Label    types.String `tfsdk:"label"`
	ParentID types.String `tfsdk:"parent_id"`
	Position types.Int64  `tfsdk:"position"`
}

func (r *uploadCollectionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_upload_collection"
}

func (r *uploadCollectionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages an upload collection: a folder of the DatoCMS media library, possibly inside another one. " +
			"Renames, moves and reorders are applied in place, so the collection keeps its ID and its uploads.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Upload collection ID, as `upload_collection_id` of `datocms_upload` takes it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"label": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the collection, as the Media Area shows it.",
				Validators:          []validator.String{stringvalidator.RegexMatches(notBlank, "must not be empty")},
			},
			"parent_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ID of the collection this one is inside. Unset: a top-level collection. Changing it moves " +
					"the collection, with everything in it, in place. The parent must exist (checked at plan time when its ID " +
					"is known) and must not be this collection or one inside it.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"position": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Place of the collection among the collections with the same parent, from 1 (DatoCMS " +
					"documents it as an \"ordering index\"; how it renumbers the other collections is not documented). " +
					"Unset: DatoCMS places a new collection, and the value follows DatoCMS (reorders made in the Media Area " +
					"are not a change). Set: a reorder made elsewhere shows as a change that puts it back. If you set it on " +
					"siblings, number them 1 to n; when DatoCMS places a collection elsewhere than planned, the apply warns " +
					"and keeps the planned value until the next refresh.",
				// The API documents position as an integer without a range: 32 bits is the range
				// that every integer store accepts, so a larger value is refused here rather
				// than risk DatoCMS refusing or truncating it at apply.
				Validators: []validator.Int64{int64validator.Between(1, math.MaxInt32)},
			},
		},
	}
}

func (r *uploadCollectionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data := configuredData(req.ProviderData, &resp.Diagnostics)
	if data == nil {
		return
	}
	r.client = data.client
}

func (r *uploadCollectionResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("upload collection")
}

func (r *uploadCollectionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if importIDMissing(ctx, req) {
		resp.Diagnostics.AddError("Invalid import ID",
			"Import a datocms_upload_collection by its ID, for example: terraform import datocms_upload_collection.photos VpNoWSzLQmyQ3X0GBHgVGA")
		return
	}
	importByIDOrIdentity(ctx, req, resp)
}

// ModifyPlan checks the parent and plans position: a collection that moves under another
// parent without a configured position goes last there (unknown until the apply); otherwise
// an unconfigured position keeps its refreshed value.
func (r *uploadCollectionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy
		return
	}
	var config, plan uploadCollectionResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *uploadCollectionResourceModel
	if !req.State.Raw.IsNull() {
		state = &uploadCollectionResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	parentKnown := !plan.ParentID.IsUnknown() && !plan.ParentID.IsNull()
	moves := state == nil || !plan.ParentID.Equal(state.ParentID)
	if state != nil && parentKnown && plan.ParentID.ValueString() == state.ID.ValueString() {
		resp.Diagnostics.AddAttributeError(path.Root("parent_id"), "Collection cannot be its own parent",
			fmt.Sprintf("parent_id is %q, the ID of this collection. Use the ID of another collection, or remove parent_id "+
				"to make it a top-level collection.", plan.ParentID.ValueString()))
		return
	}
	if parentKnown && moves && r.client != nil {
		exists, err := r.client.UploadCollectionExists(ctx, plan.ParentID.ValueString())
		switch {
		case err != nil:
			resp.Diagnostics.Append(apiErrorDiagnostic("Error reading the DatoCMS project",
				"Could not check parent_id "+plan.ParentID.ValueString()+": "+err.Error(), err))
		case !exists:
			resp.Diagnostics.AddAttributeError(path.Root("parent_id"), "Unknown parent collection",
				fmt.Sprintf("The environment has no upload collection %q. Use the ID of an existing collection (the "+
					"datocms_upload_collection data source finds one by label), or reference the id of a "+
					"datocms_upload_collection resource.", plan.ParentID.ValueString()))
		case state != nil:
			r.checkNotUnderItself(ctx, state.ID.ValueString(), plan.ParentID.ValueString(), &resp.Diagnostics)
		}
	}

	if config.Position.IsNull() && state != nil {
		if moves {
			plan.Position = types.Int64Unknown()
		} else {
			plan.Position = state.Position
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("position"), plan.Position)...)
	}
}

// checkNotUnderItself fails the plan of a move of collection id under parent when parent is
// inside id: DatoCMS would refuse the cycle at apply.
func (r *uploadCollectionResource) checkNotUnderItself(ctx context.Context, id, parent string, diags *diag.Diagnostics) {
	all, err := r.client.ListUploadCollections(ctx)
	if err != nil {
		diags.Append(apiErrorDiagnostic("Error reading the DatoCMS project", "Could not check parent_id "+parent+": "+err.Error(), err))
		return
	}
	parents := map[string]*string{}
	labels := map[string]string{}
	for _, c := range all {
		parents[c.ID], labels[c.ID] = c.ParentID, c.Label
	}
	for at, steps := &parent, 0; at != nil && steps <= len(all); at, steps = parents[*at], steps+1 {
		if *at == id {
			diags.AddAttributeError(path.Root("parent_id"), "Collection cannot be inside itself",
				fmt.Sprintf("parent_id is %q (%q), a collection inside this one: a collection cannot be moved under its own "+
					"sub-collection. Move that collection out first, or choose another parent.", parent, labels[parent]))
			return
		}
	}
}

func (r *uploadCollectionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State) }()
	var config, plan uploadCollectionResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := datocms.CreateUploadCollectionInput{
		Label:    plan.Label.ValueString(),
		ParentID: plan.ParentID.ValueStringPointer(),
		Position: knownPosition(plan.Position),
	}
	col, err := r.client.CreateUploadCollectionWith(ctx, in)
	if err != nil {
		resp.Diagnostics.Append(collectionAPIErrorDiagnostic("Error creating upload collection",
			fmt.Sprintf("Could not create upload collection %q: %s", in.Label, err), err))
		return
	}
	tflog.Debug(ctx, "created upload collection", map[string]any{"upload_collection_id": col.ID})
	resp.Diagnostics.Append(resp.State.Set(ctx, applied(col, plan, !config.Position.IsNull(), &resp.Diagnostics))...)
}

func (r *uploadCollectionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State, req.State) }()
	var state uploadCollectionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	col, err := r.client.GetUploadCollection(ctx, id)
	if datocms.IsNotFound(err) {
		tflog.Info(ctx, "upload collection no longer exists in DatoCMS; removing it from state", map[string]any{"upload_collection_id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error reading upload collection", fmt.Sprintf("Could not read upload collection %s: %s", id, err), err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, collectionModelFromAPI(col))...)
}

func (r *uploadCollectionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State) }()
	var config, plan, state uploadCollectionResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var in datocms.UpdateUploadCollectionInput
	if !plan.Label.Equal(state.Label) {
		in.Label = plan.Label.ValueStringPointer()
	}
	moves := !plan.ParentID.Equal(state.ParentID)
	if moves {
		in.ParentID = patchString(plan.ParentID)
	}
	// A configured position is sent on a move (the place in the new list) or when it changed.
	if !config.Position.IsNull() && (moves || !plan.Position.Equal(state.Position)) {
		in.Position = knownPosition(plan.Position)
	}
	id := state.ID.ValueString()
	col, err := r.client.UpdateUploadCollection(ctx, id, in)
	if err != nil {
		resp.Diagnostics.Append(collectionAPIErrorDiagnostic("Error updating upload collection",
			fmt.Sprintf("Could not update upload collection %s (%q): %s", id, plan.Label.ValueString(), err), err))
		return
	}
	tflog.Debug(ctx, "updated upload collection", map[string]any{"upload_collection_id": id, "moved": moves})
	resp.Diagnostics.Append(resp.State.Set(ctx, applied(col, plan, !config.Position.IsNull(), &resp.Diagnostics))...)
}

// Delete refuses to delete a collection that still holds uploads or collections. What
// DatoCMS does with them is not documented (its API reference and official client say
// nothing; the local server refuses), and a destroy must never move or delete anyone's
// files as a side effect: the error says what the collection holds and what to do.
func (r *uploadCollectionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state uploadCollectionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if done := r.refuseIfNotEmpty(ctx, state, &resp.Diagnostics); done {
		return
	}
	err := r.client.DeleteUploadCollection(ctx, id)
	switch {
	case err == nil, datocms.IsNotFound(err):
	case datocms.HasCode(err, "DELETE_RESTRICTION"):
		// Something was put in it since the check: say what.
		if !r.refuseIfNotEmpty(ctx, state, &resp.Diagnostics) {
			resp.Diagnostics.Append(collectionAPIErrorDiagnostic("Error deleting upload collection",
				fmt.Sprintf("DatoCMS refused to delete upload collection %s (%q): %s", id, state.Label.ValueString(), err), err))
		}
	default:
		resp.Diagnostics.Append(collectionAPIErrorDiagnostic("Error deleting upload collection",
			fmt.Sprintf("Could not delete upload collection %s (%q): %s", id, state.Label.ValueString(), err), err))
	}
}

// refuseIfNotEmpty adds the error for a collection that still holds something and reports
// whether Delete is done: true also when the collection no longer exists or could not be
// checked.
func (r *uploadCollectionResource) refuseIfNotEmpty(ctx context.Context, state uploadCollectionResourceModel, diags *diag.Diagnostics) bool {
	id := state.ID.ValueString()
	contents, err := r.client.UploadCollectionContents(ctx, id, maxListedIDs)
	switch {
	case datocms.IsNotFound(err):
		return true
	case err != nil:
		diags.Append(apiErrorDiagnostic("Error deleting upload collection",
			fmt.Sprintf("Could not check what upload collection %s (%q) holds before deleting it: %s", id, state.Label.ValueString(), err), err))
		return true
	case contents.IsEmpty():
		return false
	}
	var held []string
	if contents.Uploads > 0 {
		held = append(held, fmt.Sprintf("%s (%s)", plural(contents.Uploads, "upload"), listIDs(contents.UploadIDs, contents.Uploads)))
	}
	if n := len(contents.Children); n > 0 {
		var names []string
		for _, ch := range contents.Children {
			names = append(names, fmt.Sprintf("%q %s", ch.Label, ch.ID))
		}
		held = append(held, fmt.Sprintf("%s (%s)", plural(n, "collection"), listIDs(names, n)))
	}
	diags.AddError("Upload collection is not empty",
		fmt.Sprintf("Upload collection %q (%s) still holds %s. The provider deletes only empty collections: what DatoCMS "+
			"would do with the contents is not documented, and a destroy must not move or delete anyone's files.\n\n"+
			"If this apply also moves those uploads to another collection: Terraform deletes a resource removed from the "+
			"configuration before it updates the resources that depended on it, so they have not moved yet. Give the "+
			"collection lifecycle { create_before_destroy = true } and apply that with the collection still in the "+
			"configuration; Terraform then moves the uploads first and deletes the collection last, in one apply. Or keep "+
			"the collection's block for this apply and remove it in the next one.\n\n"+
			"Otherwise move the uploads to another collection (set upload_collection_id on their datocms_upload resources, "+
			"or move them in the DatoCMS Media Area) or delete them, move or delete the collections inside it, then apply again.",
			state.Label.ValueString(), id, strings.Join(held, " and ")))
	return true
}

// applied is the state after a create or update: what DatoCMS returned, except that a known
// planned position is kept (Terraform requires the planned value). DatoCMS numbers
// siblings 1..n, so a position past the end of the list is clamped, and siblings created,
// moved or deleted in the same apply shift it: a configured position that did not hold is
// reported, and the next plan shows it if it still differs. An unconfigured one is only
// informative, and the next refresh corrects it silently.
func applied(col *datocms.UploadCollection, plan uploadCollectionResourceModel, configured bool, diags *diag.Diagnostics) uploadCollectionResourceModel {
	m := collectionModelFromAPI(col)
	if plan.Position.IsUnknown() || plan.Position.IsNull() {
		return m
	}
	if got := int64(col.Position); configured && got != plan.Position.ValueInt64() {
		diags.AddAttributeWarning(path.Root("position"), "Collection placed at another position",
			fmt.Sprintf("DatoCMS placed upload collection %q at position %d, not %d. Positions are numbered 1 to n "+
				"among the collections with the same parent, so a position past the end of the list is clamped, and "+
				"collections created, moved or deleted at the same time shift it. If the next plan still shows a "+
				"change of position, apply it, or number the sibling collections 1 to n.",
				col.Label, got, plan.Position.ValueInt64()))
	}
	m.Position = plan.Position
	return m
}

func collectionModelFromAPI(col *datocms.UploadCollection) uploadCollectionResourceModel {
	return uploadCollectionResourceModel{
		ID:       types.StringValue(col.ID),
		Label:    types.StringValue(col.Label),
		ParentID: types.StringPointerValue(col.ParentID),
		Position: types.Int64Value(int64(col.Position)),
	}
}

// knownPosition is the position to send: 0 (let DatoCMS place it) when unknown or null.
func knownPosition(v types.Int64) int {
	if v.IsUnknown() || v.IsNull() {
		return 0
	}
	return int(v.ValueInt64())
}

// collectionFieldAttributes maps the API's details.field to the attribute a user can fix.
var collectionFieldAttributes = map[string]string{"label": "label", "parent": "parent_id", "position": "position"}

// collectionAPIErrorDiagnostic is apiErrorDiagnostic for collections: a refusal that names a
// field points at the attribute behind it, and a cycle says so.
func collectionAPIErrorDiagnostic(summary, detail string, err error) diag.Diagnostic {
	var apiErr *datocms.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnprocessableEntity {
		return apiErrorDiagnostic(summary, detail, err)
	}
	if datocms.HasCode(err, "CIRCULAR_REFERENCE") {
		detail += ". parent_id names this collection or a collection inside it: a collection cannot be inside itself"
	}
	if attr, ok := collectionFieldAttributes[apiErr.Field()]; ok {
		return diag.NewAttributeErrorDiagnostic(path.Root(attr), summary, detail)
	}
	return diag.NewErrorDiagnostic(summary, detail)
}

// plural is "1 upload", "3 uploads".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// listIDs joins the first items of a list of total and says how many more there are.
func listIDs(items []string, total int) string {
	if len(items) > maxListedIDs {
		items = items[:maxListedIDs]
	}
	out := strings.Join(items, ", ")
	if more := total - len(items); more > 0 {
		out += fmt.Sprintf(" and %d more", more)
	}
	return out
}
