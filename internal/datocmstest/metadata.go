package datocmstest

import (
	"maps"
	"slices"
)

// default_field_metadata has two wire shapes, chosen per environment (API
// §5.3): legacy locale-keyed {"en": {alt, title, custom_data, focal_point}}
// and field-keyed {alt: {en}, title: {en}, custom_data: {en}, focal_point,
// poster_time}. Both are parsed into one metadataPatch and rendered from the
// same Upload fields, so the stored state never depends on the shape.

const metaField = "default_field_metadata"

// optString is an optional attribute that may be null: set says it was sent.
type optString struct {
	set bool
	v   *string
}

type localePatch struct {
	alt, title    optString
	customData    map[string]any
	setCustomData bool
}

type focalOp int

const (
	focalKeep focalOp = iota
	focalSet
	focalClear
)

// metadataPatch is a validated default_field_metadata write. Everything left
// out keeps its stored value (patch semantics, API §5.3).
type metadataPatch struct {
	locales   map[string]*localePatch
	focal     focalOp
	focalTo   FocalPoint
	poster    *float64
	setPoster bool
}

func (p *metadataPatch) locale(loc string) *localePatch {
	if p.locales[loc] == nil {
		p.locales[loc] = &localePatch{}
	}
	return p.locales[loc]
}

func metaErr(code string) *apiError { return errInvalidField(metaField, code) }

// isFieldKeyed detects the shape of a request body: field-keyed if it has
// any key only that shape has, or if its only key is "alt" holding a map of
// strings/nulls (a locale called "alt" would hold an object instead).
func isFieldKeyed(obj map[string]any) bool {
	for _, k := range []string{"title", "custom_data", "focal_point", "poster_time"} {
		if _, ok := obj[k]; ok {
			return true
		}
	}
	alt, ok := obj["alt"].(map[string]any)
	if len(obj) != 1 || !ok {
		return false
	}
	for _, v := range alt {
		if _, isStr := v.(string); !isStr && v != nil {
			return false
		}
	}
	return true
}

// parseMetadata validates raw against the environment's shape and locales.
// Keys are visited in sorted order so that the error reported for a body
// with several problems is always the same.
func parseMetadata(raw any, fieldKeyed bool, locales []string) (*metadataPatch, *apiError) {
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, errInvalidFormat(metaField)
	}
	p := &metadataPatch{locales: map[string]*localePatch{}}
	if len(obj) == 0 {
		return p, nil
	}
	if isFieldKeyed(obj) != fieldKeyed {
		return nil, errInvalidFormat(metaField)
	}
	var err *apiError
	if fieldKeyed {
		err = p.parseFieldKeyed(obj, locales)
	} else {
		err = p.parseLocaleKeyed(obj, locales)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *metadataPatch) parseLocaleKeyed(obj map[string]any, locales []string) *apiError {
	var focals []*FocalPoint // every focal_point sent; nil entries are nulls
	for _, loc := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(locales, loc) {
			return metaErr("INVALID_LOCALES")
		}
		inner, ok := obj[loc].(map[string]any)
		if !ok {
			return errInvalidFormat(metaField)
		}
		lp := p.locale(loc)
		for _, key := range slices.Sorted(maps.Keys(inner)) {
			v := inner[key]
			var err *apiError
			switch key {
			case "alt":
				lp.alt, err = parseOptString(v)
			case "title":
				lp.title, err = parseOptString(v)
			case "custom_data":
				lp.customData, err = parseCustomData(v)
				lp.setCustomData = true
			case "focal_point":
				var fp *FocalPoint
				fp, err = parseFocalPoint(v)
				focals = append(focals, fp)
			default: // includes poster_time: the legacy shape has none (open question §10.10)
				err = errInvalidFormat(metaField)
			}
			if err != nil {
				return err
			}
		}
	}
	// Open question §10.10: the asset has ONE focal point, so a legacy write
	// must not send different ones per locale; we reject that rather than
	// pick one silently. All nulls clear it; a value among nulls sets it.
	for _, fp := range focals {
		if fp == nil {
			continue
		}
		if p.focal == focalSet && *fp != p.focalTo {
			return metaErr("FOCAL_POINT_MISMATCH")
		}
		p.focal, p.focalTo = focalSet, *fp
	}
	if len(focals) > 0 && p.focal == focalKeep {
		p.focal = focalClear
	}
	return nil
}

