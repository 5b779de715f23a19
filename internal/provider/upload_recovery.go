package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// unconfirmedCreateExpiry is how long a create whose answer was lost (so there is no job to
// ask about) may stay unconfirmed before the provider concludes it failed. DatoCMS jobs
// finish in seconds to minutes; a day leaves no doubt.
const unconfirmedCreateExpiry = 24 * time.Hour

// confirmGone decides whether a NOT_FOUND for an upload may be believed. Only DatoCMS itself,
// answering as the same project and environment the upload was created in, can say an
// upload is gone: a wrong base_url (a proxy, a path prefix) answers 404 for everything, and
// another project or environment has other uploads. It returns nil when the upload can be
// removed from state, or an error that says why not.
func confirmGone(ctx context.Context, client *datocms.Client, id string, private privateGetter) error {
	site, err := client.Site(ctx)
	if err != nil {
		return fmt.Errorf("DatoCMS answered that upload %s does not exist, but the API at %s does not answer as DatoCMS "+
			"(GET /site: %w). Check base_url (or DATOCMS_BASE_URL); the upload is kept in state until DatoCMS itself "+
			"confirms it is gone", id, client.BaseURL(), err)
	}
	rec := readProjectRecord(ctx, private)
	switch {
	case rec == nil:
	case rec.SiteID != site.ID:
		return fmt.Errorf("upload %s belongs to DatoCMS project %s, but api_token and base_url now reach project %s, "+
			"which does not have it. The upload is kept in state: point the provider at project %s again, or remove "+
			"the upload from state with terraform state rm if it is no longer managed here", id, rec.SiteID, site.ID, rec.SiteID)
	case rec.Environment != client.Environment():
		return fmt.Errorf("upload %s was created in environment %s, but the provider now manages environment %s, "+
			"which does not have it. The upload is kept in state: set environment back, or remove the upload from "+
			"state with terraform state rm if it is no longer managed here", id,
			environmentName(rec.Environment), environmentName(client.Environment()))
	}
	return nil
}

func environmentName(env string) string {
	if env == "" {
		return "(primary)"
	}
	return fmt.Sprintf("%q", env)
}

// readPending refreshes an upload whose create was not confirmed: it asks DatoCMS what became
// of it, waiting up to timeouts.create for a job still running.
func (r *uploadResource) readPending(ctx context.Context, state uploadResourceModel, pending *pendingCreate,
	req resource.ReadRequest, resp *resource.ReadResponse,
) {
	id := state.ID.ValueString()
	timeout, diags := state.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	followCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	up, err := r.client.FollowCreate(followCtx, id, pending.JobID)
	var still *datocms.PendingCreateError
	switch {
	case up != nil:
		r.refreshed(ctx, up, state, req, resp)
		resp.Diagnostics.Append(writePrivate[pendingCreate](ctx, resp.Private, privatePendingKey, nil)...)
		if err != nil {
			resp.Diagnostics.AddWarning("DatoCMS reported an error creating this upload",
				fmt.Sprintf("Upload %s exists, but the job that created it reported: %s. It is kept as DatoCMS has it.", id, err))
		}
	case datocms.IsJobFailure(err),
		errors.As(err, &still) && pending.JobID == "" && time.Since(pending.AcceptedAt) > unconfirmedCreateExpiry:
		// Nothing was created: the plan creates the upload again.
		if gone := confirmGone(ctx, r.client, id, req.Private); gone != nil {
			resp.Diagnostics.AddError("Error reading upload", gone.Error())
			return
		}
		r.forgetJournal(ctx, id)
		resp.State.RemoveResource(ctx)
	case errors.As(err, &still):
		resp.Diagnostics.AddWarning("Upload still being created",
			fmt.Sprintf("DatoCMS had not finished creating upload %s from %q (accepted %s) after waiting %s (timeouts.create). "+
				"It stays in state as it is; the apply waits for it before changing anything.",
				id, state.Source.ValueString(), pending.AcceptedAt.Format(time.RFC3339), timeout))
	default:
		resp.Diagnostics.AddError("Error reading upload",
			fmt.Sprintf("Could not find out what became of the create of upload %s: %s. It stays in state.", id, err))
	}
}

// awaitPending waits (within ctx) for an upload whose create was not confirmed before an
// update or delete acts on it. It returns the upload; or nil and failed when the create
// failed (nothing exists); or nil with an error diagnostic when it is still running or
// DatoCMS could not be asked.
func (r *uploadResource) awaitPending(ctx context.Context, id string, pending *pendingCreate, op string) (up *datocms.Upload, failed bool, diags diag.Diagnostics) {
	up, err := r.client.FollowCreate(ctx, id, pending.JobID)
	var still *datocms.PendingCreateError
	switch {
	case up != nil:
		return up, false, nil
	case datocms.IsJobFailure(err):
		return nil, true, nil
	case errors.As(err, &still):
		diags.AddError("Upload still being created",
			fmt.Sprintf("DatoCMS has not finished creating upload %s yet (%s), so the %s must wait. Run the apply again "+
				"later, or raise timeouts.%s.", id, err, op, op))
	default:
		diags.AddError("Error reading upload", fmt.Sprintf("Could not find out what became of the create of upload %s: %s", id, err))
	}
	return nil, false, diags
}

