package datocms

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestAPIError_Error(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  *APIError
		want string
	}{
		{
			&APIError{Status: 422, Method: "PUT", Path: "/uploads/abc", RequestID: "r-123", Errors: []ErrorDetail{
				{Code: "INVALID_FIELD", Field: "default_field_metadata", DetailCode: "INVALID_FORMAT"},
			}},
			"DatoCMS API PUT /uploads/abc: 422 INVALID_FIELD (field default_field_metadata: INVALID_FORMAT), request id r-123",
		},
		{
			&APIError{Status: 422, Method: "POST", Path: "/uploads", JobID: "j1", Errors: []ErrorDetail{{Code: "A"}, {Code: "B", DetailCode: "C"}}},
			"DatoCMS API POST /uploads: job j1 failed: 422 A, B (C)",
		},
		{
			&APIError{Status: 502, Method: "GET", Path: "/site", Body: "<html>Bad Gateway</html>"},
			`DatoCMS API GET /site: 502 Bad Gateway: "<html>Bad Gateway</html>"`,
		},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q\nwant      %q", got, tc.want)
		}
	}
}

func TestParseErrorDocument(t *testing.T) {
	t.Parallel()
	details, ok := parseErrorDocument([]byte(`{"data":[{"id":"e1","type":"api_error","attributes":{"code":"CONCURRENT_UPLOAD_UPDATE","details":{"field":"x"},"transient":true}}]}`))
	want := []ErrorDetail{{ID: "e1", Code: "CONCURRENT_UPLOAD_UPDATE", Field: "x", Details: map[string]any{"field": "x"}, Transient: true}}
	if !ok || !reflect.DeepEqual(details, want) {
		t.Errorf("parse = %+v, %v", details, ok)
	}
	for _, body := range []string{
		`{"data":[]}`,
		`{"data":[{"type":"api_error","attributes":{"code":"X"}}]}`, // no id
		`{"data":[{"id":"1","type":"upload","attributes":{}}]}`,
		`{"data":{"id":"1","type":"api_error"}}`,
		`<html></html>`,
	} {
		if _, ok := parseErrorDocument([]byte(body)); ok {
			t.Errorf("%s parsed as an error document", body)
		}
	}
}

func TestJobReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{202, `{"data":{"type":"job","id":"j1"}}`, "j1"},
		{200, `{"data":{"type":"job","id":"j2"}}`, "j2"}, // 2022 style: data.type only
		{202, `{"data":{"id":"j3"}}`, "j3"},              // status only
		{200, `{"data":{"type":"upload","id":"u1"}}`, ""},
		{202, `{"data":{"type":"upload","id":"u1"}}`, ""},
		{200, `{"data":[]}`, ""},
		{204, ``, ""},
	} {
		id, ok := jobReference(&response{status: tc.status, body: []byte(tc.body)})
		if id != tc.want || ok != (tc.want != "") {
			t.Errorf("%d %s: got %q, %v", tc.status, tc.body, id, ok)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	c := &Client{cfg: Config{RetryBase: 10 * time.Millisecond}}
	apiErr := &APIError{}
	transient := &APIError{Errors: []ErrorDetail{{Code: "X", Transient: true}}}
	reset := http.Header{"X-Ratelimit-Reset": {"2"}}
	for _, tc := range []struct {
		name   string
		method string
		res    *response
		err    error
		wait   time.Duration
		retry  bool
	}{
		{"success", "POST", &response{status: 201, jsonBody: true}, nil, 0, false},
		{"network GET", "GET", nil, errors.New("reset"), 30 * time.Millisecond, true},
		{"network POST", "POST", nil, errors.New("reset"), 0, false},
		{"429 reset header", "PUT", &response{status: 429, jsonBody: true, header: reset, err: apiErr}, nil, 2 * time.Second, true},
		{"429 no header", "PUT", &response{status: 429, jsonBody: true, header: http.Header{}, err: apiErr}, nil, 30 * time.Millisecond, true},
		{"429 HTML on write", "POST", &response{status: 429, jsonBody: false, header: http.Header{}, err: apiErr}, nil, 0, false},
		{"429 HTML on GET", "GET", &response{status: 429, jsonBody: false, header: http.Header{}, err: apiErr}, nil, 30 * time.Millisecond, true},
		{"502 HTML on GET", "GET", &response{status: 502, jsonBody: false, err: apiErr}, nil, 30 * time.Millisecond, true},
		{"502 HTML on DELETE", "DELETE", &response{status: 502, jsonBody: false, err: apiErr}, nil, 0, false},
		{"500 JSON on GET", "GET", &response{status: 500, jsonBody: true, err: apiErr}, nil, 30 * time.Millisecond, true},
		{"500 JSON on PUT", "PUT", &response{status: 500, jsonBody: true, err: apiErr}, nil, 0, false},
		{"transient on POST", "POST", &response{status: 409, jsonBody: true, err: transient}, nil, 30 * time.Millisecond, true},
		{"422", "POST", &response{status: 422, jsonBody: true, err: apiErr}, nil, 0, false},
		{"404", "GET", &response{status: 404, jsonBody: true, err: apiErr}, nil, 0, false},
	} {
		wait, retry := c.retryAfter(tc.method, tc.res, tc.err, 3)
		if retry != tc.retry || (retry && wait != tc.wait) {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.name, wait, retry, tc.wait, tc.retry)
		}
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// A full bucket serves its capacity at once; the next token takes a refill interval.
	burst := newLimiter(4, 4*time.Hour)
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for i := range 4 {
		if err := burst.wait(short); err != nil {
			t.Fatalf("token %d of a full bucket: %v", i+1, err)
		}
	}
	cctx, cancel2 := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel2()
	if err := burst.wait(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait on an empty bucket: %v, want the deadline", err)
	}
	if burst.tokens < -0.001 || burst.tokens > 0.001 {
		t.Errorf("a cancelled wait kept its reservation: tokens = %v", burst.tokens)
	}

	// Refill: 8 tokens from a bucket of 4 refilling 4 per 200 ms take at least 200 ms.
	l := newLimiter(4, 200*time.Millisecond)
	start := time.Now()
	for range 8 {
		if err := l.wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 180*time.Millisecond {
		t.Errorf("8 tokens took %v, want >= 200ms", elapsed)
	}
}

func TestDecodeFieldMetadata(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name string
		raw  string
		want FieldMetadata
	}{
		{"null", `null`, FieldMetadata{Locales: map[string]LocaleMetadata{}}},
		{
			"legacy, focal point from the first locale that has one",
			`{"it":{"alt":null,"title":"T","custom_data":null,"focal_point":null},"en":{"alt":"A","title":null,"custom_data":{"k":1},"focal_point":{"x":0.1,"y":0.2}}}`,
			FieldMetadata{
				Locales: map[string]LocaleMetadata{
					"it": {Title: s("T"), CustomData: map[string]any{}},
					"en": {Alt: s("A"), CustomData: map[string]any{"k": 1.0}},
				},
				FocalPoint: &FocalPoint{X: 0.1, Y: 0.2},
			},
		},
		{
			"field-keyed",
			`{"alt":{"en":"A","it":null},"title":{"en":null},"custom_data":{"it":{"k":"v"}},"focal_point":{"x":1,"y":0},"poster_time":2.5}`,
			FieldMetadata{
				Locales: map[string]LocaleMetadata{
					"en": {Alt: s("A"), CustomData: map[string]any{}},
					"it": {CustomData: map[string]any{"k": "v"}},
				},
				FocalPoint: &FocalPoint{X: 1, Y: 0},
				PosterTime: func() *float64 { v := 2.5; return &v }(),
			},
		},
		{
			"field-keyed with only alt",
			`{"alt":{"en":"A"}}`,
			FieldMetadata{Locales: map[string]LocaleMetadata{"en": {Alt: s("A"), CustomData: map[string]any{}}}},
		},
		{
			"legacy locale named alt",
			`{"alt":{"alt":"A","title":null,"custom_data":{},"focal_point":null}}`,
			FieldMetadata{Locales: map[string]LocaleMetadata{"alt": {Alt: s("A"), CustomData: map[string]any{}}}},
		},
	} {
		got, err := decodeFieldMetadata(json.RawMessage(tc.raw))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tc.want)
			t.Errorf("%s: got %s, %v\nwant %s", tc.name, gotJSON, err, wantJSON)
		}
	}
}

func TestEncodeFieldMetadata(t *testing.T) {
	t.Parallel()
	alt := "A"
	md := FieldMetadata{
		Locales:    map[string]LocaleMetadata{"en": {Alt: &alt, CustomData: map[string]any{"k": "v"}}, "fr": {}},
		FocalPoint: &FocalPoint{X: 0.5, Y: 0.25},
		PosterTime: func() *float64 { v := 3.0; return &v }(),
	}
	site := &Site{Locales: []string{"en", "it"}}
	legacy, _ := json.Marshal(encodeFieldMetadata(md, site))
	wantLegacy := `{"en":{"alt":"A","title":null,"custom_data":{"k":"v"},"focal_point":{"x":0.5,"y":0.25}},` +
		`"fr":{"alt":null,"title":null,"custom_data":{},"focal_point":{"x":0.5,"y":0.25}},` +
		`"it":{"alt":null,"title":null,"custom_data":{},"focal_point":{"x":0.5,"y":0.25}}}`
	if string(legacy) != wantLegacy {
		t.Errorf("legacy = %s\nwant     %s", legacy, wantLegacy)
	}
	site.NonLocalizedFocalPoints = true
	fieldKeyed, _ := json.Marshal(encodeFieldMetadata(md, site))
	wantFK := `{"alt":{"en":"A","fr":null,"it":null},"title":{"en":null,"fr":null,"it":null},` +
		`"custom_data":{"en":{"k":"v"},"fr":{},"it":{}},"focal_point":{"x":0.5,"y":0.25}}`
	if string(fieldKeyed) != wantFK {
		t.Errorf("field-keyed = %s\nwant          %s", fieldKeyed, wantFK)
	}
}
