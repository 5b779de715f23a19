package datocmstest

import (
	"encoding/json"
	"testing"
)

// jsonEq compares a decoded value with a JSON literal.
func jsonEq(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON: %v", err)
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("%s:\n got %s\nwant %s", what, gb, wb)
	}
}

func TestMetadataLegacyShape(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	up := c.createUpload("a.png", pngBytes(t, 2, 2), map[string]any{"default_field_metadata": map[string]any{
		"en": map[string]any{"alt": "Fox", "custom_data": map[string]any{"k": "v"}, "focal_point": map[string]any{"x": 0.4, "y": 0.3}},
	}})
	id := up["id"].(string)
	jsonEq(t, "created", dig(up, "attributes", "default_field_metadata"), `{
		"en": {"alt": "Fox", "title": null, "custom_data": {"k": "v"}, "focal_point": {"x": 0.4, "y": 0.3}},
		"it": {"alt": null, "title": null, "custom_data": {}, "focal_point": {"x": 0.4, "y": 0.3}}}`)

	// Partial per locale: en.alt kept, it.title set, focal point unchanged.
	got := c.update(id, "", map[string]any{"default_field_metadata": map[string]any{"it": map[string]any{"title": "Volpe"}}})
	jsonEq(t, "partial", dig(got, "attributes", "default_field_metadata"), `{
		"en": {"alt": "Fox", "title": null, "custom_data": {"k": "v"}, "focal_point": {"x": 0.4, "y": 0.3}},
		"it": {"alt": null, "title": "Volpe", "custom_data": {}, "focal_point": {"x": 0.4, "y": 0.3}}}`)

	// A null focal point in every locale sent clears it; a value among nulls sets it.
	got = c.update(id, "", map[string]any{"default_field_metadata": map[string]any{"en": map[string]any{"focal_point": nil}}})
	if dig(got, "attributes", "default_field_metadata", "it", "focal_point") != nil {
		t.Errorf("focal point not cleared")
	}
	got = c.update(id, "", map[string]any{"default_field_metadata": map[string]any{
		"en": map[string]any{"focal_point": nil}, "it": map[string]any{"focal_point": map[string]any{"x": 1, "y": 0}},
	}})
	if dig(got, "attributes", "default_field_metadata", "en", "focal_point", "x") != 1.0 {
		t.Errorf("focal point not set: %v", dig(got, "attributes", "default_field_metadata"))
	}
	if u, _ := s.Upload("", id); u.FocalPoint == nil || *u.FocalPoint != (FocalPoint{X: 1, Y: 0}) || *u.Metadata["it"].Title != "Volpe" {
		t.Errorf("stored: %+v", u)
	}

	tests := []struct {
		name string
		meta any
		code string
		sub  string
	}{
		{"unknown locale", map[string]any{"de": map[string]any{"alt": "x"}}, "INVALID_FIELD", "INVALID_LOCALES"},
		{"focal point mismatch", map[string]any{"en": map[string]any{"focal_point": map[string]any{"x": 0.1, "y": 0.1}}, "it": map[string]any{"focal_point": map[string]any{"x": 0.2, "y": 0.1}}}, "INVALID_FIELD", "FOCAL_POINT_MISMATCH"},
		{"focal point out of range", map[string]any{"en": map[string]any{"focal_point": map[string]any{"x": 1.5, "y": 0.1}}}, "INVALID_FIELD", "INVALID_FOCAL_POINT"},
		{"focal point negative", map[string]any{"en": map[string]any{"focal_point": map[string]any{"x": 0.5, "y": -0.1}}}, "INVALID_FIELD", "INVALID_FOCAL_POINT"},
		{"focal point missing y", map[string]any{"en": map[string]any{"focal_point": map[string]any{"x": 0.5}}}, "INVALID_FORMAT", "INVALID_FORMAT"},
		{"poster_time in legacy", map[string]any{"en": map[string]any{"poster_time": 1}}, "INVALID_FORMAT", "INVALID_FORMAT"},
		{"locale not an object", map[string]any{"en": "x"}, "INVALID_FORMAT", "INVALID_FORMAT"},
		{"alt not a string", map[string]any{"en": map[string]any{"alt": 3}}, "INVALID_FORMAT", "INVALID_FORMAT"},
		{"field-keyed shape", map[string]any{"focal_point": nil}, "INVALID_FORMAT", "INVALID_FORMAT"},
		{"field-keyed alt only", map[string]any{"alt": map[string]any{"en": "x", "it": nil}}, "INVALID_FORMAT", "INVALID_FORMAT"},
		{"not an object", []any{}, "INVALID_FORMAT", "INVALID_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := c.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"default_field_metadata": tt.meta}, nil))
			r.wantError(t, 422, tt.code, "default_field_metadata", tt.sub)
		})
	}
}

