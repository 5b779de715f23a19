package datocmstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxCMABody bounds a CMA request body; CMA bodies are small JSON documents
// (file bytes never go through the CMA).
const maxCMABody = 8 << 20

// call is one CMA request on its way through the checks and its handler.
type call struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	envName   string        // X-Environment, or the primary environment when absent
	env       *envStore     // set by the environment check, before any handler runs
	params    []string      // route wildcards, in order
	raw       []byte        // request body
	body      any           // raw decoded as JSON; nil when empty or invalid
	bodyErr   error         // why raw is not a usable JSON body
	rate      rateState     // for the X-RateLimit-* headers
	jobRules  []*activeRule // fault rules for a job this request starts
	requestID string
}

// handlerFunc serves a routed CMA request. It returns the status and the
// document to send, or an *apiError.
type handlerFunc func(*call) (int, any, error)

type route struct {
	method  string
	pattern string // "*" matches one path segment
	handler handlerFunc
	anyEnv  bool
}

const (
	inEnv    = false // served in the environment X-Environment names, which must exist
	siteWide = true  // served whatever X-Environment says (environments are site-level)
)

var cmaRoutes = []route{
	{http.MethodPost, "/upload-requests", handleUploadRequest, inEnv},
	{http.MethodGet, "/uploads", handleListUploads, inEnv},
	{http.MethodPost, "/uploads", handleCreateUpload, inEnv},
	{http.MethodGet, "/uploads/*", handleGetUpload, inEnv},
	{http.MethodPut, "/uploads/*", handleUpdateUpload, inEnv},
	{http.MethodDelete, "/uploads/*", handleDeleteUpload, inEnv},
	{http.MethodGet, "/uploads/*/references", handleUploadReferences, inEnv},
	{http.MethodGet, "/uploads/*/tracks", handleListTracks, inEnv},
	{http.MethodPost, "/uploads/*/tracks", handleCreateTrack, inEnv},
	{http.MethodDelete, "/uploads/*/tracks/*", handleDeleteTrack, inEnv},
	{http.MethodGet, "/job-results/*", handleJobResult, inEnv},
	{http.MethodGet, "/site", handleSite, inEnv},
	{http.MethodGet, "/upload-collections", handleListCollections, inEnv},
	{http.MethodPost, "/upload-collections", handleCreateCollection, inEnv},
	{http.MethodGet, "/upload-collections/*", handleGetCollection, inEnv},
	{http.MethodPut, "/upload-collections/*", handleUpdateCollection, inEnv},
	{http.MethodDelete, "/upload-collections/*", handleDeleteCollection, inEnv},
	{http.MethodGet, "/upload-tags", handleListUploadTags, inEnv},
	{http.MethodGet, "/item-types/*", handleGetItemType, inEnv},
	{http.MethodGet, "/environments", handleListEnvironments, siteWide},
	{http.MethodGet, "/environments/*", handleGetEnvironment, siteWide},
}

// matchRoute finds the route for method and path. When the path exists
// with other methods only, it answers 405 instead of 404.
func matchRoute(method, path string) (*route, []string, *apiError) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	pathKnown := false
	for i, rt := range cmaRoutes {
		params, ok := matchPattern(rt.pattern, segs)
		if !ok {
			continue
		}
		if rt.method == method {
			return &cmaRoutes[i], params, nil
		}
		pathKnown = true
	}
	if pathKnown {
		return nil, nil, newAPIError(http.StatusMethodNotAllowed, "INVALID_REQUEST", map[string]any{"method": method})
	}
	return nil, nil, errNotFound()
}

