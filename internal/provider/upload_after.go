package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// What DatoCMS finds out about an upload after it is stored (API §6.12): its antivirus scan
// and, for a video, what Mux reports once it has processed it; and the video's poster frame,
// which lives in default_field_metadata on the wire but is one value per asset. The
// datocms_upload resource and the data sources share the attributes and their mapping.

// uploadAfterFields are those attributes.
type uploadAfterFields struct {
	AntivirusStatus  types.String  `tfsdk:"antivirus_status"`
	ThreatName       types.String  `tfsdk:"threat_name"`
	MuxPlaybackID    types.String  `tfsdk:"mux_playback_id"`
	MuxMP4HighestRes types.String  `tfsdk:"mux_mp4_highest_res"`
	Duration         types.Float64 `tfsdk:"duration"`
	FrameRate        types.Float64 `tfsdk:"frame_rate"`
	PosterTime       types.Float64 `tfsdk:"poster_time"`
}

// Antivirus statuses (meta.antivirus.status).
const (
	antivirusPending  = "pending"
	antivirusClean    = "clean"
	antivirusInfected = "infected"
	antivirusFailed   = "failed"
	antivirusSkipped  = "skipped"
)

var afterDescriptions = map[string]string{
	"antivirus_status": "DatoCMS's antivirus scan of the file: `pending`, `clean`, `infected` (the file is quarantined " +
		"and its URL serves nothing), `failed` or `skipped`; null when DatoCMS reports no scan. Refreshed on every plan, " +
		"so a quarantine after the apply shows as a change (`terraform plan -refresh-only`).",
	"threat_name": "The threat the antivirus found, when `antivirus_status` is `infected`.",
	"mux_playback_id": "For a video: its public Mux playback ID, once Mux has processed it (`https://stream.mux.com/" +
		"<id>.m3u8` streams it, `https://image.mux.com/<id>/thumbnail.jpg?time=<s>` is a frame).",
	"mux_mp4_highest_res": "For a video: the highest MP4 rendition Mux made (`high`, `medium` or `low`).",
	"duration":            "For a video: its duration in seconds, once Mux has processed it.",
	"frame_rate":          "For a video: its frame rate, once Mux has processed it.",
	"poster_time": "For a video: the time, in seconds, of the frame shown before it plays; null uses Mux's default, " +
		"the middle of the video.",
}

// posterTimeDescription is poster_time where it can be set.
const posterTimeDescription = " Needs an environment whose `default_field_metadata` is field-keyed (DatoCMS keeps the " +
	"poster time there); checked at plan time, with the video's length when the file does not change."

// uploadAfterResourceAttributes are the attributes in datocms_upload: all computed but
// poster_time. unknownOnNewFile lists what a new file makes unknown.
func uploadAfterResourceAttributes() map[string]rschema.Attribute {
	out := map[string]rschema.Attribute{}
	for name, desc := range afterDescriptions {
		switch name {
		case "duration", "frame_rate":
			out[name] = rschema.Float64Attribute{Computed: true, MarkdownDescription: desc}
		case "poster_time":
			out[name] = rschema.Float64Attribute{Optional: true, MarkdownDescription: desc + posterTimeDescription +
				" Removing it puts back Mux's default.", Validators: []validator.Float64{float64validator.AtLeast(0)}}
		default:
			out[name] = rschema.StringAttribute{Computed: true, MarkdownDescription: desc}
		}
	}
	return out
}

// uploadAfterDataAttributes are the same attributes in a data source, all computed.
func uploadAfterDataAttributes() map[string]dschema.Attribute {
	out := map[string]dschema.Attribute{}
	for name, desc := range afterDescriptions {
		switch name {
		case "duration", "frame_rate", "poster_time":
			out[name] = dschema.Float64Attribute{Computed: true, MarkdownDescription: desc}
		default:
			out[name] = dschema.StringAttribute{Computed: true, MarkdownDescription: desc}
		}
	}
	return out
}

// uploadAfterFromAPI maps them from an upload. (A configured poster time of 0.1 is a
// decimal, DatoCMS's a float64: the framework keeps the prior value when both are the same
// float64, so no apply reports an inconsistent result.)
func uploadAfterFromAPI(up *datocms.Upload) uploadAfterFields {
	return uploadAfterFields{
		AntivirusStatus:  stringOrNull(up.AntivirusStatus),
		ThreatName:       types.StringPointerValue(up.AntivirusThreat),
		MuxPlaybackID:    types.StringPointerValue(up.MuxPlaybackID),
		MuxMP4HighestRes: types.StringPointerValue(up.MuxHighestRes),
		Duration:         types.Float64PointerValue(up.Duration),
		FrameRate:        types.Float64PointerValue(up.FrameRate),
		PosterTime:       types.Float64PointerValue(up.DefaultFieldMetadata.PosterTime),
	}
}

