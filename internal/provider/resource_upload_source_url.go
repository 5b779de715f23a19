package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	tfpath "github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
	"github.com/assetform/terraform-provider-datocms/internal/sourceurl"
)

// A file can also come from a URL (source_url), pinned by its checksum (source_sha256 or
// source_md5). Plans are decided from the pin alone, never from the network: the MD5 is
// the pinned one, or the one recorded in private state (urlSourceRecord) when the file was
// last downloaded with the same SHA-256 pin. The apply downloads the file (checking the
// pin before anything is sent to DatoCMS) and uploads it like a local file. Drift of the
// upload still shows: its refreshed md5 is compared with the pinned or recorded one.

// privateURLSourceKey holds the urlSourceRecord of the last file downloaded for the upload.
const privateURLSourceKey = "url_source"

// urlSourceRecord is a file downloaded from source_url: its checksums and size.
type urlSourceRecord struct {
	SHA256 string `json:"sha256"`
	MD5    string `json:"md5"`
	Size   int64  `json:"size"`
}

var sha256Pattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// hasURLSource reports whether the configuration takes the file from source_url.
func (m uploadResourceModel) hasURLSource() bool { return !m.SourceURL.IsNull() }

// urlPin is the configuration's pin.
func (m uploadResourceModel) urlPin() sourceurl.Pin {
	return sourceurl.Pin{SHA256: strings.ToLower(m.SourceSHA256.ValueString()), MD5: strings.ToLower(m.SourceMD5.ValueString())}
}

// urlFacts plans a file from source_url: its MD5 from the pin or from the record of the last
// download with the same SHA-256 pin (with its size), or nil while neither tells it.
func urlFacts(ctx context.Context, config uploadResourceModel, private privateGetter) *localfile.Facts {
	if config.SourceURL.IsUnknown() || config.SourceSHA256.IsUnknown() || config.SourceMD5.IsUnknown() {
		return nil
	}
	pin := config.urlPin()
	var rec urlSourceRecord
	recorded := readPrivate(ctx, private, privateURLSourceKey, &rec) && rec.MD5 != "" &&
		(pin.SHA256 == "" || rec.SHA256 == pin.SHA256) && (pin.MD5 == "" || rec.MD5 == pin.MD5)
	switch {
	case recorded:
		return &localfile.Facts{MD5: rec.MD5, Size: rec.Size}
	case pin.MD5 != "":
		return &localfile.Facts{MD5: pin.MD5, Size: -1} // the size is known once downloaded
	}
	return nil
}

// validateURLSource checks at plan time what source_url needs: a pin, and the pins only with it.
func validateURLSource(config uploadResourceModel, diags *diag.Diagnostics) {
	switch {
	case config.hasURLSource() && config.SourceSHA256.IsNull() && config.SourceMD5.IsNull():
		diags.AddAttributeError(tfpath.Root("source_url"), "Missing checksum for source_url",
			"Pin the file at source_url with source_sha256 (or source_md5): plans are decided from the pin, never from "+
				"the network, and the apply checks the download against it before anything reaches DatoCMS. "+
				"For example: source_sha256 = \"<output of sha256sum>\".")
	case !config.hasURLSource():
		for _, pin := range []struct {
			name  string
			value types.String
		}{{"source_sha256", config.SourceSHA256}, {"source_md5", config.SourceMD5}} {
			if !pin.value.IsNull() {
				diags.AddAttributeError(tfpath.Root(pin.name), "Checksum without source_url",
					pin.name+" pins the file downloaded from source_url: set source_url, or remove "+pin.name+".")
			}
		}
	}
}

// urlNameOf is the file name at the end of a URL's path, for DatoCMS's name of the file.
func urlNameOf(rawURL string) string {
	name := path.Base(strings.SplitN(strings.SplitN(rawURL, "?", 2)[0], "#", 2)[0])
	if name == "." || name == "/" || name == "" {
		return "file"
	}
	return name
}

// downloadsDir is the cache directory's directory of temporary downloads.
const downloadsDir = "downloads"

// downloadPlannedFile downloads the file at source_url, checked against the pin, into a
// private temporary file; the caller closes it. It returns the record to keep.
func (r *uploadResource) downloadPlannedFile(ctx context.Context, plan uploadResourceModel) (*sourceurl.File, *urlSourceRecord, error) {
	d := sourceurl.Downloader{MaxSize: datocms.MaxUploadSize}
	if r.cache != nil {
		// The file's name is removed as soon as it is made (see sourceurl), so the directory
		// is left empty: removed again once the download is over.
		d.CreateTemp = func(pattern string) (*os.File, error) { return r.cache.CreateTemp(pattern, downloadsDir) }
		defer r.cache.RemoveEmpty(downloadsDir)
	}
	url := plan.SourceURL.ValueString()
	var report func(int64)
	d.Progress = func(done, total int64) {
		if report == nil {
			report = r.client.Progress(ctx, "downloading "+url, total)
		}
		report(done)
	}
	f, err := d.Download(ctx, url, plan.urlPin())
	if err != nil {
		return nil, nil, err
	}
	return f, &urlSourceRecord{SHA256: f.SHA256, MD5: f.MD5, Size: f.Size()}, nil
}

// downloadFailure is a failed download of source_url, before anything was sent to DatoCMS.
type downloadFailure struct{ err error }

func (e *downloadFailure) Error() string { return e.err.Error() }
func (e *downloadFailure) Unwrap() error { return e.err }

// downloadError explains a failed download; nothing was sent to DatoCMS.
func downloadError(url string, err error) diag.Diagnostic {
	var mismatch *sourceurl.MismatchError
	if errors.As(err, &mismatch) {
		attr := map[string]string{"SHA-256": "source_sha256", "MD5": "source_md5"}[mismatch.Algorithm]
		return diag.NewAttributeErrorDiagnostic(tfpath.Root(attr), "Downloaded file does not match its pin",
			fmt.Sprintf("%s. Nothing was uploaded and nothing changed in DatoCMS. If the file at the URL is the one you want, "+
				"update %s to %s; otherwise fix source_url.", err, attr, mismatch.Got))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return diag.NewAttributeErrorDiagnostic(tfpath.Root("source_url"), "Timed out downloading source_url",
			fmt.Sprintf("Downloading %s did not finish in time: %s. Nothing was uploaded. For large files, raise the timeouts.", url, err))
	}
	return diag.NewAttributeErrorDiagnostic(tfpath.Root("source_url"), "Error downloading source_url",
		fmt.Sprintf("%s. Nothing was uploaded.", err))
}

// urlValidator checks source_url at plan time.
type urlValidator struct{}

func (urlValidator) Description(context.Context) string {
	return "an https URL (or http to a loopback host) without credentials"
}

func (v urlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (urlValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := sourceurl.Check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid source_url", "source_url "+err.Error()+".")
	}
}
