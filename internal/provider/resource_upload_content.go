package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// The file of an upload comes from one of three places: a local file (source), or inline
// content, as text (content, or content_wo) or base64 (content_base64, or content_base64_wo).
// The write-only forms (Terraform 1.11+) are never stored: Terraform hands them to the
// provider from the configuration at plan and at apply only. Inline content has no file name,
// so DatoCMS's name for it is basename plus extension, two arguments it then requires.
// Whatever the origin, the plan hashes the bytes the same way and the apply streams them
// through the same upload, so every other behaviour (md5 in the plan, predictions,
// in-place replacement) is shared. An existing upload may also have none of the three: its
// file is then left as DatoCMS has it and only its metadata is managed, which is what a
// configuration generated from an import (-generate-config-out, terraform query) holds.

// validateFileOrigin reports arguments that cannot be set together: at most one of source,
// content and content_base64 gives the file, and extension names inline content only.
// (resourcevalidator.Conflicting said the same, but matching its paths cost a tenth of the
// provider's CPU in a plan of 1,000 uploads.) Unknown values are checked once known.
func validateFileOrigin(config uploadResourceModel, diags interface {
	AddAttributeError(path.Path, string, string)
},
) {
	type argument struct {
		name  string
		value types.String
	}
	origins := []argument{{"source", config.Source}, {"source_url", config.SourceURL}}
	for _, a := range config.inlineArgs() {
		origins = append(origins, argument{a.name, a.value})
	}
	for _, group := range [][]argument{origins, {{"source", config.Source}, {"extension", config.Extension}}} {
		var set []string
		for _, arg := range group {
			if !arg.value.IsNull() && !arg.value.IsUnknown() {
				set = append(set, arg.name)
			}
		}
		if len(set) > 1 {
			diags.AddAttributeError(path.Root(set[0]), "Invalid Attribute Combination",
				fmt.Sprintf("These attributes cannot be configured together: %s. source, source_url, content, content_base64, "+
					"content_wo and content_base64_wo each give the upload's file (set one of them), and extension names the "+
					"file of inline content only.",
					strings.Join(set, ", ")))
		}
	}
}

// managesFile reports whether the configuration gives the upload's file (known or not yet).
func (m uploadResourceModel) managesFile() bool {
	return !m.Source.IsNull() || m.hasInlineContent() || m.hasURLSource()
}

// inlineArg is one of the inline content arguments.
type inlineArg struct {
	name      string
	value     types.String
	base64    bool // base64-encoded
	writeOnly bool // never stored (content_wo, content_base64_wo)
}

// inlineArgs are the inline content arguments, as the model holds them. In a plan or a state
// the write-only ones are always null: only the configuration has them.
func (m uploadResourceModel) inlineArgs() []inlineArg {
	return []inlineArg{
		{name: "content", value: m.Content},
		{name: "content_base64", value: m.ContentBase64, base64: true},
		{name: "content_wo", value: m.ContentWO, writeOnly: true},
		{name: "content_base64_wo", value: m.ContentBase64WO, base64: true, writeOnly: true},
	}
}

// inlineArg returns the inline content argument that is set, if any.
func (m uploadResourceModel) inlineArg() (inlineArg, bool) {
	for _, a := range m.inlineArgs() {
		if !a.value.IsNull() {
			return a, true
		}
	}
	return inlineArg{}, false
}

// fileArgument names the argument that gives the upload's file, for errors about it.
func (m uploadResourceModel) fileArgument() path.Path {
	if a, ok := m.inlineArg(); ok {
		return path.Root(a.name)
	}
	if m.hasURLSource() {
		return path.Root("source_url")
	}
	return path.Root("source")
}

// hasInlineContent reports whether the configuration gives the file inline.
func (m uploadResourceModel) hasInlineContent() bool {
	_, ok := m.inlineArg()
	return ok
}

// inlineBytes returns the inline content, or ok false while it is unknown.
func (m uploadResourceModel) inlineBytes() (b []byte, ok bool, err error) {
	a, set := m.inlineArg()
	switch {
	case !set, a.value.IsUnknown():
		return nil, false, nil
	case !a.base64:
		return []byte(a.value.ValueString()), true, nil
	}
	b, err = base64.StdEncoding.DecodeString(a.value.ValueString())
	return b, err == nil, err
}

// Limits of inline content, measured with Terraform 1.11 against the 256 MiB that
// terraform-plugin-go accepts in one message. content and content_base64 are kept in state
// and travel in a plan RPC several times (configuration, prior and proposed state): 80 MiB
// of content still planned, 96 MiB failed with a raw gRPC error, and a no-op plan took 0.9 s
// at 4 MiB against 3.4 s at 16 MiB with a state as large as the content. The write-only forms
// travel twice in a plan RPC (configuration and proposed state): 120 MiB planned, 128 MiB
// failed. Both caps leave a wide margin.
const (
	maxStoredContent    = 4 << 20
	maxWriteOnlyContent = 100 << 20
)

