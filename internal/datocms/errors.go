package datocms

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrorDetail is one entry of a JSON:API error document (API §9.1).
type ErrorDetail struct {
	ID         string
	Code       string         // top-level machine code, e.g. INVALID_FIELD
	Field      string         // details.field, e.g. default_field_metadata
	DetailCode string         // details.code, e.g. INVALID_FORMAT
	Details    map[string]any // the whole details object
	Transient  bool           // the API says a retry may succeed
}

// APIError is any failed CMA call: a non-2xx response, a response that was not JSON, or a
// job whose inner status was not 2xx.
type APIError struct {
	Status    int    // HTTP status, or the job's inner status for a failed job
	Method    string // request method
	Path      string // API path, without query (so never a credential)
	RequestID string // X-Request-Id, to quote to DatoCMS support
	JobID     string // set when the error came from a job result
	Errors    []ErrorDetail
	Body      string // for bodies that are not an error document: the first bytesSnippet bytes
}

// bytesSnippet bounds how much of an unexpected body ends up in an error message.
const bytesSnippet = 200

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "DatoCMS API %s %s: ", e.Method, e.Path)
	if e.JobID != "" {
		fmt.Fprintf(&b, "job %s failed: ", e.JobID)
	}
	fmt.Fprintf(&b, "%d", e.Status)
	for i, d := range e.Errors {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" " + d.Code)
		switch {
		case d.Field != "" && d.DetailCode != "":
			fmt.Fprintf(&b, " (field %s: %s)", d.Field, d.DetailCode)
		case d.Field != "":
			fmt.Fprintf(&b, " (field %s)", d.Field)
		case d.DetailCode != "":
			fmt.Fprintf(&b, " (%s)", d.DetailCode)
		}
	}
	if len(e.Errors) == 0 {
		if text := http.StatusText(e.Status); text != "" {
			b.WriteString(" " + text)
		}
		if e.Body != "" {
			fmt.Fprintf(&b, ": %q", e.Body)
		}
	}
	if e.RequestID != "" {
		b.WriteString(", request id " + e.RequestID)
	}
	return b.String()
}

// Codes returns the top-level codes of every error entry, in order.
func (e *APIError) Codes() []string {
	codes := make([]string, 0, len(e.Errors))
	for _, d := range e.Errors {
		codes = append(codes, d.Code)
	}
	return codes
}

// Field returns the first non-empty details.field, so the provider can attach the
// diagnostic to the attribute at fault.
func (e *APIError) Field() string {
	for _, d := range e.Errors {
		if d.Field != "" {
			return d.Field
		}
	}
	return ""
}

func (e *APIError) transient() bool {
	for _, d := range e.Errors {
		if d.Transient {
			return true
		}
	}
	return false
}

// IsNotFound reports whether err is an *APIError with status 404.
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound
}

// IsRateLimited reports whether err is an *APIError for a 429 or RATE_LIMIT_EXCEEDED,
// i.e. the retries were exhausted.
func IsRateLimited(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.Status == http.StatusTooManyRequests || HasCode(err, "RATE_LIMIT_EXCEEDED")
}

// HasCode reports whether err is an *APIError with an entry whose code or details.code
// equals code. Codes are the API's contract; messages are not (API §9.1).
func HasCode(err error, code string) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, d := range apiErr.Errors {
		if d.Code == code || d.DetailCode == code {
			return true
		}
	}
	return false
}

// errorDocument is the wire shape of a JSON:API error document.
type errorDocument struct {
	Data []struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Attributes *struct {
			Code      string         `json:"code"`
			Details   map[string]any `json:"details"`
			Transient bool           `json:"transient"`
		} `json:"attributes"`
	} `json:"data"`
}

// parseErrorDocument decodes body when it is an error document as the official client
// defines it: data is a non-empty array whose first element has an id, type "api_error"
// and attributes (API §9.1). ok is false for anything else.
func parseErrorDocument(body []byte) (details []ErrorDetail, ok bool) {
	var doc errorDocument
	if json.Unmarshal(body, &doc) != nil || len(doc.Data) == 0 {
		return nil, false
	}
	if first := doc.Data[0]; first.ID == "" || first.Type != "api_error" || first.Attributes == nil {
		return nil, false
	}
	for _, d := range doc.Data {
		if d.Attributes == nil {
			continue
		}
		field, _ := d.Attributes.Details["field"].(string)
		detailCode, _ := d.Attributes.Details["code"].(string)
		details = append(details, ErrorDetail{
			ID:         d.ID,
			Code:       d.Attributes.Code,
			Field:      field,
			DetailCode: detailCode,
			Details:    d.Attributes.Details,
			Transient:  d.Attributes.Transient,
		})
	}
	return details, true
}

// fillFromBody sets Errors from an error document, or Body from anything else.
func (e *APIError) fillFromBody(body []byte) {
	if details, ok := parseErrorDocument(body); ok {
		e.Errors = details
		return
	}
	e.Body = snippet(body)
}

func snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > bytesSnippet {
		s = s[:bytesSnippet]
	}
	return strings.ToValidUTF8(s, "")
}
