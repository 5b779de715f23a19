package datocmstest

import "net/http"

// POST /_local/references: make a record reference an upload (see
// AddReference). The answer repeats the reference with its environment and
// the id of the model's item type.
func adminAddReference(s *Server, w http.ResponseWriter, r *http.Request) {
	var ref Reference
	if err := decodeAdminBody(r, &ref); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := s.AddReference(ref); err != nil {
		adminError(w, statusOf(err), "%v", err)
		return
	}
	e := s.env(ref.Environment)
	s.mu.Lock()
	itemTypeID := e.itemTypes[ref.ItemType]
	s.mu.Unlock()
	ref.Environment = e.name
	adminJSON(w, http.StatusCreated, map[string]any{"reference": ref, "item_type_id": itemTypeID})
}

// DELETE /_local/references: undo a reference (see RemoveReference).
func adminRemoveReference(s *Server, w http.ResponseWriter, r *http.Request) {
	var ref Reference
	if err := decodeAdminBody(r, &ref); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := s.RemoveReference(ref); err != nil {
		adminError(w, statusOf(err), "%v", err)
		return
	}
	ref.Environment = s.env(ref.Environment).name
	adminJSON(w, http.StatusOK, map[string]any{"reference": ref})
}
