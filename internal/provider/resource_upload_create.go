package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/createjournal"
	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// Create uploads the file and creates the upload with an ID the provider chose, so that
// whatever happens on the way (a timeout, a lost answer, a crash) the upload can be found:
// it is recorded in the create journal before the create is sent, and in state (with what
// is needed to follow it) when its outcome is not known when Create returns.
func (r *uploadResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer func() { setIdentityFromState(ctx, resp.Identity, &resp.Diagnostics, resp.State) }()
	var plan uploadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(plan.withWriteOnlyContent(ctx, req.Config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	rpcCtx := ctx // canceled when terraform goes away: Create then never returns to it
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	source := plan.sourceKey()
	_, scope, err := currentProject(ctx, r.client)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic("Error creating upload", fmt.Sprintf("Could not create an upload from %q: %s", source, err), err))
		return
	}
	if r.adoptOrphan(rpcCtx, ctx, scope, source, plan, timeout, resp) {
		return
	}

	file, err := r.uploadPlannedFile(ctx, plan)
	if err != nil {
		resp.Diagnostics.Append(fileTransferError(plan, err))
		return
	}
	in, diags := createInput(ctx, plan, file.Path)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.warnAboutUnseen(scope, source, file.MD5, &resp.Diagnostics)
	entry := createjournal.Entry{UploadID: in.ID, Key: source, MD5: file.MD5, Owner: r.owner, Terraform: createjournal.Terraform(),
		Stage: createjournal.Started, CreatedAt: time.Now().UTC()}
	r.journalRecord(ctx, scope, entry)
	defer r.journalReturned(rpcCtx, scope, in.ID)
	in.OnAccepted = func(jobID string) {
		entry.JobID = jobID
		r.journalRecord(ctx, scope, entry)
	}
	up, err := r.client.CreateUpload(ctx, in)
	if err != nil {
		r.createFailed(ctx, scope, in.ID, plan, timeout, err, resp)
		return
	}
	tflog.Debug(ctx, "created upload", map[string]any{"upload_id": up.ID, "md5": up.MD5})
	r.finishCreate(ctx, up, plan, file, resp)
}

// finishCreate brings a created (or adopted) upload to the plan and saves it. POST /uploads
// takes no basename: DatoCMS derives it from the file name, which uploadFilename chose to
// match; when DatoCMS still named it otherwise, it is renamed.
func (r *uploadResource) finishCreate(ctx context.Context, up *datocms.Upload, plan uploadResourceModel, file *plannedUpload,
	resp *resource.CreateResponse,
) {
	current, diags := modelFromAPI(ctx, up, plan)
	resp.Diagnostics.Append(diags...)
	in, diags := updateInput(ctx, plan, current)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !in.IsEmpty() {
		updated, err := r.client.UpdateUpload(ctx, up.ID, in)
		if err != nil {
			r.saveWithError(ctx, up, plan, &resp.State, &resp.Diagnostics, "Error updating new upload",
				fmt.Sprintf("Upload %s was created from %q, but bringing its name and metadata to the configuration failed: %s. "+
					"The upload is kept in state and marked tainted, so it is never orphaned.", up.ID, plan.sourceKey(), err))
			return
		}
		up = updated
	}
	r.saveApplied(ctx, up, plan, file, &resp.State, resp.Private, infectedCreate, &resp.Diagnostics)
	resp.Diagnostics.Append(recordProject(ctx, r.client, resp.Private)...)
}

