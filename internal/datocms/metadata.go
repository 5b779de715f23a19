package datocms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// FocalPoint is the point of interest of an image, x and y in [0, 1].
type FocalPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// LocaleMetadata holds the per-locale defaults of an upload.
type LocaleMetadata struct {
	Alt, Title *string
	CustomData map[string]any // never nil after decode (empty map)
}

// FieldMetadata is default_field_metadata in a neutral form, independent of the two wire
// shapes an environment may use (API §5.3).
type FieldMetadata struct {
	Locales    map[string]LocaleMetadata // every locale the API returned
	FocalPoint *FocalPoint               // one per asset
	PosterTime *float64                  // read here; written through UpdateUploadInput.PosterTime
}

// uploadDocument is the wire shape of {"data": upload} (API §5.1).
type uploadDocument struct {
	Data uploadResource `json:"data"`
}

type uploadResource struct {
	Type          string           `json:"type"`
	ID            string           `json:"id"`
	Attributes    uploadAttributes `json:"attributes"`
	Relationships struct {
		UploadCollection *relationship `json:"upload_collection"`
	} `json:"relationships"`
	Meta struct {
		Antivirus *struct {
			Status     string  `json:"status"`
			ThreatName *string `json:"threat_name"`
		} `json:"antivirus"`
	} `json:"meta"`
}

type uploadAttributes struct {
	Path                 string          `json:"path"`
	Basename             string          `json:"basename"`
	Filename             string          `json:"filename"`
	URL                  string          `json:"url"`
	MD5                  string          `json:"md5"`
	Size                 int64           `json:"size"`
	Width                *int64          `json:"width"`
	Height               *int64          `json:"height"`
	Format               *string         `json:"format"`
	MimeType             *string         `json:"mime_type"`
	IsImage              bool            `json:"is_image"`
	Author               *string         `json:"author"`
	Copyright            *string         `json:"copyright"`
	Notes                *string         `json:"notes"`
	Tags                 []string        `json:"tags"`
	SmartTags            []string        `json:"smart_tags"`
	DefaultFieldMetadata json.RawMessage `json:"default_field_metadata"`
	Blurhash             *string         `json:"blurhash"`
	Thumbhash            *string         `json:"thumbhash"`
	CreatedAt            *string         `json:"created_at"`
	UpdatedAt            *string         `json:"updated_at"`
	MuxPlaybackID        *string         `json:"mux_playback_id"`
	MuxMP4HighestRes     *string         `json:"mux_mp4_highest_res"`
	Duration             *float64        `json:"duration"`
	FrameRate            *float64        `json:"frame_rate"`
}

// relationship is a to-one JSON:API relationship; Data nil means JSON null.
type relationship struct {
	Data *resourceRef `json:"data"`
}

type resourceRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// toUpload converts the wire resource into the package's Upload.
func (r *uploadResource) toUpload() (*Upload, error) {
	a := r.Attributes
	md, err := decodeFieldMetadata(a.DefaultFieldMetadata)
	if err != nil {
		return nil, fmt.Errorf("upload %s: default_field_metadata: %w", r.ID, err)
	}
	up := &Upload{
		ID: r.ID, Path: a.Path, Basename: a.Basename, Filename: a.Filename, URL: a.URL, MD5: a.MD5,
		Size: a.Size, Width: a.Width, Height: a.Height, Format: a.Format, MimeType: a.MimeType,
		IsImage: a.IsImage, Author: a.Author, Copyright: a.Copyright, Notes: a.Notes,
		Tags: distinct(a.Tags), SmartTags: nonNil(a.SmartTags), DefaultFieldMetadata: md,
		Blurhash: a.Blurhash, Thumbhash: a.Thumbhash,
		CreatedAt: deref(a.CreatedAt), UpdatedAt: deref(a.UpdatedAt),
		MuxPlaybackID: a.MuxPlaybackID, MuxHighestRes: a.MuxMP4HighestRes, Duration: a.Duration, FrameRate: a.FrameRate,
	}
	if rel := r.Relationships.UploadCollection; rel != nil && rel.Data != nil {
		up.UploadCollectionID = &rel.Data.ID
	}
	if av := r.Meta.Antivirus; av != nil {
		up.AntivirusStatus, up.AntivirusThreat = av.Status, av.ThreatName
	}
	return up, nil
}

// Wire shapes of default_field_metadata (API §5.3).
type (
	// legacyLocale is one entry of the locale-keyed shape: {"en": {...}, "it": {...}}.
	legacyLocale struct {
		Alt        *string        `json:"alt"`
		Title      *string        `json:"title"`
		CustomData map[string]any `json:"custom_data"`
		FocalPoint *FocalPoint    `json:"focal_point"`
	}
	// fieldKeyed is the shape of environments with non-localized focal points.
	fieldKeyed struct {
		Alt        map[string]*string        `json:"alt"`
		Title      map[string]*string        `json:"title"`
		CustomData map[string]map[string]any `json:"custom_data"`
		FocalPoint *FocalPoint               `json:"focal_point"`
		PosterTime *float64                  `json:"poster_time,omitempty"` // read only: fieldKeyedPatch writes it
	}
)

