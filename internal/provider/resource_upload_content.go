package provider

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// The file of an upload comes from one of three places: a local file (source), or inline
// content, as text (content) or base64 (content_base64). Inline content has no file name,
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
	for _, group := range [][]argument{
		{{"source", config.Source}, {"content", config.Content}, {"content_base64", config.ContentBase64}},
		{{"source", config.Source}, {"extension", config.Extension}},
	} {
		var set []string
		for _, arg := range group {
			if !arg.value.IsNull() && !arg.value.IsUnknown() {
				set = append(set, arg.name)
			}
		}
		if len(set) > 1 {
			diags.AddAttributeError(path.Root(set[0]), "Invalid Attribute Combination",
				fmt.Sprintf("These attributes cannot be configured together: %s. source, content and content_base64 "+
					"each give the upload's file (set one of them), and extension names the file of inline content only.",
					strings.Join(set, ", ")))
		}
	}
}

// managesFile reports whether the configuration gives the upload's file (known or not yet).
func (m uploadResourceModel) managesFile() bool {
	return !m.Source.IsNull() || m.hasInlineContent()
}

// hasInlineContent reports whether the configuration gives the file inline.
func (m uploadResourceModel) hasInlineContent() bool {
	return !m.Content.IsNull() || !m.ContentBase64.IsNull()
}

// inlineBytes returns the inline content, or ok false while it is unknown.
func (m uploadResourceModel) inlineBytes() (b []byte, ok bool, err error) {
	switch {
	case m.Content.IsUnknown() || m.ContentBase64.IsUnknown():
		return nil, false, nil
	case !m.Content.IsNull():
		return []byte(m.Content.ValueString()), true, nil
	}
	b, err = base64.StdEncoding.DecodeString(m.ContentBase64.ValueString())
	return b, err == nil, err
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
				"With content or content_base64 there is no file name: set basename and extension, which DatoCMS uses to "+
					"name the file (<basename>.<extension>) and to tell its format.")
		}
	}
	if b, ok, _ := config.inlineBytes(); ok && int64(len(b)) > datocms.MaxUploadSize {
		diags.AddAttributeError(path.Root("content"), "Content too large for DatoCMS",
			fmt.Sprintf("The content is %d bytes; DatoCMS accepts files of at most 1 GiB.", len(b)))
	}
}

// uploadPlannedFile puts the planned file in DatoCMS's storage: the source file streamed
// from disk, or the inline content through a private temporary file, removed afterwards.
func (r *uploadResource) uploadPlannedFile(ctx context.Context, plan uploadResourceModel) (*datocms.UploadedFile, error) {
	in := uploadFileInput(plan)
	if !plan.hasInlineContent() {
		return r.client.UploadFile(ctx, in)
	}
	b, _, err := plan.inlineBytes()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "datocms-inline-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in.LocalPath = filepath.Join(dir, plan.inlineName())
	if err := os.WriteFile(in.LocalPath, b, 0o600); err != nil {
		return nil, err
	}
	return r.client.UploadFile(ctx, in)
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
