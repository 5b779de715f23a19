package datocmstest

import "net/http"

// apiError is one CMA error, rendered as the JSON:API error document of API §9.1.
// Handlers return it as an error; job results embed its document as payload.
type apiError struct {
	status    int
	code      string
	details   map[string]any
	transient bool
}

func (e *apiError) Error() string { return e.code }

// document renders the error exactly as the real API does: data is an array
// whose entries have id, type "api_error" and attributes. Clients recognise an
// error body by that shape alone (API §9.1), so it must never vary.
func (e *apiError) document() map[string]any {
	// details is an object even when empty: the official client's findError
	// reads keys of it. A nil map must not reach the encoder (it would be null).
	details := e.details
	if details == nil {
		details = map[string]any{}
	}
	attrs := map[string]any{
		"code":    e.code,
		"doc_url": "https://www.datocms.com/docs/content-management-api/errors#" + e.code,
		"details": details,
	}
	if e.transient { // the key is absent, not false, when the error is permanent
		attrs["transient"] = true
	}
	return map[string]any{"data": []any{map[string]any{
		"id":         newErrorID(),
		"type":       "api_error",
		"attributes": attrs,
	}}}
}

func newAPIError(status int, code string, details map[string]any) *apiError {
	return &apiError{status: status, code: code, details: details}
}

func errNotFound() *apiError { return newAPIError(http.StatusNotFound, "NOT_FOUND", nil) }

// errInvalidField is the validation error shape used for most 422s:
// top-level INVALID_FIELD, details {field, code}.
func errInvalidField(field, code string) *apiError {
	return newAPIError(http.StatusUnprocessableEntity, "INVALID_FIELD", map[string]any{"field": field, "code": code})
}

// errInvalidFormat is a body whose structure is wrong (e.g. the other
// default_field_metadata shape). The nested code repeats the top-level one
// so clients reading either place see INVALID_FORMAT.
func errInvalidFormat(field string) *apiError {
	return newAPIError(http.StatusUnprocessableEntity, "INVALID_FORMAT", map[string]any{"field": field, "code": "INVALID_FORMAT"})
}

func errUnprocessable(code string, details map[string]any) *apiError {
	return newAPIError(http.StatusUnprocessableEntity, code, details)
}
