package datocmstest

import (
	"fmt"
	"strings"
)

// The Go API for upload collections: reading what the server holds, and edits
// that act like a person rearranging folders in the Media Area. Like the
// upload edits in oob.go, they bypass auth, rate limits, faults and the
// request log. env "" means the primary environment.

// UploadCollection is an upload collection as the server holds it.
type UploadCollection struct {
	ID, Label string
	ParentID  string // "" = top level
	Position  int    // 1..n among the collections with the same parent
	ChildIDs  []string
}

func (e *envStore) viewCollectionLocked(col *collection) UploadCollection {
	out := UploadCollection{ID: col.id, Label: col.label, ParentID: col.parent, Position: col.position, ChildIDs: []string{}}
	for _, ch := range e.siblingsLocked(col.id, nil) {
		out.ChildIDs = append(out.ChildIDs, ch.id)
	}
	return out
}

// UploadCollections returns env's collections in tree order: each one
// followed by its children, by position.
func (s *Server) UploadCollections(env string) []UploadCollection {
	e := s.mustEnv(env)
	s.lock()
	defer s.mu.Unlock()
	out := []UploadCollection{}
	var walk func(parent string)
	walk = func(parent string) {
		for _, col := range e.siblingsLocked(parent, nil) {
			out = append(out, e.viewCollectionLocked(col))
			walk(col.id)
		}
	}
	walk("")
	return out
}

// UploadCollection returns the collection id of env.
func (s *Server) UploadCollection(env, id string) (UploadCollection, bool) {
	e := s.mustEnv(env)
	s.lock()
	defer s.mu.Unlock()
	col := e.collections[id]
	if col == nil {
		return UploadCollection{}, false
	}
	return e.viewCollectionLocked(col), true
}

// EditUploadCollection lets edit change a collection's Label, ParentID (a
// move; the collection goes last in its new list unless Position is changed
// too) and Position (clamped to 1..n, the siblings move to make room), as a
// person does in the Media Area. Other fields must stay as they are.
func (s *Server) EditUploadCollection(env, id string, edit func(c *UploadCollection)) error {
	e, err := s.envOrErr(env)
	if err != nil {
		return err
	}
	s.lock()
	defer s.mu.Unlock()
	col := e.collections[id]
	if col == nil {
		return fmt.Errorf("datocmstest: no upload collection %q in environment %q", id, e.name)
	}
	before := e.viewCollectionLocked(col)
	after := before
	after.ChildIDs = append([]string(nil), before.ChildIDs...)
	edit(&after)
	switch {
	case after.ID != before.ID || fmt.Sprint(after.ChildIDs) != fmt.Sprint(before.ChildIDs):
		return fmt.Errorf("datocmstest: EditUploadCollection may change only Label, ParentID and Position")
	case strings.TrimSpace(after.Label) == "":
		return fmt.Errorf("datocmstest: an upload collection needs a label")
	case after.Position < 1:
		return fmt.Errorf("datocmstest: positions start at 1, got %d", after.Position)
	}
	if after.ParentID != before.ParentID {
		if err := e.checkParentLocked(col, after.ParentID); err != nil {
			return fmt.Errorf("datocmstest: cannot move collection %q under %q: %s %v", id, after.ParentID, err.code, err.details)
		}
	}
	col.label = after.Label
	switch {
	case after.ParentID != before.ParentID && after.Position != before.Position:
		e.placeLocked(col, after.ParentID, after.Position)
	case after.ParentID != before.ParentID:
		e.placeLocked(col, after.ParentID, 0)
	case after.Position != before.Position:
		e.placeLocked(col, col.parent, after.Position)
	}
	return nil
}