// decodeFieldMetadata reads either wire shape. The shape is detected from the document
// rather than from the site settings so that a GET never needs an extra GET /site.
func decodeFieldMetadata(raw json.RawMessage) (FieldMetadata, error) {
	md := FieldMetadata{Locales: map[string]LocaleMetadata{}}
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		return md, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return md, err
	}
	if isFieldKeyed(top) {
		var fk fieldKeyed
		if err := json.Unmarshal(raw, &fk); err != nil {
			return md, err
		}
		for loc, v := range fk.Alt {
			lm := md.locale(loc)
			lm.Alt = v
			md.Locales[loc] = lm
		}
		for loc, v := range fk.Title {
			lm := md.locale(loc)
			lm.Title = v
			md.Locales[loc] = lm
		}
		for loc, v := range fk.CustomData {
			lm := md.locale(loc)
			lm.CustomData = nonNilMap(v)
			md.Locales[loc] = lm
		}
		md.FocalPoint, md.PosterTime = fk.FocalPoint, fk.PosterTime
		return md, nil
	}
	// Legacy: the single focal point is copied into every locale; take it from the first
	// entry, in document order, that has one.
	order, err := objectKeys(raw)
	if err != nil {
		return md, err
	}
	for _, loc := range order {
		var entry legacyLocale
		if err := json.Unmarshal(top[loc], &entry); err != nil {
			return md, fmt.Errorf("locale %q: %w", loc, err)
		}
		md.Locales[loc] = LocaleMetadata{Alt: entry.Alt, Title: entry.Title, CustomData: nonNilMap(entry.CustomData)}
		if md.FocalPoint == nil && entry.FocalPoint != nil {
			md.FocalPoint = entry.FocalPoint
		}
	}
	return md, nil
}

// locale returns the entry for loc, creating an empty one (with a non-nil CustomData).
func (md FieldMetadata) locale(loc string) LocaleMetadata {
	lm, ok := md.Locales[loc]
	if !ok || lm.CustomData == nil {
		lm.CustomData = map[string]any{}
	}
	return lm
}

// isFieldKeyed reports whether a default_field_metadata object uses the field-keyed shape:
// it has any of title/custom_data/focal_point/poster_time, or its only key is "alt" and the
// values under it are strings or null (a legacy locale named "alt" would hold an object).
func isFieldKeyed(top map[string]json.RawMessage) bool {
	for _, k := range []string{"title", "custom_data", "focal_point", "poster_time"} {
		if _, ok := top[k]; ok {
			return true
		}
	}
	alt, ok := top["alt"]
	if !ok || len(top) != 1 {
		return false
	}
	var values map[string]*string
	return json.Unmarshal(alt, &values) == nil
}

// objectKeys returns the keys of a JSON object in document order.
func objectKeys(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %T, want string", tok)
		}
		keys = append(keys, key)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// encodeFieldMetadata builds the write form of md for an environment. It always writes every
// site locale, whatever the server's partial-write semantics (API §10.10): a locale left out
// of a patch may keep its old value on the server, so "absent" could never clear anything.
// Locales in md that the site does not have are sent too, so the API rejects them rather
// than this client silently dropping the user's input.
func encodeFieldMetadata(md FieldMetadata, site *Site) any {
	locales := slices.Clone(site.Locales)
	for _, loc := range slices.Sorted(maps.Keys(md.Locales)) {
		if !slices.Contains(locales, loc) {
			locales = append(locales, loc)
		}
	}
	if site.NonLocalizedFocalPoints {
		fk := fieldKeyed{
			Alt:        make(map[string]*string, len(locales)),
			Title:      make(map[string]*string, len(locales)),
			CustomData: make(map[string]map[string]any, len(locales)),
			FocalPoint: md.FocalPoint,
		}
		for _, loc := range locales {
			lm := md.Locales[loc]
			fk.Alt[loc], fk.Title[loc], fk.CustomData[loc] = lm.Alt, lm.Title, nonNilMap(lm.CustomData)
		}
		return fk
	}
	// Legacy shape: the asset has one focal point; copy it into every locale so that no
	// locale's value contradicts another's.
	legacy := make(map[string]legacyLocale, len(locales))
	for _, loc := range locales {
		lm := md.Locales[loc]
		legacy[loc] = legacyLocale{Alt: lm.Alt, Title: lm.Title, CustomData: nonNilMap(lm.CustomData), FocalPoint: md.FocalPoint}
	}
	return legacy
}

// distinct returns s without repeated strings, in first-seen order, never nil. DatoCMS stores
// tags exactly as an API client sent them (API §10.8), so the same tag can appear twice;
// tags are a set to the provider, and a repeated element would make every plan fail.
func distinct(s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ErrPosterTimeNeedsFieldKeyed is returned for a poster time in an environment whose
// default_field_metadata is still locale-keyed: only the field-keyed shape holds one.
var ErrPosterTimeNeedsFieldKeyed = errors.New("poster_time needs an environment whose default_field_metadata is field-keyed " +
	"(with non-localized focal points); this one is still locale-keyed")

// fieldKeyedPatch is the field-keyed shape with poster_time always sent: its PosterTime
// shadows fieldKeyed's (omitempty), so that a nil one is sent as null, Mux's default.
type fieldKeyedPatch struct {
	fieldKeyed
	PosterTime *float64 `json:"poster_time"`
}

// metadataPatch is the default_field_metadata of an update: md encoded for the site (nil
// when only the poster time changes: a write is a patch, keys left out keep their values),
// with poster_time when set.
func metadataPatch(md *FieldMetadata, posterTime Field[float64], site *Site) (any, error) {
	if !posterTime.IsSet() {
		return encodeFieldMetadata(*md, site), nil
	}
	if !site.NonLocalizedFocalPoints {
		return nil, ErrPosterTimeNeedsFieldKeyed
	}
	if md == nil {
		return map[string]any{"poster_time": posterTime.Value()}, nil
	}
	fk, _ := encodeFieldMetadata(*md, site).(fieldKeyed) // always, with NonLocalizedFocalPoints
	return fieldKeyedPatch{fieldKeyed: fk, PosterTime: posterTime.Value()}, nil
}