func TestMetadataFieldKeyedShape(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t, WithEnvironments("main", "modern"), WithNonLocalizedFocalPoints("modern", true))
	m := c.inEnv("modern")
	up := m.createUpload("a.png", pngBytes(t, 2, 2), map[string]any{"default_field_metadata": map[string]any{
		"alt": map[string]any{"en": "Fox"}, "focal_point": map[string]any{"x": 0.5, "y": 0.5},
	}})
	id := up["id"].(string)
	jsonEq(t, "created", dig(up, "attributes", "default_field_metadata"), `{
		"alt": {"en": "Fox", "it": null}, "title": {"en": null, "it": null},
		"custom_data": {"en": {}, "it": {}}, "focal_point": {"x": 0.5, "y": 0.5}, "poster_time": null}`)

	// Locale maps merge: it.alt set, en.alt kept; focal_point absent = kept.
	got := m.update(id, "", map[string]any{"default_field_metadata": map[string]any{
		"alt": map[string]any{"it": "Volpe"}, "custom_data": map[string]any{"en": map[string]any{"a": "b"}}, "poster_time": 2.5,
	}})
	jsonEq(t, "merged", dig(got, "attributes", "default_field_metadata"), `{
		"alt": {"en": "Fox", "it": "Volpe"}, "title": {"en": null, "it": null},
		"custom_data": {"en": {"a": "b"}, "it": {}}, "focal_point": {"x": 0.5, "y": 0.5}, "poster_time": 2.5}`)
	got = m.update(id, "", map[string]any{"default_field_metadata": map[string]any{"focal_point": nil, "title": map[string]any{"en": "T"}}})
	if dig(got, "attributes", "default_field_metadata", "focal_point") != nil || dig(got, "attributes", "default_field_metadata", "title", "en") != "T" {
		t.Errorf("after clear: %v", dig(got, "attributes", "default_field_metadata"))
	}

	tests := []struct {
		name string
		meta any
		code string
		sub  string
	}{
		{"locale-keyed shape", map[string]any{"en": map[string]any{"alt": "x"}}, "INVALID_FORMAT", "INVALID_FORMAT"},
		{"unknown locale", map[string]any{"title": map[string]any{"de": "x"}}, "INVALID_FIELD", "INVALID_LOCALES"},
		{"focal point out of range", map[string]any{"focal_point": map[string]any{"x": 2, "y": 0}}, "INVALID_FIELD", "INVALID_FOCAL_POINT"},
		{"unknown key", map[string]any{"title": map[string]any{}, "colour": 1}, "INVALID_FORMAT", "INVALID_FORMAT"},
		{"negative poster time", map[string]any{"poster_time": -1}, "INVALID_FIELD", "INVALID_POSTER_TIME"},
		{"poster time not a number", map[string]any{"poster_time": "1"}, "INVALID_FORMAT", "INVALID_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := m.do("PUT", "/uploads/"+id, uploadBody(id, map[string]any{"default_field_metadata": tt.meta}, nil))
			r.wantError(t, 422, tt.code, "default_field_metadata", tt.sub)
		})
	}
}

// TestSwitchMetadataShape: /site reports the shape per environment, and
// switching it changes only the wire shape, not the stored values.
func TestSwitchMetadataShape(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "modern"), WithNonLocalizedFocalPoints("modern", true))
	m := c.inEnv("modern")
	id := m.createUpload("a.png", pngBytes(t, 2, 2), map[string]any{"default_field_metadata": map[string]any{
		"alt": map[string]any{"en": "Fox", "it": "Volpe"}, "title": map[string]any{"en": "T"},
		"custom_data": map[string]any{"en": map[string]any{"a": "b"}},
	}})["id"].(string)
	if v := dig(m.do("GET", "/site", nil).doc, "data", "meta", "non_localized_focal_points"); v != true {
		t.Errorf("site meta in modern = %v", v)
	}
	if v := dig(c.do("GET", "/site", nil).doc, "data", "meta", "non_localized_focal_points"); v != false {
		t.Errorf("site meta in main = %v", v)
	}
	s.SetNonLocalizedFocalPoints("modern", false)
	r := m.do("GET", "/uploads/"+id, nil)
	jsonEq(t, "legacy view", r.attr("default_field_metadata"), `{
		"en": {"alt": "Fox", "title": "T", "custom_data": {"a": "b"}, "focal_point": null},
		"it": {"alt": "Volpe", "title": null, "custom_data": {}, "focal_point": null}}`)
	if v := dig(m.do("GET", "/site", nil).doc, "data", "meta", "non_localized_focal_points"); v != false {
		t.Errorf("site meta after switch = %v", v)
	}
}

