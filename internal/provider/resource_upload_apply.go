package provider

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// failureCheckTimeout bounds the read that looks for an upload after a failed create. It runs
// on a fresh context because the operation's own context may have timed out already.
const failureCheckTimeout = 30 * time.Second

// uploadFileInput describes the transfer of the planned source file; the client checks the
// bytes it streams against the planned md5 and size.
func uploadFileInput(plan uploadResourceModel) datocms.UploadFileInput {
	in := datocms.UploadFileInput{
		LocalPath:          plan.Source.ValueString(),
		Filename:           uploadFilename(plan),
		ExpectedSize:       -1,
		UploadCollectionID: plan.UploadCollectionID.ValueStringPointer(),
	}
	if !plan.MD5.IsUnknown() && !plan.MD5.IsNull() {
		in.ExpectedMD5 = plan.MD5.ValueString()
	}
	if !plan.Size.IsUnknown() && !plan.Size.IsNull() {
		in.ExpectedSize = plan.Size.ValueInt64()
	}
	return in
}

// saveApplied writes the state after a successful create or update and checks that DatoCMS
// holds exactly the bytes that were uploaded. It records the local file (hashed by the
// apply-time plan of this process), so the next plan does not read it again. After a new
// file it waits for DatoCMS's verdict on it (see awaitSettled): infected fails the apply,
// with the state saved; without one, what DatoCMS found out since the plan (a scan, Mux)
// is left to the next refresh, so that the state is the plan.
func (r *uploadResource) saveApplied(ctx context.Context, up *datocms.Upload, plan uploadResourceModel, file *plannedUpload,
	state *tfsdk.State, private privateSetter, then string, diags *diag.Diagnostics,
) {
	newFile := plan.AntivirusStatus.IsUnknown()
	if newFile {
		up = awaitSettled(ctx, r.client, up, diags)
	}
	newState, d := modelFromAPI(ctx, up, plan)
	diags.Append(d...)
	keptAfter := !newFile && !newState.withPosterTime(plan.PosterTime).equal(plan.uploadAfterFields)
	if !newFile {
		newState.uploadAfterFields = plan.withPosterTime(newState.PosterTime)
	}
	if file != nil && up.MD5 != file.MD5 {
		diags.AddAttributeError(path.Root("md5"), "DatoCMS stored a different file",
			fmt.Sprintf("Upload %s reports md5 %s, but the file uploaded from %q has md5 %s. The upload is kept in state as DatoCMS "+
				"reports it; the next plan shows the difference.", up.ID, up.MD5, plan.sourceKey(), file.MD5))
	}
	kept := keepPredicted(&newState, plan, diags)
	diags.Append(state.Set(ctx, newState)...)
	diags.Append(r.recordFile(ctx, private, plan.Source, up.MD5)...)
	switch {
	case !plan.hasURLSource():
		diags.Append(writePrivate[urlSourceRecord](ctx, private, privateURLSourceKey, nil)...)
	case file != nil && file.url != nil && file.url.MD5 == up.MD5:
		diags.Append(writePrivate(ctx, private, privateURLSourceKey, file.url)...)
	}
	if newFile {
		reportScan(up, plan.sourceKey(), then, diags)
		var reupload *reuploadRecord
		if up.AntivirusStatus == antivirusInfected {
			reupload = &reuploadRecord{MD5: up.MD5}
		}
		diags.Append(writePrivate(ctx, private, privateReuploadKey, reupload)...)
	}
	if kept || keptAfter { // the state is not what up maps to: the next refresh maps it
		up = nil
	}
	diags.Append(recordRefresh(ctx, private, up, *state)...)
}

// recordFile records the local file at source in private state when it holds the bytes
// DatoCMS has (md5), so the next plan trusts it without reading it. This process hashed
// the file for the apply-time plan already, so no file is read here.
func (r *uploadResource) recordFile(ctx context.Context, private privateSetter, source types.String, md5 string) diag.Diagnostics {
	var record *localfile.Record
	if source.IsNull() || source.IsUnknown() {
		return writeFileRecord(ctx, private, nil) // inline content: nothing on disk to record
	}
	if facts, _, err := r.files.Facts(source.ValueString(), nil); err == nil && facts.MD5 == md5 {
		rec := localfile.NewRecord(source.ValueString(), facts)
		record = &rec
	}
	return writeFileRecord(ctx, private, record)
}

// keepPredicted keeps the values the plan predicted from the file (format, mime_type, image
// facts, filename) when DatoCMS reports others, and warns: Terraform rejects a result that
// contradicts a known planned value, which would fail an apply whose upload succeeded. The
// next refresh records DatoCMS's values without showing a change. It reports whether it kept any.
func keepPredicted(newState *uploadResourceModel, plan uploadResourceModel, diags *diag.Diagnostics) (kept bool) {
	for _, p := range []struct {
		name    string
		planned attr.Value
		got     attr.Value
		keep    func()
	}{
		{"format", plan.Format, newState.Format, func() { newState.Format = plan.Format }},
		{"mime_type", plan.MimeType, newState.MimeType, func() { newState.MimeType = plan.MimeType }},
		{"filename", plan.Filename, newState.Filename, func() { newState.Filename = plan.Filename }},
		{"is_image", plan.IsImage, newState.IsImage, func() { newState.IsImage = plan.IsImage }},
		{"width", plan.Width, newState.Width, func() { newState.Width = plan.Width }},
		{"height", plan.Height, newState.Height, func() { newState.Height = plan.Height }},
		{"blurhash", plan.Blurhash, newState.Blurhash, func() { newState.Blurhash = plan.Blurhash }},
		{"thumbhash", plan.Thumbhash, newState.Thumbhash, func() { newState.Thumbhash = plan.Thumbhash }},
	} {
		if p.planned.IsUnknown() || p.planned.Equal(p.got) {
			continue
		}
		diags.AddAttributeWarning(path.Root(p.name), "DatoCMS reported another "+p.name,
			fmt.Sprintf("The plan predicted %s = %s from the file, but DatoCMS reports %s. The state keeps the planned value "+
				"until the next refresh. Please report this to the provider's maintainers.", p.name, p.planned, p.got))
		p.keep()
		kept = true
	}
	return kept
}