func matchPattern(pattern string, segs []string) ([]string, bool) {
	pat := strings.Split(strings.Trim(pattern, "/"), "/")
	if len(pat) != len(segs) {
		return nil, false
	}
	var params []string
	for i, p := range pat {
		switch {
		case p == "*" && segs[i] != "":
			params = append(params, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return params, true
}

// newCall reads the (small) JSON body up front so the request log can record
// it even when a check rejects the request before its handler runs.
func (s *Server) newCall(r *http.Request) *call {
	c := &call{s: s, r: r, envName: r.Header.Get("X-Environment"), requestID: newRequestID()}
	if c.envName == "" {
		c.envName = s.cfg.environments[0]
	}
	c.raw, c.bodyErr = io.ReadAll(io.LimitReader(r.Body, maxCMABody+1))
	switch {
	case c.bodyErr != nil:
	case len(c.raw) > maxCMABody:
		c.bodyErr = fmt.Errorf("body larger than %d bytes", maxCMABody)
	case len(c.raw) > 0:
		if err := json.Unmarshal(c.raw, &c.body); err != nil {
			c.body, c.bodyErr = nil, err
		}
	}
	return c
}

// serveCMA runs the checks in the documented order (rate limit, auth, API
// version, route, environment, body), then the handler. Fault rules have
// already had their turn (see respond).
func (s *Server) serveCMA(c *call) {
	var ok bool
	if c.rate, ok = s.limiter.take(s.now()); !ok {
		c.writeError(newAPIError(http.StatusTooManyRequests, "RATE_LIMIT_EXCEEDED", nil))
		return
	}
	if !s.authorized(c.r.Header.Get("Authorization")) {
		c.writeError(newAPIError(http.StatusUnauthorized, "INVALID_AUTHORIZATION_HEADER", nil))
		return
	}
	if c.r.Header.Get("X-Api-Version") != "3" {
		c.writeError(errUnprocessable("INVALID_API_VERSION", nil))
		return
	}
	rt, params, err := matchRoute(c.r.Method, c.r.URL.Path)
	if err != nil {
		c.writeError(err)
		return
	}
	c.params = params
	// An unknown environment is refused everywhere except on /environments,
	// which a client calls exactly when it does not know which one exists.
	// Open question: the reference gives no status for INVALID_ENVIRONMENT;
	// we keep 422, like the other validation errors.
	if c.env = s.env(c.envName); c.env == nil && !rt.anyEnv {
		c.writeError(errUnprocessable("INVALID_ENVIRONMENT", map[string]any{"environment": c.envName}))
		return
	}
	if err := c.checkBody(); err != nil {
		c.writeError(err)
		return
	}
	status, doc, herr := rt.handler(c)
	if herr != nil {
		var ae *apiError
		if !errors.As(herr, &ae) {
			ae = newAPIError(http.StatusInternalServerError, "EXCEPTION", map[string]any{"message": herr.Error()})
		}
		c.writeError(ae)
		return
	}
	c.writeJSON(status, doc)
}

func (s *Server) authorized(header string) bool {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return false
	}
	return s.cfg.token == "" || token == s.cfg.token
}

func isWrite(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodDelete
}

// checkBody validates the content type and JSON of a request that has a body.
func (c *call) checkBody() *apiError {
	if len(c.raw) == 0 && c.bodyErr == nil {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if mt != "application/json" && mt != "application/vnd.api+json" {
		return errUnprocessable("INVALID_CONTENT_TYPE_HEADER", nil)
	}
	if c.bodyErr != nil {
		return errUnprocessable("INVALID_JSON_BODY", nil)
	}
	return nil
}

// base is the absolute URL that storage and asset URLs start with.
func (c *call) base() string { return c.s.baseFor(c.r) }

func (c *call) writeError(e *apiError) { c.writeJSON(e.status, e.document()) }

// writeJSON sends a CMA response with the headers seen in real traffic (API §1.2).
func (c *call) writeJSON(status int, doc any) {
	body, err := json.Marshal(doc)
	if err != nil { // only our own documents get here, so this is a bug in the server
		e := newAPIError(http.StatusInternalServerError, "EXCEPTION", map[string]any{"message": err.Error()})
		status, body = e.status, mustMarshal(e.document())
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Api-Version", "3")
	h.Set("X-Environment", c.envName)
	h.Set("X-Request-Id", c.requestID)
	if c.rate.limit > 0 {
		h.Set("X-RateLimit-Limit", strconv.Itoa(c.rate.limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(c.rate.remaining))
	}
	if c.rate.reset > 0 {
		h.Set("X-RateLimit-Reset", strconv.Itoa(c.rate.reset))
	}
	if status == http.StatusOK || status == http.StatusCreated {
		h.Set("Cache-Control", "max-age=0, private, must-revalidate")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// resourceDoc is the data member of a JSON:API single-resource request body.
type resourceDoc struct {
	id    any // data.id as sent
	hasID bool
	attrs map[string]any // never nil
	rels  map[string]any // never nil
}

// resource extracts data from the request body and checks its type.
func (c *call) resource(typ string) (resourceDoc, error) {
	top, _ := c.body.(map[string]any)
	data, ok := top["data"].(map[string]any)
	if !ok {
		return resourceDoc{}, errInvalidFormat("data")
	}
	if data["type"] != typ {
		return resourceDoc{}, errUnprocessable("INVALID_TYPE", map[string]any{"field": "type", "expected": typ})
	}
	doc := resourceDoc{attrs: map[string]any{}, rels: map[string]any{}}
	doc.id, doc.hasID = data["id"]
	for _, part := range []struct {
		key string
		dst *map[string]any
	}{{"attributes", &doc.attrs}, {"relationships", &doc.rels}} {
		v, present := data[part.key]
		if !present {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return resourceDoc{}, errInvalidFormat(part.key)
		}
		*part.dst = m
	}
	return doc, nil
}