// withWriteOnlyContent reads the write-only content arguments, which only the configuration
// holds, into m (a plan): Create and Update upload it. modelFromAPI drops them again, so they
// never reach state.
func (m *uploadResourceModel) withWriteOnlyContent(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	diags := config.GetAttribute(ctx, path.Root("content_wo"), &m.ContentWO)
	diags.Append(config.GetAttribute(ctx, path.Root("content_base64_wo"), &m.ContentBase64WO)...)
	return diags
}

// inlineName is DatoCMS's file name for inline content: basename.extension.
func (m uploadResourceModel) inlineName() string {
	return m.Basename.ValueString() + "." + m.Extension.ValueString()
}

// sourceKey names where the file comes from, for the create journal and messages: the
// absolute path of source, or the inline file's name.
func (m uploadResourceModel) sourceKey() string {
	if m.hasInlineContent() {
		return "inline content " + m.inlineName()
	}
	if m.hasURLSource() {
		return m.SourceURL.ValueString()
	}
	abs, err := filepath.Abs(m.Source.ValueString())
	if err != nil {
		return m.Source.ValueString()
	}
	return abs
}

// inlineFacts plans inline content as a file is planned; nil while it is unknown.
func inlineFacts(config uploadResourceModel) *localfile.Facts {
	b, ok, err := config.inlineBytes()
	if !ok || err != nil {
		return nil
	}
	f := localfile.OfBytes(b, "."+config.Extension.ValueString())
	return &f
}

// validateInlineContent checks what inline content needs: DatoCMS names the file after
// basename and extension.
func validateInlineContent(config uploadResourceModel, diags interface {
	AddAttributeError(path.Path, string, string)
},
) {
	if !config.hasInlineContent() {
		return
	}
	for _, attr := range []struct {
		name  string
		value types.String
	}{{"basename", config.Basename}, {"extension", config.Extension}} {
		if attr.value.IsNull() {
			diags.AddAttributeError(path.Root(attr.name), "Missing "+attr.name+" for inline content",
				"With inline content (content, content_base64 or their write-only forms) there is no file name: set "+
					"basename and extension, which DatoCMS uses to "+
					"name the file (<basename>.<extension>) and to tell its format.")
		}
	}
	a, _ := config.inlineArg()
	limit, instead := maxStoredContent, "source (a file) or "+a.name+"_wo (write-only, Terraform 1.11 and later, never stored)"
	if a.writeOnly {
		limit, instead = maxWriteOnlyContent, "source (a file) or source_url"
	}
	if b, ok, _ := config.inlineBytes(); ok && len(b) > limit {
		diags.AddAttributeError(path.Root(a.name), "Content too large for "+a.name,
			fmt.Sprintf("The content is %d bytes; %s takes at most %d MiB, so that every plan can carry it. Use %s instead.",
				len(b), a.name, limit>>20, instead))
	}
}

// plannedUpload is the planned file, in DatoCMS's storage; url records a file downloaded
// from source_url.
type plannedUpload struct {
	*datocms.UploadedFile
	url *urlSourceRecord
}

// uploadPlannedFile puts the planned file in DatoCMS's storage: the source file streamed
// from disk, the inline content sent from memory (never written to disk, where a killed
// apply would leave it), or the file at source_url, downloaded and checked against its pin
// before anything is sent.
func (r *uploadResource) uploadPlannedFile(ctx context.Context, plan uploadResourceModel) (*plannedUpload, error) {
	in := uploadFileInput(plan)
	out := &plannedUpload{}
	switch {
	case plan.hasInlineContent():
		b, _, err := plan.inlineBytes()
		if err != nil {
			return nil, err
		}
		in.Data, in.LocalPath = bytes.NewReader(b), ""
	case plan.hasURLSource():
		f, rec, err := r.downloadPlannedFile(ctx, plan)
		if err != nil {
			return nil, &downloadFailure{err}
		}
		defer f.Close()
		in.Data, in.LocalPath, out.url = f, "", rec
		if in.ExpectedMD5 == "" {
			in.ExpectedMD5 = rec.MD5
		}
	}
	file, err := r.client.UploadFile(ctx, in)
	if err != nil {
		return nil, err
	}
	out.UploadedFile = file
	return out, nil
}

// base64Validator checks that content_base64 is standard base64 with padding, at plan time.
type base64Validator struct{}

func (base64Validator) Description(context.Context) string {
	return "must be standard base64 with padding"
}

func (v base64Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (base64Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := base64.StdEncoding.DecodeString(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid base64",
			fmt.Sprintf("content_base64 is not standard base64 with padding (%s). Use base64encode() or filebase64(); "+
				"for text, use content instead.", strings.TrimPrefix(err.Error(), "illegal base64 data ")))
	}
}