// equal reports whether f and o hold the same values.
func (f uploadAfterFields) equal(o uploadAfterFields) bool {
	return f.AntivirusStatus.Equal(o.AntivirusStatus) && f.ThreatName.Equal(o.ThreatName) && f.MuxPlaybackID.Equal(o.MuxPlaybackID) &&
		f.MuxMP4HighestRes.Equal(o.MuxMP4HighestRes) && f.Duration.Equal(o.Duration) && f.FrameRate.Equal(o.FrameRate) &&
		f.PosterTime.Equal(o.PosterTime)
}

// withPosterTime is f with the poster time planned from the configuration.
func (f uploadAfterFields) withPosterTime(planned types.Float64) uploadAfterFields {
	f.PosterTime = planned
	return f
}

// unknownForNewFile plans what a new file makes unknown: the scan, and Mux's facts unless
// the file is certainly not a video.
func (f *uploadAfterFields) unknownForNewFile(notVideo bool) {
	f.AntivirusStatus, f.ThreatName = types.StringUnknown(), types.StringUnknown()
	f.MuxPlaybackID, f.MuxMP4HighestRes = types.StringUnknown(), types.StringUnknown()
	f.Duration, f.FrameRate = types.Float64Unknown(), types.Float64Unknown()
	if notVideo {
		f.MuxPlaybackID, f.MuxMP4HighestRes = types.StringNull(), types.StringNull()
		f.Duration, f.FrameRate = types.Float64Null(), types.Float64Null()
	}
}

// isVideo reports whether DatoCMS reports the upload as a video.
func isVideo(up *datocms.Upload) bool {
	return up.MimeType != nil && strings.HasPrefix(*up.MimeType, "video/")
}

// How long an apply waits, after a new file, for what DatoCMS finds out about it. Both
// waits end earlier when the operation's timeout would not leave settleMargin to save the
// state: running out of either is a warning, never a failure.
const (
	antivirusWait = 2 * time.Minute  // the scan leaving pending
	videoWait     = 10 * time.Minute // Mux's duration and frame rate of a video
	settleMargin  = 10 * time.Second
)

// settled reports whether DatoCMS has finished with a new file: scanned, and processed by
// Mux when it is a video.
func settled(up *datocms.Upload) bool {
	return up.AntivirusStatus != antivirusPending && (!isVideo(up) || up.Duration != nil && up.FrameRate != nil)
}

// awaitSettled waits, after a new file, until DatoCMS has finished with it (see settled),
// and returns the upload as DatoCMS last reported it; a wait that runs out is a warning.
func awaitSettled(ctx context.Context, client *datocms.Client, up *datocms.Upload, diags *diag.Diagnostics) *datocms.Upload {
	if settled(up) {
		return up
	}
	bound := antivirusWait
	if isVideo(up) {
		bound = videoWait
	}
	if deadline, ok := ctx.Deadline(); ok {
		bound = min(bound, time.Until(deadline)-settleMargin)
	}
	waitCtx, cancel := context.WithTimeout(ctx, max(bound, 0))
	defer cancel()
	got, err := client.AwaitUpload(waitCtx, up.ID, settled)
	if got != nil {
		up = got
	}
	switch {
	case err == nil:
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		var still []string
		if up.AntivirusStatus == antivirusPending {
			still = append(still, "its antivirus scan is still pending (antivirus_status = \"pending\")")
		}
		if isVideo(up) && (up.Duration == nil || up.FrameRate == nil) {
			still = append(still, "Mux has not reported its duration and frame rate yet")
		}
		diags.AddWarning("DatoCMS has not finished with the new file",
			fmt.Sprintf("After %s, %s. The state holds what DatoCMS reported; the next refresh records the rest. A "+
				"postcondition on antivirus_status catches a file that turns out infected.", bound.Round(time.Second),
				strings.Join(still, ", and ")))
	default:
		diags.AddWarning("Could not follow DatoCMS's processing of the new file",
			fmt.Sprintf("Reading upload %s again failed: %s. The state holds what DatoCMS reported first.", up.ID, err))
	}
	return up
}

