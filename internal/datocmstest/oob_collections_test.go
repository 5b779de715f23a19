package datocmstest

import (
	"fmt"
	"strings"
	"testing"
)

func TestEditUploadCollection(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	a := s.CreateUploadCollection("", "A")
	b := s.CreateUploadCollection("", "B")
	cc := s.CreateUploadCollection("", "C")
	child, err := s.CreateUploadCollectionUnder("", a, "A1")
	if err != nil {
		t.Fatal(err)
	}
	render := func() string {
		var parts []string
		for _, col := range s.UploadCollections("") {
			parts = append(parts, fmt.Sprintf("%s@%s#%d", col.Label, col.ParentID, col.Position))
		}
		return strings.NewReplacer(a, "a", b, "b", cc, "c").Replace(strings.Join(parts, " "))
	}
	if got, want := render(), "A@#1 A1@a#1 B@#2 C@#3"; got != want {
		t.Fatalf("tree = %s, want %s", got, want)
	}
	if col, ok := s.UploadCollection("", a); !ok || len(col.ChildIDs) != 1 || col.ChildIDs[0] != child {
		t.Errorf("UploadCollection(a) = %+v, %v", col, ok)
	}

	// Rename and reorder: C goes first, the others move down.
	if err := s.EditUploadCollection("", cc, func(u *UploadCollection) { u.Label, u.Position = "C2", 1 }); err != nil {
		t.Fatal(err)
	}
	if got, want := render(), "C2@#1 A@#2 A1@a#1 B@#3"; got != want {
		t.Errorf("after reorder: %s, want %s", got, want)
	}
	// Move under another parent: last there, and the gap closes.
	if err := s.EditUploadCollection("", b, func(u *UploadCollection) { u.ParentID = a }); err != nil {
		t.Fatal(err)
	}
	if got, want := render(), "C2@#1 A@#2 A1@a#1 B@a#2"; got != want {
		t.Errorf("after move: %s, want %s", got, want)
	}
	// The API sees the same.
	r := c.do("GET", "/upload-collections/"+b, nil)
	r.want(t, 200)
	if dig(r.doc, "data", "relationships", "parent", "data", "id") != a || r.attr("position") != 2.0 {
		t.Errorf("API shows %s", r.raw)
	}

	for name, edit := range map[string]func(u *UploadCollection){
		"own descendant": func(u *UploadCollection) { u.ParentID = child },
		"unknown parent": func(u *UploadCollection) { u.ParentID = "nope" },
		"blank label":    func(u *UploadCollection) { u.Label = " " },
		"zero position":  func(u *UploadCollection) { u.Position = 0 },
		"children":       func(u *UploadCollection) { u.ChildIDs = nil },
	} {
		if err := s.EditUploadCollection("", a, edit); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got, want := render(), "C2@#1 A@#2 A1@a#1 B@a#2"; got != want {
		t.Errorf("refused edits changed the tree: %s", got)
	}
}
