package datocmstest

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
)

// This file is the Go API for tests: reading state, and "out of band" edits
// that act like a person in the DatoCMS UI. Edits bypass auth, rate limits,
// faults and the request log. env "" means the primary environment.

// Upload returns a deep copy of the upload id in env.
func (s *Server) Upload(env, id string) (Upload, bool) {
	e := s.env(env)
	if e == nil {
		return Upload{}, false
	}
	s.lock()
	defer s.mu.Unlock()
	rec := e.uploads[id]
	if rec == nil {
		return Upload{}, false
	}
	return rec.view(s.URL()), true
}

// Uploads returns deep copies of env's uploads, sorted by CreatedAt then ID.
func (s *Server) Uploads(env string) []Upload {
	e := s.env(env)
	if e == nil {
		return nil
	}
	s.lock()
	defer s.mu.Unlock()
	out := []Upload{}
	for _, rec := range e.sortedUploads() {
		out = append(out, rec.view(s.URL()))
	}
	return out
}

// FileBytes returns the current bytes of an upload, read from disk.
func (s *Server) FileBytes(env, id string) ([]byte, error) {
	f, err := s.openUploadFile(env, id)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(f)
	return buf.Bytes(), err
}

func (s *Server) openUploadFile(env, id string) (*os.File, error) {
	s.lock()
	defer s.mu.Unlock()
	rec, err := s.findLocked(env, id)
	if err != nil {
		return nil, err
	}
	return os.Open(rec.blob.file)
}

func (s *Server) findLocked(env, id string) (*uploadRecord, error) {
	e, err := s.envOrErr(env)
	if err != nil {
		return nil, err
	}
	rec := e.uploads[id]
	if rec == nil {
		return nil, testErr(http.StatusNotFound, "no upload %q in environment %q", id, e.name)
	}
	return rec, nil
}

// withoutEditable clears the fields EditUpload may change, leaving the ones
// it must not: those derived from the file, ids and timestamps.
func withoutEditable(u Upload) Upload {
	u.Author, u.Copyright, u.Notes, u.Tags, u.SmartTags = nil, nil, nil, nil, nil
	u.Metadata, u.FocalPoint, u.PosterTime, u.UploadCollectionID = nil, nil, nil, nil
	u.Basename = ""
	return u
}

// EditUpload lets edit change the user-settable fields of an upload: author,
// copyright, notes, tags, Metadata, FocalPoint, PosterTime, Basename (a
// rename: new path, url and filename) and UploadCollectionID; and SmartTags,
// which DatoCMS itself changes when its analysis runs. It bumps UpdatedAt.
// Changing any other field (they follow from the file: use ReplaceFile) is
// an error and changes nothing. edit runs with the server locked, so it
// must not call the Server.
func (s *Server) EditUpload(env, id string, edit func(u *Upload)) error {
	s.lock()
	defer s.mu.Unlock()
	rec, err := s.findLocked(env, id)
	if err != nil {
		return err
	}
	e := s.env(env)
	before := rec.view(s.URL())
	after := before.clone()
	edit(&after)
	if !reflect.DeepEqual(withoutEditable(before), withoutEditable(after)) {
		return fmt.Errorf("datocmstest: EditUpload may change only user-settable fields and SmartTags")
	}
	if after.Basename != rec.Basename && !validBasename(after.Basename) {
		return fmt.Errorf("datocmstest: invalid basename %q", after.Basename)
	}
	if c := after.UploadCollectionID; c != nil && e.collections[*c] == nil {
		return fmt.Errorf("datocmstest: no upload collection %q in environment %q", *c, e.name)
	}
	now := s.now()
	if after.Basename != rec.Basename {
		s.renameLocked(rec, after.Basename, now)
	}
	// Copy again: edit may keep pointers into after and change them later.
	after = after.clone()
	rec.Author, rec.Copyright, rec.Notes = after.Author, after.Copyright, after.Notes
	rec.Tags, rec.SmartTags, rec.Metadata = after.Tags, after.SmartTags, after.Metadata
	rec.FocalPoint, rec.PosterTime = after.FocalPoint, after.PosterTime
	rec.UploadCollectionID = after.UploadCollectionID
	rec.UpdatedAt = now
	return nil
}

// ReplaceFile replaces an upload's file as the UI's "replace asset" does: new
// path and url, filename from the new file, content attributes recomputed,
// metadata kept, the new file scanned (and processed by Mux if it is a
// video) again. The old url stops serving.
func (s *Server) ReplaceFile(env, id string, filename string, content []byte) error {
	name := slug(filename)
	b, err := s.writeBlob(bytes.NewReader(content), int64(len(content)), name)
	if err != nil {
		return err
	}
	s.lock()
	defer s.mu.Unlock()
	rec, err := s.findLocked(env, id)
	if err != nil {
		_ = os.Remove(b.file)
		return err
	}
	now := s.now()
	s.setBlobLocked(rec, b, now, s.cfg.processing)
	rec.publish(s.newPath(name, now), s.replacedName(rec, name))
	rec.UpdatedAt = now
	return nil
}

// DeleteUpload deletes an upload and its file.
func (s *Server) DeleteUpload(env, id string) error {
	s.lock()
	defer s.mu.Unlock()
	rec, err := s.findLocked(env, id)
	if err != nil {
		return err
	}
	s.deleteUploadLocked(s.env(env), rec)
	return nil
}

// CreateUploadCollection creates a top-level upload collection in env, last
// among its siblings, and returns its id. It panics on an unknown
// environment: that is a bug in the test.
func (s *Server) CreateUploadCollection(env, label string) string {
	id, err := s.CreateUploadCollectionUnder(env, "", label)
	if err != nil {
		panic(err)
	}
	return id
}

// CreateUploadCollectionUnder creates an upload collection in env under the
// collection parentID ("" = top level), last among its siblings, and
// returns its id.
func (s *Server) CreateUploadCollectionUnder(env, parentID, label string) (string, error) {
	e, err := s.envOrErr(env)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(label) == "" {
		return "", fmt.Errorf("datocmstest: an upload collection needs a label")
	}
	s.lock()
	defer s.mu.Unlock()
	if parentID != "" && e.collections[parentID] == nil {
		return "", fmt.Errorf("datocmstest: no upload collection %q in environment %q", parentID, e.name)
	}
	return e.addCollectionLocked(newEntityID(), label, parentID, 0).id, nil
}

// SetNonLocalizedFocalPoints switches env between the legacy (off) and the
// field-keyed (on) default_field_metadata shape, as the site action
// "activate non-localized focal points" does. Stored values are unchanged;
// only the wire shape differs.
func (s *Server) SetNonLocalizedFocalPoints(env string, on bool) {
	e := s.mustEnv(env)
	s.lock()
	defer s.mu.Unlock()
	e.nonLocalized = on
}

func (s *Server) mustEnv(env string) *envStore {
	e, err := s.envOrErr(env)
	if err != nil {
		panic(err)
	}
	return e
}
