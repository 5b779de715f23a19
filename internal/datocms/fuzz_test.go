package datocms

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

// The decoders below read whatever DatoCMS, a proxy in front of it, or a broken network
// hands the client. Fuzzing checks that no input makes them panic, and the properties each
// promises. The seeds are the real shapes (API §3, §5, §9); `go test` runs them as cases.

func FuzzParseErrorDocument(f *testing.F) {
	for _, seed := range []string{
		`{"data":[{"id":"a1","type":"api_error","attributes":{"code":"INVALID_FIELD","details":{"field":"path","code":"INVALID_FORMAT"}}}]}`,
		`{"data":[{"id":"a1","type":"api_error","attributes":{"code":"X","transient":true,"details":{}}}]}`,
		`{"data":[{"id":"a1","type":"api_error","attributes":{"code":"NOT_FOUND","details":null}}]}`,
		`{"data":{"id":"1","type":"upload"}}`, `<html>Bad Gateway</html>`, `{"data":[]}`, `null`, ``,
		`{"data":[{"id":"a1","type":"api_error","attributes":{"code":1,"details":{"field":2}}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		details, ok := parseErrorDocument(body)
		if ok && len(details) == 0 {
			t.Fatalf("an error document with no entries was accepted: %q", body)
		}
		e := &APIError{Status: http.StatusUnprocessableEntity, Method: "PUT", Path: "/uploads/x"}
		e.fillFromBody(body)
		if msg := e.Error(); msg == "" || len(e.Body) > bytesSnippet {
			t.Fatalf("message %q, body snippet of %d bytes", msg, len(e.Body))
		}
	})
}

func FuzzJobReference(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"type":"job","id":"f67a713a8c52938b6ce59cdd"}}`, `{"data":{"id":"4235"}}`,
		`{"data":{"type":"upload","id":"x"}}`, `{"data":[]}`, `{}`, `not json`,
	} {
		f.Add([]byte(seed), 202)
		f.Add([]byte(seed), 200)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		id, ok := jobReference(&response{status: status, body: body})
		if ok && id == "" {
			t.Fatalf("a job without an id: %q", body)
		}
	})
}

func FuzzDecodeUpload(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"type":"upload","id":"q0VNpiNQSkG6z0lif_O1zg","attributes":{"path":"/1/a.png","md5":"abc","size":3,` +
			`"tags":["a","a","b"],"default_field_metadata":{"en":{"alt":"x","title":null,"custom_data":{},"focal_point":{"x":0.5,"y":0.5}}}},` +
			`"relationships":{"upload_collection":{"data":{"type":"upload_collection","id":"c1"}}},"meta":{"antivirus":{"status":"clean"}}}}`,
		`{"data":{"type":"upload","id":"1","attributes":{"default_field_metadata":{"alt":{"en":"x"},"title":{"en":null},"custom_data":{"en":{}},"focal_point":null,"poster_time":1.5}}}}`,
		`{"data":{"type":"upload","id":"1","attributes":{"default_field_metadata":{"alt":{"en":{"alt":"a locale named alt"}}}}}}`,
		`{"data":{"type":"upload","id":"1","attributes":{"tags":null,"width":null,"default_field_metadata":null}}}`,
		`{"data":{"type":"upload","id":"1","attributes":{"default_field_metadata":[1,2]}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var doc uploadDocument
		if json.Unmarshal(body, &doc) != nil {
			return
		}
		up, err := doc.toUpload(call{method: http.MethodGet, path: "/uploads/x"})
		if err != nil {
			return
		}
		if up.Tags == nil || up.SmartTags == nil || up.DefaultFieldMetadata.Locales == nil {
			t.Fatalf("nil lists or metadata in %+v", up)
		}
		seen := map[string]bool{}
		for _, tag := range up.Tags {
			if seen[tag] {
				t.Fatalf("tag %q repeated in %v", tag, up.Tags)
			}
			seen[tag] = true
		}
		// Whatever shape it came in, the metadata survives a write in either shape.
		for _, fieldKeyed := range []bool{false, true} {
			locales := slices.Sorted(func(yield func(string) bool) {
				for loc := range up.DefaultFieldMetadata.Locales {
					if !yield(loc) {
						return
					}
				}
			})
			raw, err := json.Marshal(encodeFieldMetadata(up.DefaultFieldMetadata, &Site{Locales: append(locales, "en"), NonLocalizedFocalPoints: fieldKeyed}))
			if err != nil {
				t.Fatal(err)
			}
			again, err := decodeFieldMetadata(raw)
			if err != nil {
				t.Fatalf("re-decoding %s: %v", raw, err)
			}
			if (again.FocalPoint == nil) != (up.DefaultFieldMetadata.FocalPoint == nil) {
				t.Fatalf("focal point lost or invented: %s", raw)
			}
			for loc, lm := range up.DefaultFieldMetadata.Locales {
				got := again.Locales[loc]
				if !samePtr(got.Alt, lm.Alt) || !samePtr(got.Title, lm.Title) {
					t.Fatalf("locale %s changed in a round trip through %s", loc, raw)
				}
			}
		}
	})
}

func samePtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