// createFailed makes sure that an upload DatoCMS created, or may still be creating, is
// tracked in state. A state saved with an error is marked tainted by Terraform.
func (r *uploadResource) createFailed(ctx context.Context, scope, id string, plan uploadResourceModel, timeout time.Duration, err error,
	resp *resource.CreateResponse,
) {
	var pending *datocms.PendingCreateError
	if errors.As(err, &pending) {
		r.savePending(ctx, plan, pending, timeout, resp)
		return
	}
	// DatoCMS refused the create, or ran its job and reported it failed. A job can fail after
	// the upload was made, so look before saying nothing exists.
	checkCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failureCheckTimeout)
	defer cancel()
	up, getErr := r.client.GetUpload(checkCtx, id)
	switch {
	case getErr == nil:
		r.saveWithError(ctx, up, plan, &resp.State, &resp.Diagnostics, "Error creating upload",
			fmt.Sprintf("DatoCMS created upload %s from %q, but reported: %s. The upload is kept in state and marked tainted, "+
				"so it is never orphaned; the next apply replaces it.", id, plan.sourceKey(), err))
	case datocms.IsNotFound(getErr) && confirmGone(checkCtx, r.client, id, nil) == nil:
		r.journal.Forget(scope, id) // DatoCMS itself says nothing was created
		resp.Diagnostics.Append(apiErrorDiagnostic("Error creating upload",
			fmt.Sprintf("Could not create an upload from %q: %s", plan.sourceKey(), describeAPIError(err, timeout, "create")), err))
	default:
		// Whether the upload exists is not known: forgetting its ID on a guess could orphan
		// it. It stays in state (tainted), marked unconfirmed, until DatoCMS answers.
		state := plan
		state.ID = types.StringValue(id)
		state.nullUnknowns()
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
		resp.Diagnostics.Append(writePrivate(ctx, resp.Private, privateUnconfirmedKey, &unconfirmedCreate{RefusedAt: time.Now().UTC()})...)
		resp.Diagnostics.Append(recordProject(ctx, r.client, resp.Private)...)
		resp.Diagnostics.Append(apiErrorDiagnostic("Error creating upload",
			fmt.Sprintf("Could not create an upload from %q: %s. Whether DatoCMS made upload %s anyway could not be checked (%s), "+
				"so its ID is kept in state, marked tainted: the next refresh asks DatoCMS again and drops it only when "+
				"DatoCMS answers that it does not exist; the next apply then creates the upload again.",
				plan.sourceKey(), describeAPIError(err, timeout, "create"), id, getErr), err))
	}
}

// savePending records a create whose outcome is not known: the upload ID (in state, with the
// values DatoCMS has not reported left null) and what to ask DatoCMS about it (private
// state). The error says what the next plan does.
func (r *uploadResource) savePending(ctx context.Context, plan uploadResourceModel, pending *datocms.PendingCreateError, timeout time.Duration,
	resp *resource.CreateResponse,
) {
	state := plan
	state.ID = types.StringValue(pending.UploadID)
	state.nullUnknowns()
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.Append(writePrivate(ctx, resp.Private, privatePendingKey,
		&pendingCreate{JobID: pending.JobID, AcceptedAt: time.Now().UTC()})...)
	resp.Diagnostics.Append(recordProject(ctx, r.client, resp.Private)...)

	summary, what := "Upload creation not confirmed", "DatoCMS's answer to the create was lost"
	switch {
	case errors.Is(pending, context.DeadlineExceeded) && pending.JobID != "":
		summary = "Timed out creating upload"
		what = fmt.Sprintf("DatoCMS accepted the create (job %s) but had not finished it when the create timeout of %s ran out",
			pending.JobID, timeout)
	case errors.Is(pending, context.DeadlineExceeded):
		summary = "Timed out creating upload"
		what = fmt.Sprintf("the create timeout of %s ran out before DatoCMS confirmed the create", timeout)
	case errors.Is(pending, context.Canceled):
		summary = "Upload creation interrupted"
		what = "the apply was interrupted before DatoCMS confirmed the create"
	}
	resp.Diagnostics.AddError(summary, fmt.Sprintf("Upload %s from %q: %s (%v).\n\n"+
		"The upload ID is kept in state, with what is needed to ask DatoCMS about it, so the upload can never be orphaned. "+
		"Terraform marks it tainted because the create did not finish.\n\n"+
		"What happens next: the next plan asks DatoCMS what became of the create, waiting for it up to timeouts.create. "+
		"If the create failed, the plan creates the upload again. If DatoCMS finished it, Terraform plans to replace it "+
		"because it is tainted: the apply deletes that upload and uploads the file again.\n\n"+
		"To keep the upload DatoCMS made instead, run `terraform untaint` on this resource before the next apply: "+
		"the next plan then adopts it with no replacement, or shows only the changes still needed. "+
		"If your files are large or DatoCMS is slow, raise timeouts.create.",
		pending.UploadID, plan.sourceKey(), what, pending.Err))
}

// currentProject returns where this provider's uploads live and the create journal's scope for it.
func currentProject(ctx context.Context, client *datocms.Client) (projectRecord, string, error) {
	site, err := client.Site(ctx)
	if err != nil {
		return projectRecord{}, "", err
	}
	p := projectRecord{SiteID: site.ID, Environment: client.Environment()}
	return p, createjournal.Scope(client.BaseURL(), site.ID, p.Environment), nil
}

// recordProject records in private state where the upload lives (see confirmGone).
func recordProject(ctx context.Context, client *datocms.Client, private privateSetter) diag.Diagnostics {
	p, _, err := currentProject(ctx, client)
	if err != nil {
		return nil // the record is a safeguard; without it, confirmGone only checks that DatoCMS answers
	}
	return writePrivate(ctx, private, privateProjectKey, &p)
}
