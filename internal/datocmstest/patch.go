package datocmstest

import (
	"maps"
	"slices"
	"time"
)

// Attributes each write accepts (API §5.2, columns C and U). Anything else,
// read-only attributes included, is rejected so a client bug shows up here
// instead of being silently ignored.
var (
	createAttrs = []string{"path", "author", "copyright", "notes", "tags", metaField}
	updateAttrs = append(slices.Clone(createAttrs), "basename")
)

// uploadPatch is a validated create or update body. Validation happens when
// the request arrives; the patch is applied when its job completes, to a new
// record (create) or to the upload as it is then (update).
type uploadPatch struct {
	author, copyright, notes optString
	tags                     []string
	setTags                  bool
	meta                     *metadataPatch
	collection               optString // v nil = leave the collection
	blob                     *blob     // new file; held (retained) until release
	filePath, filename       string    // where the new file is published (create_new_url)
	keepURL                  bool
	basename                 *string
}

// parsePatchLocked validates doc for an upload of e. current is the upload
// being updated, nil on create.
func (s *Server) parsePatchLocked(e *envStore, doc resourceDoc, allowed []string, current *uploadRecord, keepURL bool) (*uploadPatch, *apiError) {
	p := &uploadPatch{keepURL: keepURL}
	for _, key := range slices.Sorted(maps.Keys(doc.attrs)) {
		if !slices.Contains(allowed, key) {
			return nil, errUnprocessable("INVALID_ATTRIBUTES", map[string]any{"field": key})
		}
	}
	if err := s.parseFile(p, doc.attrs, current); err != nil {
		return nil, err
	}
	if v, ok := doc.attrs["basename"]; ok {
		b, isStr := v.(string)
		if !isStr || !validBasename(b) {
			return nil, errInvalidField("basename", "INVALID_FORMAT")
		}
		p.basename = &b
	}
	for _, f := range []struct {
		name string
		dst  *optString
	}{{"author", &p.author}, {"copyright", &p.copyright}, {"notes", &p.notes}} {
		v, ok := doc.attrs[f.name]
		if !ok {
			continue
		}
		str, isStr := v.(string)
		if v != nil && !isStr {
			return nil, errInvalidField(f.name, "INVALID_FORMAT")
		}
		*f.dst = optString{set: true}
		if v != nil {
			f.dst.v = &str
		}
	}
	if v, ok := doc.attrs["tags"]; ok {
		// Open question §10.8: we store tags exactly as sent (no trimming,
		// case folding, dedup or sorting), so clients must compare as sets.
		list, isList := v.([]any)
		if !isList {
			return nil, errInvalidField("tags", "INVALID_FORMAT")
		}
		p.setTags, p.tags = true, []string{}
		for _, t := range list {
			str, isStr := t.(string)
			if !isStr {
				return nil, errInvalidField("tags", "INVALID_FORMAT")
			}
			p.tags = append(p.tags, str)
		}
	}
	if v, ok := doc.attrs[metaField]; ok {
		m, err := parseMetadata(v, e.nonLocalized, s.cfg.locales)
		if err != nil {
			return nil, err
		}
		p.meta = m
	}
	if v, ok := doc.rels["upload_collection"]; ok {
		id, err := parseCollectionRel(e, v)
		if err != nil {
			return nil, err
		}
		p.collection = optString{set: true, v: id}
	}
	// Only now, when nothing can fail any more, take the hold on the file,
	// so a later storage PUT to the same path cannot delete it before the
	// job completes.
	if p.blob != nil {
		s.retainLocked(p.blob)
	}
	return p, nil
}

// parseFile validates the path attribute: the id of an upload request whose
// bytes were PUT. On update, sending the current path changes nothing.
func (s *Server) parseFile(p *uploadPatch, attrs map[string]any, current *uploadRecord) *apiError {
	v, ok := attrs["path"]
	if !ok && current != nil {
		return nil
	}
	path, _ := v.(string)
	if current != nil && path == current.Path {
		return nil
	}
	obj := s.objects[path]
	if obj == nil || obj.blob == nil {
		return errInvalidField("path", "INVALID_FORMAT")
	}
	// Open question §10.12: keep_url rejects a different format with
	// INVALID_FIELD {field: replace_strategy, code: FORMAT_MISMATCH}.
	if current != nil && p.keepURL && deref(current.Format) != deref(obj.blob.facts.format) {
		return errInvalidField("replace_strategy", "FORMAT_MISMATCH")
	}
	p.blob, p.filePath, p.filename = obj.blob, obj.path, obj.filename
	return nil
}

// deref returns *p, or "" when p is nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// parseCollectionRel validates an upload's upload_collection relationship
// and returns the collection id (nil = none).
func parseCollectionRel(e *envStore, raw any) (*string, *apiError) {
	id, err := parseRef(raw, "upload_collection", "upload_collection")
	if err != nil || id == "" {
		return nil, err
	}
	if e.collections[id] == nil {
		return nil, errInvalidField("upload_collection", "INVALID_RELATIONSHIP")
	}
	return &id, nil
}

// apply changes rec. The order matters: a new file is published first, then
// a rename applies to it (spec: "apply path then basename"). Metadata is kept
// across a file replacement.
func (p *uploadPatch) apply(s *Server, e *envStore, rec *uploadRecord, now time.Time) {
	if p.blob != nil {
		replacing := rec.blob != nil // not a create
		s.setBlobLocked(rec, p.blob, now, s.cfg.processing)
		switch {
		case p.keepURL:
		case replacing:
			// Open question §10.13: by default filename and basename follow
			// the new file, as its path does (Behaviour.ReplacedFileName).
			rec.publish(p.filePath, s.replacedName(rec, p.filename))
		default:
			rec.publish(p.filePath, p.filename)
		}
	}
	if p.basename != nil && *p.basename != rec.Basename {
		s.renameLocked(rec, *p.basename, now)
	}
	for _, f := range []struct {
		o   optString
		dst **string
	}{{p.author, &rec.Author}, {p.copyright, &rec.Copyright}, {p.notes, &rec.Notes}} {
		if f.o.set {
			*f.dst = clonePtr(f.o.v)
		}
	}
	if p.setTags {
		rec.Tags = cloneStrings(p.tags)
	}
	if p.meta != nil {
		p.meta.apply(&rec.Upload)
	}
	if p.collection.set {
		rec.UploadCollectionID = clonePtr(p.collection.v)
		if id := rec.UploadCollectionID; id != nil && e.collections[*id] == nil {
			rec.UploadCollectionID = nil // deleted while the job ran
		}
	}
	rec.UpdatedAt = now
}

// release drops the patch's hold on its file; call it once the patch is
// applied or abandoned.
func (p *uploadPatch) release(s *Server) {
	if p.blob != nil {
		s.releaseLocked(p.blob)
		p.blob = nil
	}
}