func TestIsFieldKeyed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want bool
	}{
		{`{"en": {"alt": "x"}}`, false},
		{`{"alt": {"en": "x", "it": null}}`, true},
		{`{"alt": {"en": {"alt": "x"}}}`, false}, // a locale called "alt"
		{`{"alt": {"en": "x"}, "it": {}}`, false},
		{`{"title": {}}`, true},
		{`{"en": {}, "poster_time": null}`, true},
	}
	for _, tt := range tests {
		var obj map[string]any
		if err := json.Unmarshal([]byte(tt.body), &obj); err != nil {
			t.Fatal(err)
		}
		if got := isFieldKeyed(obj); got != tt.want {
			t.Errorf("isFieldKeyed(%s) = %v", tt.body, got)
		}
	}
}

// TestPosterTime: poster_time exists only in the field-keyed shape (API §6.12), with patch
// semantics; the locale-keyed shape refuses it like any key of the other shape.
func TestPosterTime(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t, WithEnvironments("main", "modern"), WithNonLocalizedFocalPoints("modern", true))
	m := c.inEnv("modern")
	meta := func(v map[string]any) map[string]any { return map[string]any{"default_field_metadata": v} }
	up := m.createUpload("clip.mp4", TinyMP4(10, 25), meta(map[string]any{"poster_time": 4.5}))
	id := up["id"].(string)
	if v := dig(up, "attributes", "default_field_metadata", "poster_time"); v != 4.5 {
		t.Fatalf("created poster_time = %v", v)
	}
	// Keys left out keep their values; null clears it (Mux's default, the middle).
	got := m.update(id, "", meta(map[string]any{"alt": map[string]any{"en": "Clip"}}))
	if v := dig(got, "attributes", "default_field_metadata", "poster_time"); v != 4.5 {
		t.Errorf("poster_time after an alt write = %v", v)
	}
	if u, _ := s.Upload("modern", id); u.PosterTime == nil || *u.PosterTime != 4.5 {
		t.Errorf("Upload().PosterTime = %v", u.PosterTime)
	}
	m.update(id, "", meta(map[string]any{"poster_time": 0}))
	if u, _ := s.Upload("modern", id); u.PosterTime == nil || *u.PosterTime != 0 {
		t.Errorf("PosterTime after 0 = %v", u.PosterTime)
	}
	got = m.update(id, "", meta(map[string]any{"poster_time": nil}))
	if v, ok := dig(got, "attributes", "default_field_metadata").(map[string]any)["poster_time"]; !ok || v != nil {
		t.Errorf("poster_time after null = %v (present %v)", v, ok)
	}
	m.do("PUT", "/uploads/"+id, uploadBody(id, meta(map[string]any{"poster_time": -0.5}), nil)).
		wantError(t, 422, "INVALID_FIELD", "default_field_metadata", "INVALID_POSTER_TIME")

	// The locale-keyed shape has no poster_time: refused at the top level and per locale,
	// and nothing is stored.
	lid := c.createUpload("clip.mp4", TinyMP4(10, 25), nil)["id"].(string)
	for _, v := range []map[string]any{{"poster_time": 1.0}, {"en": map[string]any{"poster_time": 1.0}}} {
		c.do("PUT", "/uploads/"+lid, uploadBody(lid, meta(v), nil)).wantError(t, 422, "INVALID_FORMAT", "default_field_metadata", "INVALID_FORMAT")
	}
	c.do("POST", "/uploads", uploadBody("", map[string]any{"path": c.putFile("b.mp4", TinyMP4(1, 25)), "default_field_metadata": map[string]any{"poster_time": 1.0}}, nil)).
		wantError(t, 422, "INVALID_FORMAT", "default_field_metadata", "INVALID_FORMAT")
	if u, _ := s.Upload("", lid); u.PosterTime != nil {
		t.Errorf("legacy upload got a poster time: %v", *u.PosterTime)
	}
}
