package datocmstest

import (
	"cmp"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
)

// Upload collections are flat folders per environment (API §6.11). Parent
// and children are always empty here.

// addCollectionLocked creates a collection; position 0 means "after the last".
func (s *Server) addCollectionLocked(e *envStore, label string, position int) *collection {
	if position == 0 {
		for _, col := range e.collections {
			position = max(position, col.position)
		}
		position++
	}
	col := &collection{id: newEntityID(), label: label, position: position}
	e.collections[col.id] = col
	return col
}

// collectionAttrs validates the attributes of a create or update.
func collectionAttrs(doc resourceDoc, create bool) (label *string, position int, err *apiError) {
	for _, key := range slices.Sorted(maps.Keys(doc.attrs)) {
		if key != "label" && key != "position" {
			return nil, 0, errUnprocessable("INVALID_ATTRIBUTES", map[string]any{"field": key})
		}
	}
	if v, ok := doc.attrs["label"]; ok || create {
		str, isStr := v.(string)
		if !isStr || strings.TrimSpace(str) == "" {
			return nil, 0, errInvalidField("label", "VALIDATION_REQUIRED")
		}
		label = &str
	}
	if v, ok := doc.attrs["position"]; ok {
		f, isNum := v.(float64)
		if !isNum || f != math.Trunc(f) || f < 1 {
			return nil, 0, errInvalidField("position", "INVALID_FORMAT")
		}
		position = int(f)
	}
	return label, position, nil
}

// handleListCollections is GET /upload-collections: not paginated,
// filter[ids] only, ordered by position.
func handleListCollections(c *call) (int, any, error) {
	var ids []string
	if v := c.r.URL.Query().Get("filter[ids]"); v != "" {
		ids = strings.Split(v, ",")
	}
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	cols := slices.SortedFunc(maps.Values(c.env.collections), func(a, b *collection) int {
		return cmp.Or(cmp.Compare(a.position, b.position), strings.Compare(a.id, b.id))
	})
	out := []any{}
	for _, col := range cols {
		if ids == nil || slices.Contains(ids, col.id) {
			out = append(out, renderCollection(col))
		}
	}
	return http.StatusOK, map[string]any{"data": out}, nil
}

func handleCreateCollection(c *call) (int, any, error) {
	doc, err := c.resource("upload_collection")
	if err != nil {
		return 0, nil, err
	}
	label, position, aerr := collectionAttrs(doc, true)
	if aerr != nil {
		return 0, nil, aerr
	}
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	col := s.addCollectionLocked(c.env, *label, position)
	return http.StatusCreated, map[string]any{"data": renderCollection(col)}, nil
}

func handleGetCollection(c *call) (int, any, error) {
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	col := c.env.collections[c.params[0]]
	if col == nil {
		return 0, nil, errNotFound()
	}
	return http.StatusOK, map[string]any{"data": renderCollection(col)}, nil
}

func handleUpdateCollection(c *call) (int, any, error) {
	doc, err := c.resource("upload_collection")
	if err != nil {
		return 0, nil, err
	}
	label, position, aerr := collectionAttrs(doc, false)
	if aerr != nil {
		return 0, nil, aerr
	}
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	col := c.env.collections[c.params[0]]
	if col == nil {
		return 0, nil, errNotFound()
	}
	if label != nil {
		col.label = *label
	}
	if position != 0 {
		col.position = position
	}
	return http.StatusOK, map[string]any{"data": renderCollection(col)}, nil
}

// handleDeleteCollection deletes a collection; its uploads stay, outside
// any collection.
func handleDeleteCollection(c *call) (int, any, error) {
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	col := c.env.collections[c.params[0]]
	if col == nil {
		return 0, nil, errNotFound()
	}
	delete(c.env.collections, col.id)
	for _, rec := range c.env.uploads {
		if rec.UploadCollectionID != nil && *rec.UploadCollectionID == col.id {
			rec.UploadCollectionID = nil
		}
	}
	return http.StatusOK, map[string]any{"data": renderCollection(col)}, nil
}
