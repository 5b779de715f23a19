package datocmstest

import (
	"cmp"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
)

// Upload collections are the Media Area's folders, per environment (API
// §6.11): a collection has a parent (nil = top level) and a position among
// its siblings; children are derived from the parents.
//
// Positions are 1..n among siblings and always contiguous, like a list: a
// collection created without a position goes last; a position inserts it
// there (clamped to the list) and moves the later siblings down one; leaving
// a list closes the gap. How the real API numbers them is not documented
// (its reorder endpoint is private), so this is the fake's choice.

// collection is an upload collection.
type collection struct {
	id, label string
	parent    string // "" = top level
	position  int
}

// siblingsLocked returns the collections under parent, in position order,
// leaving out skip.
func (e *envStore) siblingsLocked(parent string, skip *collection) []*collection {
	var out []*collection
	for _, col := range e.collections {
		if col.parent == parent && col != skip {
			out = append(out, col)
		}
	}
	slices.SortFunc(out, func(a, b *collection) int {
		return cmp.Or(cmp.Compare(a.position, b.position), strings.Compare(a.id, b.id))
	})
	return out
}

func renumber(list []*collection) {
	for i, col := range list {
		col.position = i + 1
	}
}

// placeLocked puts col under parent at position (0 = last), closing the gap
// it leaves in its old list. col need not be in e.collections yet.
func (e *envStore) placeLocked(col *collection, parent string, position int) {
	renumber(e.siblingsLocked(col.parent, col))
	list := e.siblingsLocked(parent, col)
	at := len(list)
	if position > 0 {
		at = min(position-1, len(list))
	}
	col.parent = parent
	renumber(slices.Insert(list, at, col))
}

// addCollectionLocked creates a collection under parent ("" = top level).
func (e *envStore) addCollectionLocked(id, label, parent string, position int) *collection {
	col := &collection{id: id, label: label}
	e.placeLocked(col, parent, position)
	e.collections[id] = col
	return col
}

// createsCycle reports whether moving col under parent would make it its
// own ancestor.
func (e *envStore) createsCycle(col *collection, parent string) bool {
	for p := parent; p != ""; p = e.collections[p].parent {
		if p == col.id {
			return true
		}
	}
	return false
}

// renderCollection builds the wire document of a collection.
func (e *envStore) renderCollection(col *collection) map[string]any {
	var parent any
	if col.parent != "" {
		parent = jsonRef{Type: "upload_collection", ID: col.parent}
	}
	children := []jsonRef{}
	for _, ch := range e.siblingsLocked(col.id, nil) {
		children = append(children, jsonRef{Type: "upload_collection", ID: ch.id})
	}
	return map[string]any{
		"type":       "upload_collection",
		"id":         col.id,
		"attributes": map[string]any{"label": col.label, "position": col.position},
		"relationships": map[string]any{
			"parent":   map[string]any{"data": parent},
			"children": map[string]any{"data": children},
		},
	}
}

// collectionDoc is a validated create or update body.
type collectionDoc struct {
	label       *string
	position    int     // 0 = not given
	parent      *string // nil = not given; "" = top level
	children    []string
	setChildren bool
}

// parseCollectionDoc validates the body of a create or update. The
// relationships are checked against e later, under the lock.
func parseCollectionDoc(doc resourceDoc, create bool) (collectionDoc, *apiError) {
	var out collectionDoc
	for _, key := range slices.Sorted(maps.Keys(doc.attrs)) {
		if key != "label" && key != "position" {
			return out, errUnprocessable("INVALID_ATTRIBUTES", map[string]any{"field": key})
		}
	}
	allowedRels := []string{"parent", "children"} // children only reorders, on update
	if create {
		allowedRels = allowedRels[:1]
	}
	for _, key := range slices.Sorted(maps.Keys(doc.rels)) {
		if !slices.Contains(allowedRels, key) {
			return out, errInvalidField(key, "INVALID_RELATIONSHIP")
		}
	}
	if v, ok := doc.attrs["label"]; ok || create {
		str, isStr := v.(string)
		if !isStr || strings.TrimSpace(str) == "" {
			return out, errInvalidField("label", "VALIDATION_REQUIRED")
		}
		out.label = &str
	}
	if v, ok := doc.attrs["position"]; ok {
		f, isNum := v.(float64)
		if !isNum || f != math.Trunc(f) || f < 1 || f > math.MaxInt32 {
			return out, errInvalidField("position", "INVALID_FORMAT")
		}
		out.position = int(f)
	}
	if raw, ok := doc.rels["parent"]; ok {
		id, err := parseRef(raw, "parent", "upload_collection")
		if err != nil {
			return out, err
		}
		out.parent = &id
	}
	if raw, ok := doc.rels["children"]; ok {
		rel, _ := raw.(map[string]any)
		list, isList := rel["data"].([]any)
		if !isList {
			return out, errInvalidField("children", "INVALID_FORMAT")
		}
		out.setChildren = true
		for _, item := range list {
			id, err := parseRef(map[string]any{"data": item}, "children", "upload_collection")
			if err != nil || id == "" {
				return out, errInvalidField("children", "INVALID_FORMAT")
			}
			out.children = append(out.children, id)
		}
	}
	return out, nil
}

