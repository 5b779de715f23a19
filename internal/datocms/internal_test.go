package datocms

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
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
	get, post, put, del := call{method: "GET"}, call{method: "POST"}, call{method: "PUT"}, call{method: "DELETE"}
	resendablePost := call{method: "POST", resendable: true}
	connErr := &ConnectError{BaseURL: "http://127.0.0.1:1", Err: errors.New("connection refused")}
	for _, tc := range []struct {
		name string
		cl   call
		res  *response
		err  error
		want retryDecision
	}{
		{"success", post, &response{status: 201, jsonBody: true}, nil, retryDecision{}},
		{"network GET", get, nil, errors.New("reset"), retryDecision{retry: true, wait: 30 * time.Millisecond, outcomeUnknown: true}},
		{"network POST", post, nil, errors.New("reset"), retryDecision{outcomeUnknown: true}},
		{"network resendable POST", resendablePost, nil, errors.New("reset"), retryDecision{retry: true, wait: 30 * time.Millisecond, outcomeUnknown: true}},
		{"never connected", get, nil, connErr, retryDecision{}},
		{"429 reset header", put, &response{status: 429, jsonBody: true, header: reset, err: apiErr}, nil, retryDecision{retry: true, wait: 2 * time.Second, rateLimited: true}},
		{"429 no header", put, &response{status: 429, jsonBody: true, header: http.Header{}, err: apiErr}, nil, retryDecision{retry: true, wait: 50 * time.Millisecond, rateLimited: true}},
		{"429 HTML on write", post, &response{status: 429, jsonBody: false, header: http.Header{}, err: apiErr}, nil, retryDecision{outcomeUnknown: true}},
		{"429 HTML on GET", get, &response{status: 429, jsonBody: false, header: http.Header{}, err: apiErr}, nil, retryDecision{retry: true, wait: 50 * time.Millisecond, rateLimited: true}},
		{"502 HTML on GET", get, &response{status: 502, jsonBody: false, err: apiErr}, nil, retryDecision{retry: true, wait: 30 * time.Millisecond, outcomeUnknown: true}},
		{"502 HTML on PUT", put, &response{status: 502, jsonBody: false, err: apiErr}, nil, retryDecision{outcomeUnknown: true}},
		{"502 HTML on DELETE (resendable)", call{method: "DELETE", resendable: true}, &response{status: 502, jsonBody: false, err: apiErr}, nil, retryDecision{retry: true, wait: 30 * time.Millisecond, outcomeUnknown: true}},
		{"502 HTML on plain DELETE", del, &response{status: 502, jsonBody: false, err: apiErr}, nil, retryDecision{outcomeUnknown: true}},
		{"500 JSON on GET", get, &response{status: 500, jsonBody: true, err: apiErr}, nil, retryDecision{retry: true, wait: 30 * time.Millisecond, outcomeUnknown: true}},
		{"500 JSON on PUT", put, &response{status: 500, jsonBody: true, err: apiErr}, nil, retryDecision{outcomeUnknown: true}},
		{"transient on POST", post, &response{status: 409, jsonBody: true, err: transient}, nil, retryDecision{retry: true, wait: 30 * time.Millisecond}},
		{"422", post, &response{status: 422, jsonBody: true, err: apiErr}, nil, retryDecision{}},
		{"404", get, &response{status: 404, jsonBody: true, err: apiErr}, nil, retryDecision{}},
	} {
		if got := c.retryAfter(tc.cl, tc.res, tc.err, 3, 5); got != tc.want {
			t.Errorf("%s: got %+v; want %+v", tc.name, got, tc.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const window = 150 * time.Millisecond
	tryAcquire := func(l *limiter, within time.Duration) error {
		c, cancel := context.WithTimeout(ctx, within)
		defer cancel()
		return l.acquire(c)
	}

	// Requests in flight hold their slots however long they take.
	l := newLimiter(2, window)
	for i := range 2 {
		if err := tryAcquire(l, time.Second); err != nil {
			t.Fatalf("slot %d of 2: %v", i+1, err)
		}
	}
	if err := tryAcquire(l, 2*window); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third request while two are in flight: %v, want to wait", err)
	}

	// An answered request keeps its slot for a whole window after its answer.
	l.release()
	l.release()
	start := time.Now()
	if err := tryAcquire(l, time.Second); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < window-10*time.Millisecond {
		t.Errorf("a slot came back %v after its answer, want a whole window (%v)", elapsed, window)
	}

	// A 429 pauses every caller, even with free slots.
	p := newLimiter(10, window)
	p.pause(200*time.Millisecond, false)
	start = time.Now()
	if err := tryAcquire(p, time.Second); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 190*time.Millisecond {
		t.Errorf("acquired %v after a 200ms pause", elapsed)
	}

	// After a 429 the client takes half the window (others use the rest) and grows back a
	// step per window without one.
	clock := time.Now()
	shared := newLimiter(60, 3*time.Second)
	shared.now = func() time.Time { return clock }
	shared.pause(time.Second, false)
	if shared.allowed != 60 {
		t.Errorf("a 429 with requests remaining in the window (DatoCMS under load) shrank the share to %d", shared.allowed)
	}
	shared.pause(time.Second, true)
	if shared.allowed != 30 {
		t.Errorf("after a 429 the client takes %d of 60, want 30", shared.allowed)
	}
	shared.pause(time.Second, true)
	shared.pause(time.Second, true)
	shared.pause(time.Second, true)
	if shared.allowed != 6 {
		t.Errorf("after many 429s the client takes %d of 60, want the floor of 6", shared.allowed)
	}
	clock = clock.Add(time.Second + 3*time.Second) // the pause, then one quiet window
	shared.grow(clock)
	if shared.allowed != 16 {
		t.Errorf("one quiet window later the client takes %d, want 16", shared.allowed)
	}
	clock = clock.Add(time.Minute)
	shared.grow(clock)
	if shared.allowed != 60 {
		t.Errorf("a minute later the client takes %d, want all 60", shared.allowed)
	}

	// A nil limiter (rate limiting disabled) never waits.
	var off *limiter
	if err := off.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	off.release()
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

// TestHashingReader_closeStopsReadingAhead: a body the transport gives up on (Close) stops
// its read-ahead goroutine, which closes the file: without Close it would wait forever to
// hand over its next chunk.
func TestHashingReader_closeStopsReadingAhead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.bin")
	size := int64(64 * hashChunkSize) // far more than the read-ahead holds
	if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	hr := newHashingReader(f, size, "", path)
	if n, err := hr.Read(make([]byte, 1000)); n != 1000 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	hr.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := f.Stat(); errors.Is(err, os.ErrClosed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the file is still open 5 s after Close")
		}
	}
}
