package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// What a plan does to the records that use an upload, told to the reviewer as warnings: a
// destroy leaves them pointing at a missing asset, a new URL leaves behind whatever was built
// with the old one. Each asks DatoCMS which records use the upload (one request per affected
// upload, under the client's rate limit; Terraform plans resources concurrently); uploads the
// plan does not affect that way cost nothing.

// warnAboutReferences tells a reviewer, in the plan, that a destroy would break records that
// use the upload: the apply refuses it unless delete_when_referenced is set in state.
func (r *uploadResource) warnAboutReferences(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics) {
	var prior uploadResourceModel
	if state.Raw.IsNull() || state.Get(ctx, &prior).HasError() || prior.ID.ValueString() == "" {
		return
	}
	refs := uploadReferences(ctx, r.client, prior.ID.ValueString())
	if len(refs) == 0 {
		return
	}
	what := "Deleting it would leave them pointing at a missing asset. The apply will refuse to delete it: remove the " +
		"references in DatoCMS first, or set delete_when_referenced = true and apply that before destroying."
	if prior.DeleteWhenReferenced.ValueBool() {
		what = "delete_when_referenced is true, so the apply deletes it and those records lose it."
	}
	diags.AddWarning("Destroying an upload that records use", describeReferences(prior.ID.ValueString(), refs)+" "+what)
}

// warnAboutNewURL tells a reviewer that the plan gives an upload that records use a new URL
// (why: "a new file", "a rename"); oldURL may be "" when the resource does not hold it. Records link to the upload by ID and follow it; what the
// new URL leaves behind is what was built or copied with the old one.
func warnAboutNewURL(ctx context.Context, client *datocms.Client, id, oldURL, why string, diags *diag.Diagnostics) {
	refs := uploadReferences(ctx, client, id)
	if len(refs) == 0 {
		return
	}
	old := "the old URL"
	if oldURL != "" {
		old += " " + oldURL
	}
	diags.AddWarning("New URL for an upload that records use",
		fmt.Sprintf("%s The apply gives it a new URL (%s). The records link to the upload by ID, so they show it once "+
			"read again; what still uses %s is what was built or copied with it: pages generated before the "+
			"apply (until they are rebuilt), CDN and browser caches, and links outside DatoCMS (emails, documents, other "+
			"sites), which may stop working. For a new file of the same format, replace_strategy = \"keep_url\" keeps the URL.",
			describeReferences(id, refs), why, old))
}

// uploadReferences returns the records that use an upload, or nil when DatoCMS cannot tell
// (the plan goes on: the warning is a courtesy, and the destroy checks again).
func uploadReferences(ctx context.Context, client *datocms.Client, id string) []datocms.Reference {
	refs, err := client.UploadReferences(ctx, id)
	if err != nil {
		tflog.Warn(ctx, "could not read which records use the upload", map[string]any{"upload_id": id, "error": err.Error()})
		return nil
	}
	return refs
}

// describeReferences names up to 10 records that use an upload.
func describeReferences(id string, refs []datocms.Reference) string {
	const shown = 10
	var names []string
	for _, ref := range refs[:min(len(refs), shown)] {
		model := ref.Model
		if model == "" {
			model = "item type " + ref.ModelID
		}
		names = append(names, fmt.Sprintf("record %s (model %s)", ref.RecordID, model))
	}
	more := ""
	if len(refs) > shown {
		more = fmt.Sprintf(" and %d more", len(refs)-shown)
	}
	return fmt.Sprintf("Upload %s is used by %d record(s), in their current or published version: %s%s.",
		id, len(refs), strings.Join(names, ", "), more)
}

// warnAboutAdoption tells a reviewer what creating a datocms_upload_metadata replaces: its
// plan is a create, which shows only the new values. remote is the upload as DatoCMS holds
// it, read into the plan's shape.
func warnAboutAdoption(ctx context.Context, plan, remote uploadMetadataModel, diags *diag.Diagnostics) {
	var changes []string
	show := func(name string, planned, held attr.Value) {
		if planned.IsNull() || planned.IsUnknown() || planned.Equal(held) {
			return
		}
		changes = append(changes, fmt.Sprintf("%s: %s -> %s", name, held, planned))
	}
	show("basename", plan.Basename, remote.Basename)
	show("author", plan.Author, remote.Author)
	show("copyright", plan.Copyright, remote.Copyright)
	show("notes", plan.Notes, remote.Notes)
	show("tags", plan.Tags, remote.Tags)
	show("upload_collection_id", plan.UploadCollectionID, remote.UploadCollectionID)
	if !plan.DefaultFieldMetadata.IsNull() && !plan.DefaultFieldMetadata.IsUnknown() &&
		!equalMetadata(ctx, plan.DefaultFieldMetadata, remote.DefaultFieldMetadata) {
		planned, d1 := metadataLocales(ctx, plan.DefaultFieldMetadata)
		held, d2 := metadataLocales(ctx, remote.DefaultFieldMetadata)
		if d1.HasError() || d2.HasError() {
			return
		}
		for _, loc := range sortedKeys(mergeKeys(planned, held)) {
			p, h := planned[loc], held[loc]
			for _, f := range []struct {
				name      string
				planned   attr.Value
				held      attr.Value
				unchanged bool
			}{
				{"alt", p.Alt, h.Alt, textsEqual(p.Alt, h.Alt)},
				{"title", p.Title, h.Title, textsEqual(p.Title, h.Title)},
				{"custom_data", p.CustomData, h.CustomData, len(p.CustomData.Elements()) == 0 && len(h.CustomData.Elements()) == 0 || p.CustomData.Equal(h.CustomData)},
				{"focal_point", focalValue(p.FocalPoint), focalValue(h.FocalPoint), focalValue(p.FocalPoint).Equal(focalValue(h.FocalPoint))},
			} {
				if !f.unchanged {
					changes = append(changes, fmt.Sprintf("default_field_metadata[%q].%s: %s -> %s", loc, f.name, f.held, f.planned))
				}
			}
		}
	}
	if len(changes) == 0 {
		return
	}
	diags.AddWarning("Adopting an upload's metadata replaces what it holds",
		fmt.Sprintf("Creating this resource changes upload %s, which holds other values than the configuration (as DatoCMS "+
			"holds them -> as configured):\n  %s\nA create shows only the new values. To review such a change as an "+
			"update, import the upload first with a configuration that matches what it holds (an import block and "+
			"terraform plan -generate-config-out write both), then change the values.",
			plan.UploadID.ValueString(), strings.Join(changes, "\n  ")))
}

// textsEqual compares texts as DatoCMS keeps them: null and "" are both empty.
func textsEqual(a, b types.String) bool {
	return textToAPI(a) == nil && textToAPI(b) == nil || a.Equal(b)
}

// focalValue shows a focal point, or null.
func focalValue(fp *focalPointModel) types.String {
	if fp == nil {
		return types.StringNull()
	}
	return types.StringValue(fmt.Sprintf("{x = %s, y = %s}", fp.X, fp.Y))
}

func mergeKeys[V any](a, b map[string]V) map[string]V {
	out := make(map[string]V, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