// parseRef reads a to-one relationship {"data": null | {"type": typ, "id":
// ...}} and returns the id ("" for null).
func parseRef(raw any, field, typ string) (string, *apiError) {
	rel, ok := raw.(map[string]any)
	if !ok {
		return "", errInvalidField(field, "INVALID_FORMAT")
	}
	if rel["data"] == nil {
		return "", nil
	}
	data, ok := rel["data"].(map[string]any)
	id, isStr := data["id"].(string)
	if !ok || !isStr || id == "" || data["type"] != typ {
		return "", errInvalidField(field, "INVALID_FORMAT")
	}
	return id, nil
}

// checkParentLocked validates a new parent for col (nil col = a new one).
func (e *envStore) checkParentLocked(col *collection, parent string) *apiError {
	if parent == "" {
		return nil
	}
	if e.collections[parent] == nil {
		return errInvalidField("parent", "INVALID_RELATIONSHIP")
	}
	if col != nil && e.createsCycle(col, parent) {
		return errInvalidField("parent", "CIRCULAR_REFERENCE")
	}
	return nil
}

// handleListCollections is GET /upload-collections: not paginated,
// filter[ids] only, in tree order (each collection followed by its
// children, by position), which is stable and reads like the Media Area.
func handleListCollections(c *call) (int, any, error) {
	var ids []string
	if v := c.r.URL.Query().Get("filter[ids]"); v != "" {
		ids = strings.Split(v, ",")
	}
	s, e := c.s, c.env
	s.lock()
	defer s.mu.Unlock()
	out := []any{}
	var walk func(parent string)
	walk = func(parent string) {
		for _, col := range e.siblingsLocked(parent, nil) {
			if ids == nil || slices.Contains(ids, col.id) {
				out = append(out, e.renderCollection(col))
			}
			walk(col.id)
		}
	}
	walk("")
	return http.StatusOK, map[string]any{"data": out}, nil
}

// handleCreateCollection is POST /upload-collections. Like uploads, it
// takes an optional client-chosen id.
func handleCreateCollection(c *call) (int, any, error) {
	doc, err := c.resource("upload_collection")
	if err != nil {
		return 0, nil, err
	}
	in, aerr := parseCollectionDoc(doc, true)
	if aerr != nil {
		return 0, nil, aerr
	}
	s, e := c.s, c.env
	s.lock()
	defer s.mu.Unlock()
	id := newEntityID()
	if doc.hasID && doc.id != nil {
		str, ok := doc.id.(string)
		if !ok || !validEntityID(str) {
			return 0, nil, errUnprocessable("INVALID_ENTITY_ID", map[string]any{"field": "id"})
		}
		if e.collections[str] != nil {
			return 0, nil, errInvalidField("id", "VALIDATION_UNIQUENESS")
		}
		id = str
	}
	parent := ""
	if in.parent != nil {
		parent = *in.parent
	}
	if err := e.checkParentLocked(nil, parent); err != nil {
		return 0, nil, err
	}
	col := e.addCollectionLocked(id, *in.label, parent, in.position)
	return http.StatusCreated, map[string]any{"data": e.renderCollection(col)}, nil
}

func handleGetCollection(c *call) (int, any, error) {
	s, e := c.s, c.env
	s.lock()
	defer s.mu.Unlock()
	col := e.collections[c.params[0]]
	if col == nil {
		return 0, nil, errNotFound()
	}
	return http.StatusOK, map[string]any{"data": e.renderCollection(col)}, nil
}