func (p *metadataPatch) parseFieldKeyed(obj map[string]any, locales []string) *apiError {
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		v := obj[key]
		switch key {
		case "alt", "title", "custom_data":
			// Open question §10.10: a partial locale map merges, locales
			// left out keep their value, as for the top-level keys.
			m, ok := v.(map[string]any)
			if !ok {
				return errInvalidFormat(metaField)
			}
			for _, loc := range slices.Sorted(maps.Keys(m)) {
				if !slices.Contains(locales, loc) {
					return metaErr("INVALID_LOCALES")
				}
				lp := p.locale(loc)
				var err *apiError
				switch key {
				case "alt":
					lp.alt, err = parseOptString(m[loc])
				case "title":
					lp.title, err = parseOptString(m[loc])
				default:
					lp.customData, err = parseCustomData(m[loc])
					lp.setCustomData = true
				}
				if err != nil {
					return err
				}
			}
		case "focal_point":
			fp, err := parseFocalPoint(v)
			if err != nil {
				return err
			}
			p.focal = focalClear
			if fp != nil {
				p.focal, p.focalTo = focalSet, *fp
			}
		case "poster_time":
			p.setPoster = true
			if v == nil {
				p.poster = nil
				continue
			}
			t, ok := v.(float64)
			if !ok {
				return errInvalidFormat(metaField)
			}
			// Our choice, unverified: a negative time is INVALID_FIELD, like a
			// focal point out of range. A time past the video's end and a poster
			// time on a non-video are accepted, as nothing says how DatoCMS reacts
			// (API §5.3: "only for video assets").
			if t < 0 {
				return metaErr("INVALID_POSTER_TIME")
			}
			p.poster = &t
		default:
			return errInvalidFormat(metaField)
		}
	}
	return nil
}

func parseOptString(v any) (optString, *apiError) {
	if v == nil {
		return optString{set: true}, nil
	}
	s, ok := v.(string)
	if !ok {
		return optString{}, errInvalidFormat(metaField)
	}
	return optString{set: true, v: &s}, nil
}

// parseCustomData accepts an object, or null meaning {} (custom_data is
// never null on the wire).
func parseCustomData(v any) (map[string]any, *apiError) {
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errInvalidFormat(metaField)
	}
	return cloneObject(m), nil
}

// parseFocalPoint accepts null or {x, y} with both in [0, 1]. Open question
// §10.11: the range comes only from prose; we enforce it, and accept focal
// points on non-images because nothing says how the API reacts.
func parseFocalPoint(v any) (*FocalPoint, *apiError) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return nil, errInvalidFormat(metaField)
	}
	x, okX := m["x"].(float64)
	y, okY := m["y"].(float64)
	if !okX || !okY {
		return nil, errInvalidFormat(metaField)
	}
	if x < 0 || x > 1 || y < 0 || y > 1 {
		return nil, metaErr("INVALID_FOCAL_POINT")
	}
	return &FocalPoint{X: x, Y: y}, nil
}

// apply merges the patch into u.
func (p *metadataPatch) apply(u *Upload) {
	if u.Metadata == nil {
		u.Metadata = map[string]LocaleMetadata{}
	}
	for loc, lp := range p.locales {
		m := u.Metadata[loc]
		if lp.alt.set {
			m.Alt = clonePtr(lp.alt.v)
		}
		if lp.title.set {
			m.Title = clonePtr(lp.title.v)
		}
		if lp.setCustomData {
			m.CustomData = cloneObject(lp.customData)
		}
		u.Metadata[loc] = m
	}
	switch p.focal {
	case focalSet:
		fp := p.focalTo
		u.FocalPoint = &fp
	case focalClear:
		u.FocalPoint = nil
	}
	if p.setPoster {
		u.PosterTime = clonePtr(p.poster)
	}
}

type jsonFocalPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

type legacyLocaleMetadata struct {
	Alt        *string         `json:"alt"`
	Title      *string         `json:"title"`
	CustomData map[string]any  `json:"custom_data"`
	FocalPoint *jsonFocalPoint `json:"focal_point"`
}

type fieldKeyedMetadata struct {
	Alt        map[string]*string        `json:"alt"`
	Title      map[string]*string        `json:"title"`
	CustomData map[string]map[string]any `json:"custom_data"`
	FocalPoint *jsonFocalPoint           `json:"focal_point"`
	PosterTime *float64                  `json:"poster_time"`
}

// renderMetadata returns u's metadata in the environment's shape, with an
// entry for every environment locale and null/{} where nothing is set.
func renderMetadata(u Upload, fieldKeyed bool, locales []string) any {
	var fp *jsonFocalPoint
	if u.FocalPoint != nil {
		fp = &jsonFocalPoint{X: u.FocalPoint.X, Y: u.FocalPoint.Y}
	}
	custom := func(loc string) map[string]any {
		if c := u.Metadata[loc].CustomData; c != nil {
			return cloneObject(c)
		}
		return map[string]any{}
	}
	if fieldKeyed {
		out := fieldKeyedMetadata{
			Alt:        map[string]*string{},
			Title:      map[string]*string{},
			CustomData: map[string]map[string]any{},
			FocalPoint: fp,
			PosterTime: clonePtr(u.PosterTime),
		}
		for _, loc := range locales {
			out.Alt[loc], out.Title[loc], out.CustomData[loc] = u.Metadata[loc].Alt, u.Metadata[loc].Title, custom(loc)
		}
		return out
	}
	out := map[string]legacyLocaleMetadata{}
	for _, loc := range locales {
		// The single focal point is copied into every locale (API §5.3 a).
		out[loc] = legacyLocaleMetadata{Alt: u.Metadata[loc].Alt, Title: u.Metadata[loc].Title, CustomData: custom(loc), FocalPoint: fp}
	}
	return out
}
