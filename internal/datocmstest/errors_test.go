package datocmstest

import (
	"strings"
	"testing"
)

// TestErrorDetailsNeverNull checks that an error without details carries
// "details": {}: the official client's findError reads keys of it.
func TestErrorDetailsNeverNull(t *testing.T) {
	t.Parallel()
	_, c := newTestServer(t)
	for _, r := range []response{
		c.do("GET", "/uploads/nope", nil),                    // NOT_FOUND, no details
		c.do("GET", "/site", nil, "Authorization", ""),       // 401, no details
		c.do("GET", "/upload-collections/nope", nil),         // NOT_FOUND again, another handler
		c.do("DELETE", "/upload-collections/nope", nil),      // and a write
		c.do("GET", "/site", nil, "X-Api-Version", ""),       // 422 without details
		c.do("GET", "/uploads?filter[fields][x][eq]=1", nil), // 422 with details
	} {
		if !strings.Contains(string(r.raw), `"details":{`) || strings.Contains(string(r.raw), `"details":null`) {
			t.Errorf("%d %s: %s", r.status, r.errCode(), r.raw)
		}
		if _, ok := dig(r.doc, "data", "0", "attributes", "details").(map[string]any); !ok {
			t.Errorf("details is not an object: %s", r.raw)
		}
	}
}