// refreshed writes the state of an upload read from DatoCMS, with the private records that
// go with it: where it lives, what the state was built from (recordRefresh), and the local file as seen now (see localFileForPlan; a file
// whose stat still shows the recorded version is not read).
func (r *uploadResource) refreshed(ctx context.Context, up *datocms.Upload, prior uploadResourceModel, req resource.ReadRequest, resp *resource.ReadResponse) {
	newState, diags := modelFromAPI(ctx, up, prior)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, newState)...)
	r.trackInState(ctx, up.ID)
	resp.Diagnostics.Append(recordProject(ctx, r.client, resp.Private)...)
	resp.Diagnostics.Append(recordRefresh(ctx, resp.Private, up, resp.State)...)
	if prior.Source.IsNull() {
		return
	}
	var current *localfile.Record
	if facts, _, err := r.files.Facts(prior.Source.ValueString(), readFileRecord(ctx, req.Private)); err == nil {
		rec := localfile.NewRecord(prior.Source.ValueString(), facts)
		current = &rec
	}
	resp.Diagnostics.Append(writeFileRecord(ctx, resp.Private, current)...)
}

// trackInState records that a resource of the configuration tracks upload id: it is nobody's
// orphan (trackedUploads), and its create journal entry is no longer needed.
func (r *uploadResource) trackInState(ctx context.Context, id string) {
	r.tracked.add(id)
	r.forgetJournal(ctx, id)
}

// forgetJournal removes the create journal entry of an upload that is tracked in state (or
// known never to have been created).
func (r *uploadResource) forgetJournal(ctx context.Context, id string) {
	if r.journal == nil {
		return
	}
	if _, scope, err := currentProject(ctx, r.client); err == nil {
		r.journal.forget(scope, id)
	}
}

// trackedUploads is the set of upload IDs this provider process has seen in state: uploads
// that a resource of the configuration tracks, and so are nobody's orphans.
type trackedUploads struct{ ids sync.Map }

func (t *trackedUploads) add(id string) { t.ids.Store(id, true) }

func (t *trackedUploads) has(id string) bool {
	_, ok := t.ids.Load(id)
	return ok
}

// warnAboutOrphans tells a reviewer, at plan time, about uploads that already hold the file
// a new upload would be created from: one that the apply will adopt (the create journal
// says an interrupted apply created it), or, where the journal cannot tell (it lives on the
// machine that ran that apply), uploads with the same content and metadata that no resource
// seen by this plan tracks: probably left by an interrupted apply elsewhere.
func (r *uploadResource) warnAboutOrphans(ctx context.Context, plan uploadResourceModel, local *localfile.Facts, diags *diag.Diagnostics) {
	_, scope, err := currentProject(ctx, r.client)
	if err != nil {
		return // the plan-time project check reports an API that cannot be reached
	}
	if orphans := r.journal.orphans(scope, plan.sourceKey(), local.MD5); len(orphans) > 0 {
		diags.AddAttributeWarning(path.Root("source"), "Upload left by an interrupted apply will be adopted",
			fmt.Sprintf("Upload %s was created from %q by an apply that ended before it could record it (started %s). "+
				"The apply adopts it instead of uploading a duplicate.", orphans[0].UploadID, plan.sourceKey(),
				orphans[0].CreatedAt.Format(time.RFC3339)))
		return
	}
	same, err := r.client.UploadsWithMD5(ctx, local.MD5)
	if err != nil {
		tflog.Debug(ctx, "could not look for uploads with the same content", map[string]any{"error": err.Error()})
		return
	}
	var probable []string
	for _, up := range same {
		if r.tracked.has(up.ID) {
			continue
		}
		if remote, d := modelFromAPI(ctx, up, plan); !d.HasError() && sameMetadata(ctx, remote, plan) {
			probable = append(probable, fmt.Sprintf("  # upload %s, %s, created %s\n  import {\n    to = <this resource>\n    id = %q\n  }",
				up.ID, up.Filename, up.CreatedAt, up.ID))
		}
	}
	if len(probable) == 0 {
		return
	}
	slices.Sort(probable)
	diags.AddAttributeWarning(path.Root("source"), "Probable orphan: DatoCMS already holds this file",
		fmt.Sprintf("DatoCMS already has %d upload(s) with the same content (md5 %s) and the same metadata as this new "+
			"upload, which no resource in this plan tracks. If one was left by an apply that was interrupted before it "+
			"could record it, adopt it instead of uploading a duplicate, with an import block (Terraform 1.5 and later) "+
			"naming this resource:\n\n%s", len(probable), local.MD5, strings.Join(probable, "\n\n")))
}

// sameMetadata reports whether an upload's metadata (as a model) is what the plan sets.
func sameMetadata(ctx context.Context, remote, plan uploadResourceModel) bool {
	return remote.Author.Equal(plan.Author) && remote.Copyright.Equal(plan.Copyright) && remote.Notes.Equal(plan.Notes) &&
		remote.Tags.Equal(plan.Tags) && equalMetadata(ctx, remote.DefaultFieldMetadata, plan.DefaultFieldMetadata) &&
		remote.UploadCollectionID.Equal(plan.UploadCollectionID)
}
