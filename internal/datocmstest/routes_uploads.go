package datocmstest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// handleCreateUpload is POST /uploads: validate now (422), create when the
// job completes (API §6.3). Open question §10.7: we never deduplicate by
// md5, because the official client implements dedup itself; every create
// makes a new upload.
func handleCreateUpload(c *call) (int, any, error) {
	doc, err := c.resource("upload")
	if err != nil {
		return 0, nil, err
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
		// Open question §10.16: a reused id (even one a pending job is
		// about to create) is a uniqueness error, so a retried create
		// can never make a second upload.
		if e.idTaken(str) {
			return 0, nil, errInvalidField("id", "VALIDATION_UNIQUENESS")
		}
		id = str
	}
	p, aerr := s.parsePatchLocked(e, doc, createAttrs, nil, false)
	if aerr != nil {
		return 0, nil, aerr
	}
	e.reserved[id] = true
	return s.startJobLocked(c, func(now time.Time) jobOutcome {
		delete(e.reserved, id)
		rec := &uploadRecord{Upload: Upload{ID: id, CreatedAt: now, Tags: []string{}, SmartTags: []string{}}}
		p.apply(s, e, rec, now)
		p.release(s)
		e.uploads[id] = rec
		return uploadOutcome(http.StatusCreated, rec)
	}, func() {
		delete(e.reserved, id)
		p.release(s)
	})
}

// handleUpdateUpload is PUT /uploads/:id (API §6.5): a partial update, a
// rename (basename) and/or a file replacement (path).
func handleUpdateUpload(c *call) (int, any, error) {
	id := c.params[0]
	doc, err := c.resource("upload")
	if err != nil {
		return 0, nil, err
	}
	var keepURL bool
	switch c.r.URL.Query().Get("replace_strategy") {
	case "", "create_new_url":
	case "keep_url":
		keepURL = true
	default:
		return 0, nil, errUnprocessable("INVALID_PARAMS", map[string]any{"field": "replace_strategy"})
	}
	s, e := c.s, c.env
	s.lock()
	defer s.mu.Unlock()
	rec := e.uploads[id]
	if rec == nil {
		return 0, nil, errNotFound()
	}
	if doc.id != id {
		return 0, nil, errInvalidField("id", "INVALID_FORMAT")
	}
	p, aerr := s.parsePatchLocked(e, doc, updateAttrs, rec, keepURL)
	if aerr != nil {
		return 0, nil, aerr
	}
	if s.cfg.syncUpdates {
		p.apply(s, e, rec, s.now())
		p.release(s)
		return http.StatusOK, map[string]any{"data": s.renderUpload(rec.Upload, e, c.base())}, nil
	}
	return s.startJobLocked(c, func(now time.Time) jobOutcome {
		defer p.release(s)
		rec := e.uploads[id]
		if rec == nil { // deleted while the job ran
			return errorOutcome(errNotFound())
		}
		p.apply(s, e, rec, now)
		return uploadOutcome(http.StatusOK, rec)
	}, func() { p.release(s) })
}

// handleGetUpload is GET /uploads/:id.
func handleGetUpload(c *call) (int, any, error) {
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	rec := c.env.uploads[c.params[0]]
	if rec == nil {
		return 0, nil, errNotFound()
	}
	return http.StatusOK, map[string]any{"data": s.renderUpload(rec.Upload, c.env, c.base())}, nil
}

// handleDeleteUpload is DELETE /uploads/:id. Open question §10.5: we answer
// synchronously (200 with the deleted upload) as documented (API §6.6).
// Open question §10.4: a referenced upload is deleted all the same, and its
// records are left with a missing asset, as DatoCMS's own notes say (API
// §8.3); a delete is refused only when a test asks for it
// (DeleteRestrictionNext).
func handleDeleteUpload(c *call) (int, any, error) {
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	rec := c.env.uploads[c.params[0]]
	if rec == nil {
		return 0, nil, errNotFound()
	}
	if s.faults.takeDeleteRestriction() {
		return 0, nil, errUnprocessable("DELETE_RESTRICTION", nil)
	}
	doc := s.renderUpload(rec.Upload, c.env, c.base())
	s.deleteUploadLocked(c.env, rec)
	return http.StatusOK, map[string]any{"data": doc}, nil
}

// pageParams reads page[offset] and page[limit]; a limit outside 1..max is
// INVALID_PARAMS, as the real API refuses pages above its maximum.
func pageParams(q url.Values, defLimit, maxLimit int) (offset, limit int, err *apiError) {
	offset, limit = 0, defLimit
	if v := q.Get("page[offset]"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 {
			return 0, 0, errUnprocessable("INVALID_PARAMS", map[string]any{"field": "page[offset]"})
		}
		offset = n
	}
	if v := q.Get("page[limit]"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > maxLimit {
			return 0, 0, errUnprocessable("INVALID_PARAMS", map[string]any{"field": "page[limit]"})
		}
		limit = n
	}
	return offset, limit, nil
}

// page returns items[offset : offset+limit], clamped, never nil.
func page[T any](items []T, offset, limit int) []T {
	if offset >= len(items) {
		return []T{}
	}
	return items[offset:min(offset+limit, len(items))]
}
