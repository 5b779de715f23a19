package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// The schema pieces that describe an upload, shared by the datocms_upload resource and the
// data sources that return uploads (design §10): the default_field_metadata object, and the
// attributes a data source returns for each upload. The resource and data source schema
// packages have distinct types, so each piece is built for both from one description.

// Descriptions of the metadata object's attributes, the same wherever the object appears.
const (
	metadataAltDescription        = "Alternate text."
	metadataTitleDescription      = "Title."
	metadataCustomDataDescription = "Custom key/value data."
	metadataFocalPointDescription = "Focal point of an image, as fractions of its width (`x`) and height (`y`)."
	metadataFocalXDescription     = "Horizontal position, from 0 (left) to 1 (right)."
	metadataFocalYDescription     = "Vertical position, from 0 (top) to 1 (bottom)."
)

// metadataResourceAttribute is default_field_metadata as datocms_upload manages it.
func metadataResourceAttribute(text []validator.String) rschema.MapNestedAttribute {
	return rschema.MapNestedAttribute{
		Optional: true,
		MarkdownDescription: "Default metadata used by records that do not override it, keyed by locale (such as `en` or `pt-BR`). " +
			"Locales must exist in the environment. Locales left out are cleared in DatoCMS. DatoCMS keeps one focal point " +
			"per asset: every locale that sets `focal_point` must set the same value.",
		Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.RegexMatches(localePattern,
			"must be a DatoCMS locale code such as \"en\", \"it\" or \"pt-BR\""))},
		NestedObject: rschema.NestedAttributeObject{
			Attributes: map[string]rschema.Attribute{
				"alt":   rschema.StringAttribute{Optional: true, MarkdownDescription: metadataAltDescription, Validators: text},
				"title": rschema.StringAttribute{Optional: true, MarkdownDescription: metadataTitleDescription, Validators: text},
				"custom_data": rschema.MapAttribute{
					ElementType:         types.StringType,
					Optional:            true,
					MarkdownDescription: metadataCustomDataDescription,
				},
				"focal_point": rschema.SingleNestedAttribute{
					Optional:            true,
					MarkdownDescription: metadataFocalPointDescription,
					Attributes: map[string]rschema.Attribute{
						"x": rschema.Float64Attribute{
							Required:            true,
							MarkdownDescription: metadataFocalXDescription,
							Validators:          []validator.Float64{float64validator.Between(0, 1)},
						},
						"y": rschema.Float64Attribute{
							Required:            true,
							MarkdownDescription: metadataFocalYDescription,
							Validators:          []validator.Float64{float64validator.Between(0, 1)},
						},
					},
				},
			},
		},
	}
}

// metadataDataSourceAttribute is default_field_metadata as a data source returns it: the
// same object, read-only.
func metadataDataSourceAttribute() dschema.MapNestedAttribute {
	return dschema.MapNestedAttribute{
		Computed: true,
		MarkdownDescription: "Default metadata used by records that do not override it, keyed by locale, in the shape of " +
			"`datocms_upload`'s `default_field_metadata`. Locales that hold nothing are left out. DatoCMS keeps one focal point " +
			"per asset: it is shown on the first locale in alphabetical order, as `datocms_upload` shows it after an import.",
		NestedObject: dschema.NestedAttributeObject{
			Attributes: map[string]dschema.Attribute{
				"alt":   dschema.StringAttribute{Computed: true, MarkdownDescription: metadataAltDescription},
				"title": dschema.StringAttribute{Computed: true, MarkdownDescription: metadataTitleDescription},
				"custom_data": dschema.MapAttribute{
					ElementType:         types.StringType,
					Computed:            true,
					MarkdownDescription: metadataCustomDataDescription + " Values that are not strings are shown JSON-encoded.",
				},
				"focal_point": dschema.SingleNestedAttribute{
					Computed:            true,
					MarkdownDescription: metadataFocalPointDescription,
					Attributes: map[string]dschema.Attribute{
						"x": dschema.Float64Attribute{Computed: true, MarkdownDescription: metadataFocalXDescription},
						"y": dschema.Float64Attribute{Computed: true, MarkdownDescription: metadataFocalYDescription},
					},
				},
			},
		},
	}
}