func (r *uploadResource) saveWithError(ctx context.Context, up *datocms.Upload, plan uploadResourceModel, state *tfsdk.State,
	diags *diag.Diagnostics, summary, detail string,
) {
	newState, d := modelFromAPI(ctx, up, plan)
	diags.Append(d...)
	diags.Append(state.Set(ctx, newState)...)
	diags.AddError(summary, detail)
}

// refreshAfterFailedUpdate records what DatoCMS holds after a failed update, since part of
// it may have been applied; when even that read fails, the prior state stays.
func (r *uploadResource) refreshAfterFailedUpdate(ctx context.Context, id string, prior uploadResourceModel, state *tfsdk.State, diags *diag.Diagnostics) {
	checkCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failureCheckTimeout)
	defer cancel()
	up, err := r.client.GetUpload(checkCtx, id)
	if err != nil {
		return
	}
	newState, d := modelFromAPI(checkCtx, up, prior)
	diags.Append(d...)
	diags.Append(state.Set(ctx, newState)...)
}

// fileTransferError explains a failed transfer of the planned file.
func fileTransferError(plan uploadResourceModel, err error) diag.Diagnostic {
	source, arg := plan.sourceKey(), plan.fileArgument()
	var (
		changed  *datocms.FileChangedError
		download *downloadFailure
	)
	switch {
	case errors.As(err, &download):
		return downloadError(plan.SourceURL.ValueString(), download.err)
	case errors.As(err, &changed):
		return diag.NewAttributeErrorDiagnostic(arg, "Source file changed since the plan was made",
			fmt.Sprintf("%s. Nothing was uploaded. Run terraform plan again to review the new content.", changed.Error()))
	case errors.Is(err, fs.ErrNotExist):
		return diag.NewAttributeErrorDiagnostic(arg, "Source file not found",
			fmt.Sprintf("%q does not exist. Create it (or fix source) and apply again.", source))
	case errors.Is(err, context.DeadlineExceeded):
		return diag.NewAttributeErrorDiagnostic(arg, "Timed out uploading file",
			fmt.Sprintf("Uploading %q did not finish in time: %s. For large files, raise the timeouts.", source, err))
	case errors.As(err, new(*datocms.APIError)):
		// The upload request (POST /upload-requests) was refused: point at what DatoCMS blamed.
		return apiErrorDiagnostic("Error uploading file", fmt.Sprintf("Could not upload %q: %s", source, err), err)
	default:
		return diag.NewAttributeErrorDiagnostic(arg, "Error uploading file", fmt.Sprintf("Could not upload %q: %s", source, err))
	}
}

// describeAPIError adds the operation's timeout to a deadline error, which otherwise does
// not say which limit was reached.
func describeAPIError(err error, timeout time.Duration, op string) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("%s (the %s timeout of %s ran out; see the timeouts block)", err, op, timeout)
	}
	return err.Error()
}

// apiFieldAttributes maps the API's details.field to the attribute a user can fix.
var apiFieldAttributes = map[string]string{
	"path":                   "source",
	"basename":               "basename",
	"author":                 "author",
	"copyright":              "copyright",
	"notes":                  "notes",
	"tags":                   "tags",
	"default_field_metadata": "default_field_metadata",
	"upload_collection":      "upload_collection_id",
	"replace_strategy":       "replace_strategy",
}

// apiErrorDiagnostic points the diagnostic at the attribute the API blamed, if any, and
// names the provider argument behind errors about access (the token, the environment or the
// API's address), which no resource attribute can fix.
func apiErrorDiagnostic(summary, detail string, err error) diag.Diagnostic {
	var (
		apiErr  *datocms.APIError
		connErr *datocms.ConnectError
	)
	switch {
	case errors.As(err, &connErr):
		return diag.NewErrorDiagnostic(summary, detail+". Check base_url (or DATOCMS_BASE_URL) in the provider configuration.")
	case !errors.As(err, &apiErr):
		return diag.NewErrorDiagnostic(summary, detail)
	case datocms.HasCode(err, "INVALID_AUTHORIZATION_HEADER") || apiErr.Status == http.StatusUnauthorized:
		return diag.NewErrorDiagnostic(summary, detail+". DatoCMS rejected the API token: check api_token (or DATOCMS_API_TOKEN) in the provider configuration.")
	case datocms.HasCode(err, "INSUFFICIENT_PERMISSIONS") || apiErr.Status == http.StatusForbidden:
		return diag.NewErrorDiagnostic(summary, detail+". The role of the API token (api_token or DATOCMS_API_TOKEN) lacks a permission this needs.")
	case datocms.HasCode(err, "INVALID_ENVIRONMENT"):
		return diag.NewErrorDiagnostic(summary, detail+". Check environment (or DATOCMS_ENVIRONMENT) in the provider configuration.")
	}
	if attr, ok := apiFieldAttributes[apiErr.Field()]; ok {
		return diag.NewAttributeErrorDiagnostic(path.Root(attr), summary, detail)
	}
	return diag.NewErrorDiagnostic(summary, detail)
}
