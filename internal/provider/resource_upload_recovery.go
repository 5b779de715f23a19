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

	"github.com/assetform/terraform-provider-datocms/internal/createjournal"
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
	resp.Diagnostics.Append(writePrivate[unconfirmedCreate](ctx, resp.Private, privateUnconfirmedKey, nil)...) // DatoCMS has it
	if prior.Source.IsNull() {
		return
	}
	recorded := readFileRecord(ctx, req.Private)
	var current *localfile.Record
	if facts, _, err := r.files.Facts(prior.Source.ValueString(), recorded); err == nil {
		rec := localfile.NewRecord(prior.Source.ValueString(), facts)
		current = &rec
	}
	if current != nil && recorded != nil && current.Path == recorded.Path && current.Facts.MD5 == recorded.Facts.MD5 &&
		current.Facts.Size == recorded.Facts.Size {
		// The same content: the record stays as it is, even if the file was touched (a fresh
		// checkout) or hashed again (a racy record). Terraform before 1.15 counts any change
		// of private state as a change, so a refresh-only plan (a drift check) would report
		// drift where there is none. A later plan may read the file again (the hash cache
		// spares that for large files).
		return
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
		r.journal.Forget(scope, id)
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

// adoptOrphan looks in the create journal for a create of this very file and content by this
// configuration (root module, workspace, machine) that never returned, because the
// terraform process that ran it is gone (killed), and adopts its upload. It reports whether
// it handled the create. rpcCtx is Create's own context (see journalReturned).
func (r *uploadResource) adoptOrphan(rpcCtx, ctx context.Context, scope, source string, plan uploadResourceModel, timeout time.Duration,
	resp *resource.CreateResponse,
) bool {
	if plan.MD5.IsUnknown() || plan.MD5.IsNull() {
		return false
	}
	for _, e := range r.journal.Adoptable(scope, r.owner, source, plan.MD5.ValueString()) {
		if !r.journal.Forget(scope, e.UploadID) {
			continue // another create of the same file claimed it first
		}
		// Claimed: the entry is this create's now, until it returns.
		e.Terraform, e.Stage = createjournal.Terraform(), createjournal.Started
		r.journalRecord(ctx, scope, e)
		up, err := r.client.FollowCreate(ctx, e.UploadID, e.JobID)
		var pending *datocms.PendingCreateError
		switch {
		case up != nil && up.MD5 == plan.MD5.ValueString():
			defer r.journalReturned(rpcCtx, scope, e.UploadID)
			resp.Diagnostics.AddWarning("Adopted an upload left by an interrupted apply",
				fmt.Sprintf("Upload %s, created from %q by an apply of this configuration that was killed before its create "+
					"returned (started %s), holds this file. It was adopted instead of uploading a duplicate.", e.UploadID, source,
					e.CreatedAt.Format(time.RFC3339)))
			r.finishCreate(ctx, up, plan, nil, resp)
			return true
		case up != nil, datocms.IsJobFailure(err), datocms.IsNotFound(err):
			r.journal.Forget(scope, e.UploadID) // another file, or nothing was created: not ours to take
		case errors.As(err, &pending):
			defer r.journalReturned(rpcCtx, scope, e.UploadID)
			r.savePending(ctx, plan, pending, timeout, resp)
			return true
		default:
			e.Terraform = createjournal.Process{} // to be tried again by the next apply
			r.journalRecord(ctx, scope, e)
			tflog.Warn(ctx, "could not check an upload left by an interrupted apply", map[string]any{"upload_id": e.UploadID, "error": err.Error()})
		}
	}
	return false
}

// journalRecord writes a journal entry, logging (not failing on) a journal that cannot be
// written: that only loses the ability to adopt the upload after a crash.
func (r *uploadResource) journalRecord(ctx context.Context, scope string, e createjournal.Entry) {
	if err := r.journal.Record(scope, e); err != nil {
		tflog.Warn(ctx, "could not write the create journal", map[string]any{"error": err.Error()})
	}
}

// journalReturned records that Create returned the upload to terraform, unless terraform went
// away first (rpcCtx, Create's own context, is then canceled): only a create that never
// returned may be adopted.
func (r *uploadResource) journalReturned(rpcCtx context.Context, scope, id string) {
	if rpcCtx.Err() != nil {
		return
	}
	if err := r.journal.MarkReturned(scope, id); err != nil {
		tflog.Warn(rpcCtx, "could not write the create journal", map[string]any{"error": err.Error()})
	}
}

// warnAboutUnseen warns, as a create starts, about uploads this configuration created from
// the same file and content whose creates returned, but which no plan has found in state
// since: by the time an apply creates, its plan has read every upload in its state, so these
// are left outside it (a -target apply, a state that was not saved). They are never adopted:
// the warning shows the import block that takes one back.
func (r *uploadResource) warnAboutUnseen(scope, source, md5 string, diags *diag.Diagnostics) {
	current := createjournal.Terraform()
	for _, e := range r.journal.Unseen(scope, r.owner, source, md5) {
		if e.Terraform == current || r.tracked.has(e.UploadID) {
			continue // created by this very apply, or tracked after all
		}
		diags.AddAttributeWarning(path.Root("source"), "An earlier upload of this file is not in the state",
			fmt.Sprintf("Upload %s was created from %q by an earlier apply of this configuration (%s), but no plan has found it "+
				"in the state since: it was applied with -target, or its state was not saved. A new upload is created. If "+
				"upload %s should be this resource instead, remove the new one and import it (Terraform 1.5 and later):\n\n"+
				"  import {\n    to = <this resource>\n    id = %q\n  }", e.UploadID, source, e.CreatedAt.Format(time.RFC3339),
				e.UploadID, e.UploadID))
	}
}

// uploadClaims are the uploads the resources of this plan manage, by upload ID, with the type
// of the resource that manages each: best effort (one provider process sees one plan), it
// catches two resources that would fight over one upload's metadata.
type uploadClaims struct {
	mu sync.Mutex
	by map[string]string
}

// claim records that a resource of typeName manages upload id in this plan. It adds an error
// when another resource claimed it first.
func (c *uploadClaims) claim(id, typeName string, diags *diag.Diagnostics) {
	if c == nil || id == "" {
		return
	}
	c.mu.Lock()
	other, taken := c.by[id]
	if !taken {
		if c.by == nil {
			c.by = map[string]string{}
		}
		c.by[id] = typeName
	}
	c.mu.Unlock()
	if taken {
		diags.AddError("Upload managed twice",
			fmt.Sprintf("Upload %s is managed by two resources of this configuration: a %s and a %s. Each would put its own "+
				"metadata back on every apply. Manage each upload with one resource: a datocms_upload (the file and its "+
				"metadata) or one datocms_upload_metadata (the metadata only).", id, other, typeName))
	}
}

// warnAboutOrphans tells a reviewer, at plan time, about uploads that already hold the file
// a new upload would be created from (key, the configuration's sourceKey): one that the apply will adopt (the create journal
// says a killed apply of this configuration created it), or, where the journal cannot tell
// (it lives on the machine that ran that apply), uploads with the same content and metadata
// that no resource seen by this plan tracks and that the journal does not know as another
// configuration's: perhaps left by an interrupted apply elsewhere.
func (r *uploadResource) warnAboutOrphans(ctx context.Context, key string, plan uploadResourceModel, local *localfile.Facts, diags *diag.Diagnostics) {
	_, scope, err := currentProject(ctx, r.client)
	if err != nil {
		return // the plan-time project check reports an API that cannot be reached
	}
	if orphans := r.journal.Adoptable(scope, r.owner, key, local.MD5); len(orphans) > 0 {
		diags.AddAttributeWarning(path.Root("source"), "Upload left by an interrupted apply will be adopted",
			fmt.Sprintf("Upload %s was created from %q by an apply of this configuration that was killed before its create "+
				"returned (started %s). The apply adopts it instead of uploading a duplicate.", orphans[0].UploadID, key,
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
		if e, known := r.journal.Entry(scope, up.ID); known && e.Owner != r.owner {
			continue // the journal knows it as another configuration's
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
			"upload, which no resource in this plan tracks. If one was left by an apply of this configuration that was "+
			"interrupted before it could record it, adopt it instead of uploading a duplicate, with an import block "+
			"(Terraform 1.5 and later) naming this resource. If another configuration manages it, ignore this warning: "+
			"each configuration keeps its own upload.\n\n%s", len(probable), local.MD5, strings.Join(probable, "\n\n")))
}

// sameMetadata reports whether an upload's metadata (as a model) is what the plan sets.
func sameMetadata(ctx context.Context, remote, plan uploadResourceModel) bool {
	return remote.Author.Equal(plan.Author) && remote.Copyright.Equal(plan.Copyright) && remote.Notes.Equal(plan.Notes) &&
		remote.Tags.Equal(plan.Tags) && equalMetadata(ctx, remote.DefaultFieldMetadata, plan.DefaultFieldMetadata) &&
		remote.UploadCollectionID.Equal(plan.UploadCollectionID)
}