// uploadDataModel is an upload as the data sources return it.
type uploadDataModel struct {
	ID                   types.String `tfsdk:"id"`
	URL                  types.String `tfsdk:"url"`
	Path                 types.String `tfsdk:"path"`
	Basename             types.String `tfsdk:"basename"`
	Filename             types.String `tfsdk:"filename"`
	MD5                  types.String `tfsdk:"md5"`
	Size                 types.Int64  `tfsdk:"size"`
	Format               types.String `tfsdk:"format"`
	MimeType             types.String `tfsdk:"mime_type"`
	Width                types.Int64  `tfsdk:"width"`
	Height               types.Int64  `tfsdk:"height"`
	IsImage              types.Bool   `tfsdk:"is_image"`
	Author               types.String `tfsdk:"author"`
	Copyright            types.String `tfsdk:"copyright"`
	Notes                types.String `tfsdk:"notes"`
	Tags                 types.Set    `tfsdk:"tags"`
	UploadCollectionID   types.String `tfsdk:"upload_collection_id"`
	DefaultFieldMetadata types.Map    `tfsdk:"default_field_metadata"`
	CreatedAt            types.String `tfsdk:"created_at"`
	UpdatedAt            types.String `tfsdk:"updated_at"`
	uploadAfterFields
}

// uploadDataAttributes are the attributes of one upload in a data source, all computed.
// The datocms_upload data source makes its lookup keys (id, md5, filename) optional.
func uploadDataAttributes() map[string]dschema.Attribute {
	str := func(desc string) dschema.StringAttribute {
		return dschema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	num := func(desc string) dschema.Int64Attribute {
		return dschema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	attrs := map[string]dschema.Attribute{
		"id":        str("Upload ID: what `datocms_upload` imports, and what records link to."),
		"url":       str("Public URL of the file."),
		"path":      str("Storage path of the file in DatoCMS."),
		"basename":  str("File name without extension."),
		"filename":  str("File name in DatoCMS, including the extension."),
		"md5":       str("Hex MD5 of the file."),
		"size":      num("Size of the file in bytes."),
		"format":    str("File format as DatoCMS reports it, such as `png`, `jpg` or `pdf`."),
		"mime_type": str("MIME type of the file."),
		"width":     num("Width in pixels, for images."),
		"height":    num("Height in pixels, for images."),
		"is_image": dschema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether DatoCMS treats the file as an image.",
		},
		"author":    str("Author of the asset."),
		"copyright": str("Copyright notice."),
		"notes":     str("Internal notes."),
		"tags": dschema.SetAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "Manual tags.",
		},
		"upload_collection_id":   str("ID of the upload collection (media folder) holding the asset; null when it is in none."),
		"default_field_metadata": metadataDataSourceAttribute(),
		"created_at":             str("When the upload was created (RFC 3339)."),
		"updated_at":             str("When the upload was last changed (RFC 3339)."),
	}
	for name, a := range uploadAfterDataAttributes() {
		attrs[name] = a
	}
	return attrs
}

// uploadDataObjectType is the type of one upload in a list: derived from
// uploadDataAttributes, so that an attribute added there cannot be missing here.
var uploadDataObjectType = func() types.ObjectType {
	attrs := uploadDataAttributes()
	attrTypes := make(map[string]attr.Type, len(attrs))
	for name, a := range attrs {
		attrTypes[name] = a.GetType()
	}
	return types.ObjectType{AttrTypes: attrTypes}
}()

// uploadDataFromAPI maps an upload returned by DatoCMS to the data source model. Metadata is
// mapped as datocms_upload maps it after an import, so that the value can be copied into one.
func uploadDataFromAPI(ctx context.Context, up *datocms.Upload) (uploadDataModel, diag.Diagnostics) {
	m := uploadDataModel{
		ID:                 types.StringValue(up.ID),
		URL:                types.StringValue(up.URL),
		Path:               types.StringValue(up.Path),
		Basename:           types.StringValue(up.Basename),
		Filename:           types.StringValue(up.Filename),
		MD5:                types.StringValue(up.MD5),
		Size:               types.Int64Value(up.Size),
		Format:             types.StringPointerValue(up.Format),
		MimeType:           types.StringPointerValue(up.MimeType),
		Width:              types.Int64PointerValue(up.Width),
		Height:             types.Int64PointerValue(up.Height),
		IsImage:            types.BoolValue(up.IsImage),
		Author:             types.StringPointerValue(nonEmpty(up.Author)),
		Copyright:          types.StringPointerValue(nonEmpty(up.Copyright)),
		Notes:              types.StringPointerValue(nonEmpty(up.Notes)),
		UploadCollectionID: types.StringPointerValue(up.UploadCollectionID),
		CreatedAt:          stringOrNull(up.CreatedAt),
		UpdatedAt:          stringOrNull(up.UpdatedAt),
		uploadAfterFields:  uploadAfterFromAPI(up),
	}
	var diags diag.Diagnostics
	tags, d := types.SetValueFrom(ctx, types.StringType, up.Tags)
	diags.Append(d...)
	m.Tags = tags
	dfm, d := metadataFromAPI(ctx, up.DefaultFieldMetadata, types.MapNull(localeMetadataType))
	diags.Append(d...)
	m.DefaultFieldMetadata = dfm
	return m, diags
}

// stringOrNull maps "" (a value the API returned as null) to null.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
