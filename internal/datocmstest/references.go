package datocmstest

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Records here exist only to reference uploads: a test (or a person, through
// POST /_local/references) says that record R of model M links upload U, and
// GET /uploads/:id/references then lists R, as DatoCMS lists the records whose
// File or Gallery fields hold the upload. Models get an item type with a
// generated id, served by GET /item-types/:id.

// Reference says that a record of a model references an upload.
type Reference struct {
	UploadID    string `json:"upload_id"`
	RecordID    string `json:"record_id"`
	ItemType    string `json:"item_type,omitempty"`   // the model's API key, e.g. "article"
	Environment string `json:"environment,omitempty"` // "" = the primary environment
	// Version says which versions of the record hold the reference: "" (both: a published
	// record with no draft changes), "published" (only the published version: its draft
	// dropped the upload) or "current" (only the draft, not yet published).
	Version string `json:"version,omitempty"`
}

// versionsListing maps the version parameter of GET /uploads/:id/references (API §6.8) to
// the reference versions it lists: current (the default) sees the drafts, published the
// published versions, published-or-current both.
var versionsListing = map[string][]string{
	"current":              {"", "current"},
	"published":            {"", "published"},
	"published-or-current": {"", "current", "published"},
}

// record is a record that references at least one upload.
type record struct {
	id, itemType string // itemType is the model's API key
	version      string // its current (and published) version id
	createdAt    time.Time
}

var (
	apiKeyRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	recordIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// testAPIError is an error of the Go test API; the admin API answers it
// with status.
type testAPIError struct {
	status int
	msg    string
}

func (e *testAPIError) Error() string { return "datocmstest: " + e.msg }

func testErr(status int, format string, args ...any) error {
	return &testAPIError{status: status, msg: fmt.Sprintf(format, args...)}
}

// refTarget validates ref and returns its environment. The model matters
// only when a reference is added.
func (s *Server) refTarget(ref Reference, adding bool) (*envStore, error) {
	e := s.env(ref.Environment)
	switch {
	case e == nil:
		return nil, testErr(http.StatusBadRequest, "environment: no environment %q", ref.Environment)
	case ref.UploadID == "":
		return nil, testErr(http.StatusBadRequest, "upload_id: required")
	case !recordIDRE.MatchString(ref.RecordID):
		return nil, testErr(http.StatusBadRequest, "record_id: %q is not a record id (letters, digits, - and _)", ref.RecordID)
	case adding && !apiKeyRE.MatchString(ref.ItemType):
		return nil, testErr(http.StatusBadRequest, "item_type: %q is not a model API key (e.g. blog_post)", ref.ItemType)
	case ref.Version != "" && ref.Version != "current" && ref.Version != "published":
		return nil, testErr(http.StatusBadRequest, "version: %q is not \"\", \"current\" or \"published\"", ref.Version)
	}
	return e, nil
}

// AddReference makes record ref.RecordID, of the model whose API key is
// ref.ItemType, reference upload ref.UploadID. Adding the same reference
// twice changes nothing. A record keeps its model: naming another one is an
// error.
func (s *Server) AddReference(ref Reference) error {
	e, err := s.refTarget(ref, true)
	if err != nil {
		return err
	}
	s.lock()
	defer s.mu.Unlock()
	if e.uploads[ref.UploadID] == nil {
		return testErr(http.StatusNotFound, "upload_id: no upload %q in environment %q", ref.UploadID, e.name)
	}
	rec := e.records[ref.RecordID]
	if rec != nil && rec.itemType != ref.ItemType {
		return testErr(http.StatusConflict, "item_type: record %q is a %s, not a %s", ref.RecordID, rec.itemType, ref.ItemType)
	}
	if e.itemTypes[ref.ItemType] == "" {
		e.itemTypes[ref.ItemType] = newEntityID()
	}
	if rec == nil {
		e.records[ref.RecordID] = &record{id: ref.RecordID, itemType: ref.ItemType, version: newEntityID(), createdAt: s.now()}
	}
	if e.refs[ref.UploadID] == nil {
		e.refs[ref.UploadID] = map[string]string{}
	}
	e.refs[ref.UploadID][ref.RecordID] = ref.Version
	return nil
}

// RemoveReference undoes AddReference; ref.ItemType is not needed.
func (s *Server) RemoveReference(ref Reference) error {
	e, err := s.refTarget(ref, false)
	if err != nil {
		return err
	}
	s.lock()
	defer s.mu.Unlock()
	if _, ok := e.refs[ref.UploadID][ref.RecordID]; !ok {
		return testErr(http.StatusNotFound, "record %q does not reference upload %q in environment %q", ref.RecordID, ref.UploadID, e.name)
	}
	e.unreferenceLocked(ref.UploadID, ref.RecordID)
	return nil
}

// References lists the records referencing an upload, by record id.
func (s *Server) References(env, uploadID string) []Reference {
	e := s.env(env)
	if e == nil {
		return nil
	}
	s.lock()
	defer s.mu.Unlock()
	out := []Reference{}
	for _, rec := range e.referrersLocked(uploadID, versionsListing["published-or-current"]) {
		out = append(out, Reference{UploadID: uploadID, RecordID: rec.id, ItemType: rec.itemType, Environment: e.name,
			Version: e.refs[uploadID][rec.id]})
	}
	return out
}

// referrersLocked returns the records referencing an upload in one of versions, in a
// stable order (by id).
func (e *envStore) referrersLocked(uploadID string, versions []string) []*record {
	var out []*record
	for id, version := range e.refs[uploadID] {
		if slices.Contains(versions, version) {
			out = append(out, e.records[id])
		}
	}
	slices.SortFunc(out, func(a, b *record) int { return cmp.Compare(a.id, b.id) })
	return out
}

// unreferenceLocked drops one reference, and the record once it references
// nothing (records exist here only as referrers).
func (e *envStore) unreferenceLocked(uploadID, recordID string) {
	delete(e.refs[uploadID], recordID)
	if len(e.refs[uploadID]) == 0 {
		delete(e.refs, uploadID)
	}
	for _, ids := range e.refs {
		if _, ok := ids[recordID]; ok {
			return
		}
	}
	delete(e.records, recordID)
}

// handleUploadReferences is GET /uploads/:id/references (API §6.8): the records whose
// version named by the version parameter (current by default) references the upload;
// nested changes nothing, as records carry no fields.
func handleUploadReferences(c *call) (int, any, error) {
	q := c.r.URL.Query()
	version := q.Get("version")
	if version == "" {
		version = "current"
	}
	versions, ok := versionsListing[version]
	if !ok {
		return 0, nil, errUnprocessable("INVALID_PARAMS", map[string]any{"field": "version"})
	}
	if v := q.Get("nested"); v != "" && v != "true" && v != "false" {
		return 0, nil, errUnprocessable("INVALID_PARAMS", map[string]any{"field": "nested"})
	}
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	if c.env.uploads[c.params[0]] == nil {
		return 0, nil, errNotFound()
	}
	items := []any{}
	for _, rec := range c.env.referrersLocked(c.params[0], versions) {
		items = append(items, renderRecord(rec, c.env.itemTypes[rec.itemType]))
	}
	return http.StatusOK, map[string]any{"data": items}, nil
}

// renderRecord is the wire form of a record, with the meta every record has.
func renderRecord(rec *record, itemTypeID string) map[string]any {
	at := formatTime(rec.createdAt)
	return map[string]any{
		"type":       "item",
		"id":         rec.id,
		"attributes": map[string]any{},
		"relationships": map[string]any{
			"item_type": map[string]any{"data": map[string]any{"type": "item_type", "id": itemTypeID}},
		},
		"meta": map[string]any{
			"created_at":                at,
			"updated_at":                at,
			"published_at":              at,
			"first_published_at":        at,
			"publication_scheduled_at":  nil,
			"unpublishing_scheduled_at": nil,
			"status":                    "published",
			"is_valid":                  true,
			"current_version":           rec.version,
			"stage":                     nil,
		},
	}
}

// handleGetItemType is GET /item-types/:id, enough for a client to show the
// name of the model of a referencing record.
func handleGetItemType(c *call) (int, any, error) {
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	for apiKey, id := range c.env.itemTypes {
		if id == c.params[0] {
			return http.StatusOK, map[string]any{"data": map[string]any{
				"type": "item_type",
				"id":   id,
				"attributes": map[string]any{
					"name":          modelName(apiKey),
					"api_key":       apiKey,
					"singleton":     false,
					"sortable":      false,
					"modular_block": false,
					"tree":          false,
				},
			}}, nil
		}
	}
	return 0, nil, errNotFound()
}

// modelName makes a display name from an API key: blog_post -> "Blog post".
func modelName(apiKey string) string {
	name := strings.ReplaceAll(apiKey, "_", " ")
	return strings.ToUpper(name[:1]) + name[1:]
}

// statusOf is the admin API status for an error of the Go test API.
func statusOf(err error) int {
	var te *testAPIError
	if errors.As(err, &te) {
		return te.status
	}
	return http.StatusBadRequest
}
