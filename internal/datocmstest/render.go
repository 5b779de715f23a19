package datocmstest

import "time"

// timeFormat is RFC 3339 with milliseconds, always UTC, as the API sends.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

type jsonRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type jsonRel struct {
	Data *jsonRef `json:"data"`
}

// jsonUpload is the wire form of an upload: every attribute of API §5.2 in
// a fixed order, with null where the fake knows nothing.
type jsonUpload struct {
	Type          string          `json:"type"`
	ID            string          `json:"id"`
	Attributes    jsonUploadAttrs `json:"attributes"`
	Relationships struct {
		UploadCollection jsonRel `json:"upload_collection"`
		Creator          jsonRel `json:"creator"`
	} `json:"relationships"`
	Meta struct {
		Antivirus struct {
			Status     string  `json:"status"`
			CheckedAt  *string `json:"checked_at"`
			ThreatName *string `json:"threat_name"`
		} `json:"antivirus"`
	} `json:"meta"`
}

type jsonUploadAttrs struct {
	Path                 string           `json:"path"`
	Basename             string           `json:"basename"`
	Filename             string           `json:"filename"`
	URL                  string           `json:"url"`
	Size                 int64            `json:"size"`
	Width                *int             `json:"width"`
	Height               *int             `json:"height"`
	Format               *string          `json:"format"`
	MimeType             *string          `json:"mime_type"`
	IsImage              bool             `json:"is_image"`
	MD5                  string           `json:"md5"`
	Author               *string          `json:"author"`
	Copyright            *string          `json:"copyright"`
	Notes                *string          `json:"notes"`
	Tags                 []string         `json:"tags"`
	SmartTags            []string         `json:"smart_tags"`
	DefaultFieldMetadata any              `json:"default_field_metadata"`
	Duration             *float64         `json:"duration"`
	FrameRate            *float64         `json:"frame_rate"`
	Blurhash             *string          `json:"blurhash"`
	Thumbhash            *string          `json:"thumbhash"`
	MuxPlaybackID        *string          `json:"mux_playback_id"`
	MuxMP4HighestRes     *string          `json:"mux_mp4_highest_res"`
	ExifInfo             map[string]any   `json:"exif_info"`
	Colors               []map[string]int `json:"colors"`
	CreatedAt            string           `json:"created_at"`
	UpdatedAt            string           `json:"updated_at"`
}

// creatorTokenID is the access token every upload claims as its creator.
const creatorTokenID = "9001"

// renderUpload builds the wire document of u in e's metadata shape. It works
// on a deep copy, because the document is encoded after the state lock is
// released.
func (s *Server) renderUpload(u Upload, e *envStore, base string) jsonUpload {
	u = u.clone()
	out := jsonUpload{Type: "upload", ID: u.ID}
	out.Attributes = jsonUploadAttrs{
		Path:                 u.Path,
		Basename:             u.Basename,
		Filename:             u.Filename,
		URL:                  assetURL(base, u.Path),
		Size:                 u.Size,
		Width:                u.Width,
		Height:               u.Height,
		Format:               u.Format,
		MimeType:             u.MimeType,
		IsImage:              u.IsImage,
		MD5:                  u.MD5,
		Author:               u.Author,
		Copyright:            u.Copyright,
		Notes:                u.Notes,
		Tags:                 u.Tags,
		SmartTags:            u.SmartTags,
		DefaultFieldMetadata: renderMetadata(u, e.nonLocalized, s.cfg.locales),
		Blurhash:             u.Blurhash,
		Thumbhash:            u.Thumbhash,
		Duration:             u.Duration,
		FrameRate:            u.FrameRate,
		MuxPlaybackID:        u.MuxPlaybackID,
		MuxMP4HighestRes:     u.MuxMP4HighestRes,
		ExifInfo:             map[string]any{},
		Colors:               []map[string]int{},
		CreatedAt:            formatTime(u.CreatedAt),
		UpdatedAt:            formatTime(u.UpdatedAt),
	}
	if u.UploadCollectionID != nil {
		out.Relationships.UploadCollection.Data = &jsonRef{Type: "upload_collection", ID: *u.UploadCollectionID}
	}
	out.Relationships.Creator.Data = &jsonRef{Type: "access_token", ID: creatorTokenID}
	out.Meta.Antivirus.Status = u.Antivirus.Status
	if t := u.Antivirus.CheckedAt; t != nil {
		at := formatTime(*t)
		out.Meta.Antivirus.CheckedAt = &at
	}
	out.Meta.Antivirus.ThreatName = u.Antivirus.ThreatName
	return out
}
