package datocmstest

import (
	"fmt"
	"net/http"
	"slices"
)

// Behaviour chooses, where DatoCMS's behaviour is not documented, which of the plausible
// behaviours the server plays, so that a client can be tested against each. The zero value
// is the default of every field.
type Behaviour struct {
	// UnknownIDs: what GET /uploads?filter[ids]=... answers when an ID names no upload.
	// "omit" (default): the others are listed, the unknown one left out; "reject": 422
	// INVALID_PARAMS for the whole request.
	UnknownIDs string `json:"unknown_ids,omitempty"`
	// NonEmptyCollectionDelete: what DELETE /upload-collections/:id does with a collection
	// that holds uploads or collections. "refuse" (default): 422 DELETE_RESTRICTION;
	// "orphan": the collection goes, its uploads leave every collection and its children move
	// to its parent; "cascade": the collection goes with its uploads and sub-collections.
	NonEmptyCollectionDelete string `json:"nonempty_collection_delete,omitempty"`
	// ReplacedFileName: what becomes of basename and filename when PUT /uploads/:id (or the
	// UI) replaces the file. "follow" (default): both follow the new file's name, as its
	// path does; "keep": the basename stays, with the new file's extension.
	ReplacedFileName string `json:"replaced_file_name,omitempty"`
	// SandboxTracks: whether upload tracks can be created and deleted outside the primary
	// environment. DatoCMS has the error code IMMUTABLE_UPLOAD_TRACKS_IN_SANDBOX_ENVIRONMENT
	// (API §2, its name only). "refuse" (default, the strict reading): 422 with that code;
	// "allow": tracks change in every environment alike.
	SandboxTracks string `json:"sandbox_tracks,omitempty"`
}

// behaviourChoices are the values of each Behaviour field, the default first.
var behaviourChoices = map[string][]string{
	"unknown_ids":                {"omit", "reject"},
	"nonempty_collection_delete": {"refuse", "orphan", "cascade"},
	"replaced_file_name":         {"follow", "keep"},
	"sandbox_tracks":             {"refuse", "allow"},
}

// normalize fills in defaults and checks every value.
func (b *Behaviour) normalize() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"unknown_ids", &b.UnknownIDs}, {"nonempty_collection_delete", &b.NonEmptyCollectionDelete}, {"replaced_file_name", &b.ReplacedFileName},
		{"sandbox_tracks", &b.SandboxTracks}} {
		choices := behaviourChoices[f.name]
		if *f.v == "" {
			*f.v = choices[0]
		}
		if !slices.Contains(choices, *f.v) {
			return fmt.Errorf("%s: %q is not one of %v", f.name, *f.v, choices)
		}
	}
	return nil
}

// WithBehaviour starts the server with these behaviours (see Behaviour).
func WithBehaviour(b Behaviour) Option { return func(c *config) { c.behaviour = b } }

// SetBehaviour changes the behaviours from now on. An invalid value changes nothing.
func (s *Server) SetBehaviour(b Behaviour) error {
	if err := b.normalize(); err != nil {
		return err
	}
	s.lock()
	defer s.mu.Unlock()
	s.behaviour = b
	return nil
}

// CurrentBehaviour returns the behaviours in force.
func (s *Server) CurrentBehaviour() Behaviour {
	s.lock()
	defer s.mu.Unlock()
	return s.behaviour
}

// GET and PUT /_local/behaviour.
func adminGetBehaviour(s *Server, w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, s.CurrentBehaviour())
}

func adminPutBehaviour(s *Server, w http.ResponseWriter, r *http.Request) {
	var b Behaviour
	if err := decodeAdminBody(r, &b); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := s.SetBehaviour(b); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	adminGetBehaviour(s, w, r)
}