// handleUpdateCollection is PUT /upload-collections/:id: a new label, a
// new position among the siblings, a move under another parent (at
// position, else last), and/or a new order of the children, which must
// list exactly the current ones. Everything is checked before anything
// changes.
func handleUpdateCollection(c *call) (int, any, error) {
	doc, err := c.resource("upload_collection")
	if err != nil {
		return 0, nil, err
	}
	in, aerr := parseCollectionDoc(doc, false)
	if aerr != nil {
		return 0, nil, aerr
	}
	s, e := c.s, c.env
	s.lock()
	defer s.mu.Unlock()
	col := e.collections[c.params[0]]
	if col == nil {
		return 0, nil, errNotFound()
	}
	if in.parent != nil {
		if err := e.checkParentLocked(col, *in.parent); err != nil {
			return 0, nil, err
		}
	}
	var children []*collection
	if in.setChildren {
		current := e.siblingsLocked(col.id, nil)
		for _, id := range in.children {
			ch := e.collections[id]
			if ch == nil || ch.parent != col.id || slices.Contains(children, ch) {
				return 0, nil, errInvalidField("children", "INVALID_FORMAT")
			}
			children = append(children, ch)
		}
		if len(children) != len(current) {
			return 0, nil, errInvalidField("children", "INVALID_FORMAT")
		}
	}
	if in.label != nil {
		col.label = *in.label
	}
	switch {
	case in.parent != nil && *in.parent != col.parent:
		e.placeLocked(col, *in.parent, in.position)
	case in.position != 0:
		e.placeLocked(col, col.parent, in.position)
	}
	if in.setChildren {
		renumber(children)
	}
	return http.StatusOK, map[string]any{"data": e.renderCollection(col)}, nil
}

// handleDeleteCollection is DELETE /upload-collections/:id: 200 with the
// deleted collection.
//
// What DatoCMS does with a collection that still holds uploads or collections
// is unknown: the official sources (the CMA schema and generated
// UploadCollection.destroy in datocms/js-rest-api-clients, its integration test
// packages/cma-client-node/__tests__/uploadCollection.test.ts, and the docs page
// "Delete a upload collection") only say that the answer is 200 with the
// deleted collection, and delete empty ones. The one claim found, that uploads
// are "moved to parent or root", comes from an unofficial machine-written guide
// (marcelofinamorvieira/DatoCMSDocsForLLMs, upload-collection.md). So the server
// plays each plausible answer (Behaviour.NonEmptyCollectionDelete): refuse with
// 422 DELETE_RESTRICTION (details.code UPLOAD_COLLECTION_NOT_EMPTY, with the
// counts), the default and the safe choice for a user's data; or delete the
// collection and move what it holds out ("orphan"); or delete it all
// ("cascade"). A client that must never lose or move files checks that the
// collection is empty before it deletes it.
func handleDeleteCollection(c *call) (int, any, error) {
	s, e := c.s, c.env
	s.lock()
	defer s.mu.Unlock()
	col := e.collections[c.params[0]]
	if col == nil {
		return 0, nil, errNotFound()
	}
	held := e.uploadsInLocked(col.id)
	children := e.siblingsLocked(col.id, nil)
	if len(held) > 0 || len(children) > 0 {
		switch s.behaviour.NonEmptyCollectionDelete {
		case "orphan":
			for _, rec := range held {
				rec.UploadCollectionID = nil
			}
			for _, child := range children {
				e.placeLocked(child, col.parent, 0)
			}
		case "cascade":
			e.deleteTreeLocked(s, col)
		default:
			return 0, nil, errUnprocessable("DELETE_RESTRICTION", map[string]any{
				"field": "upload_collection", "code": "UPLOAD_COLLECTION_NOT_EMPTY", "uploads": len(held), "children": len(children),
			})
		}
	}
	doc := e.renderCollection(col)
	delete(e.collections, col.id)
	renumber(e.siblingsLocked(col.parent, nil))
	return http.StatusOK, map[string]any{"data": doc}, nil
}

// deleteTreeLocked deletes what col holds, collections inside it included, but not col.
func (e *envStore) deleteTreeLocked(s *Server, col *collection) {
	for _, child := range e.siblingsLocked(col.id, nil) {
		e.deleteTreeLocked(s, child)
		delete(e.collections, child.id)
	}
	for _, rec := range e.uploadsInLocked(col.id) {
		s.deleteUploadLocked(e, rec)
	}
}

// uploadsInLocked returns the uploads directly in collection id, not those of its
// sub-collections.
func (e *envStore) uploadsInLocked(id string) []*uploadRecord {
	var out []*uploadRecord
	for _, rec := range e.uploads {
		if rec.UploadCollectionID != nil && *rec.UploadCollectionID == id {
			out = append(out, rec)
		}
	}
	return out
}