// What becomes of an upload whose new file is infected (see reportScan).
const (
	infectedCreate = "The upload is kept in state, marked tainted, so it is never orphaned: the next apply replaces it " +
		"(deletes it and uploads the file again). Replace the file with a clean one first."
	infectedUpdate = "The upload keeps its ID (records that link to it are unaffected): the next plan uploads the file " +
		"again in place. Replace the file with a clean one first."
)

// reportScan turns the antivirus verdict on a new file into diagnostics: infected is an
// error (what becomes of the upload is the caller's to say, in then), failed and skipped
// are warnings.
func reportScan(up *datocms.Upload, source, then string, diags *diag.Diagnostics) {
	switch up.AntivirusStatus {
	case antivirusInfected:
		threat := "a threat"
		if up.AntivirusThreat != nil && *up.AntivirusThreat != "" {
			threat = *up.AntivirusThreat
		}
		diags.AddAttributeError(path.Root("antivirus_status"), "File is infected",
			fmt.Sprintf("DatoCMS's antivirus found %s in %s (upload %s) and quarantined it: its URL serves nothing. %s",
				threat, source, up.ID, then))
	case antivirusFailed, antivirusSkipped:
		diags.AddAttributeWarning(path.Root("antivirus_status"), "File not scanned for viruses",
			fmt.Sprintf("DatoCMS's antivirus scan of %s (upload %s) ended %q: the file is served unscanned.", source, up.ID,
				up.AntivirusStatus))
	}
}

// checkPosterTime checks a planned poster time at plan time: DatoCMS keeps it only in the
// field-keyed metadata shape; it is for videos (kind: what a new file's header says, "" when
// not known; same: the state, when the file does not change); and it must fall within the
// video when its length is known.
func checkPosterTime(ctx context.Context, client *datocms.Client, planned types.Float64, kind string, same *uploadResourceModel, diags *diag.Diagnostics) {
	if planned.IsNull() || planned.IsUnknown() {
		return
	}
	at := path.Root("poster_time")
	site, err := client.Site(ctx)
	switch {
	case err != nil:
		diags.AddError("Error reading the DatoCMS project", "Could not check poster_time: "+err.Error())
		return
	case !site.NonLocalizedFocalPoints:
		diags.AddAttributeError(at, "poster_time needs field-keyed metadata",
			"This environment's default_field_metadata is still locale-keyed, and DatoCMS keeps a video's poster time only "+
				"in the field-keyed shape (the one with non-localized focal points; see the project's settings). Remove "+
				"poster_time, or switch the environment to the field-keyed shape first.")
		return
	}
	switch {
	case kind == localfile.KindRaster || kind == localfile.KindDocument:
		diags.AddAttributeError(at, "poster_time is for videos", "The file is not a video (its header says it is an "+
			kind+"): remove poster_time.")
	case same != nil && !same.MimeType.IsNull() && !strings.HasPrefix(same.MimeType.ValueString(), "video/"):
		diags.AddAttributeError(at, "poster_time is for videos",
			fmt.Sprintf("The upload is not a video (DatoCMS reports %s): remove poster_time.", same.MimeType.ValueString()))
	case same != nil && !same.Duration.IsNull() && !same.Duration.IsUnknown() && planned.ValueFloat64() > same.Duration.ValueFloat64():
		diags.AddAttributeError(at, "poster_time past the end of the video",
			fmt.Sprintf("poster_time is %g s, but the video lasts %g s.", planned.ValueFloat64(), same.Duration.ValueFloat64()))
	}
}

// privateReuploadKey holds the reuploadRecord of a file an apply found infected.
const privateReuploadKey = "reupload"

// reuploadRecord is the MD5 of a file that an apply uploaded and DatoCMS found infected:
// while the upload holds it, every plan uploads the local file again (and the apply fails
// again until the file is clean). A file quarantined later, found by a refresh, is not
// uploaded again by itself: its antivirus_status shows it (a drift check, a postcondition).
type reuploadRecord struct {
	MD5 string `json:"md5"`
}

// mustReupload reports whether the upload holds (md5) a file an apply found infected.
func mustReupload(ctx context.Context, private privateGetter, md5 types.String) bool {
	var rec reuploadRecord
	return readPrivate(ctx, private, privateReuploadKey, &rec) && rec.MD5 == md5.ValueString()
}
