package datocmstest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// maxSeedCount bounds one POST /_local/seed: enough for any benchmark, small enough that a
// typo cannot fill the memory.
const maxSeedCount = 100_000

// seedContent is the file every seeded upload points at.
const seedContent = "seeded upload\n"

// POST /_local/seed: create synthetic uploads directly in the store (see SeedUploads), so
// a benchmark can give an environment tens of thousands of uploads in a moment.
func adminSeed(s *Server, w http.ResponseWriter, r *http.Request) {
	var req struct {
		Count       int        `json:"count"`
		Environment string     `json:"environment"`
		CreatedAt   *time.Time `json:"created_at"`
	}
	if err := decodeAdminBody(r, &req); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if req.Count < 1 || req.Count > maxSeedCount {
		adminError(w, http.StatusBadRequest, "count: want 1 to %d, got %d", maxSeedCount, req.Count)
		return
	}
	e := s.env(req.Environment)
	if e == nil {
		adminError(w, http.StatusBadRequest, "environment: no environment %q", req.Environment)
		return
	}
	var first time.Time
	if req.CreatedAt != nil {
		first = req.CreatedAt.UTC()
	}
	total, err := s.SeedUploads(e.name, req.Count, first)
	if err != nil {
		adminError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	adminJSON(w, http.StatusCreated, map[string]any{"environment": e.name, "created": req.Count, "total": total})
}

// SeedUploads creates count uploads in env at once, as if they had always been there: no
// request, job, rate limit or request log entry. They are plain text uploads named
// seed-<n>.txt that share one small file (same md5 and size) and have no metadata. The
// i-th (from 0) was created at first + i ms; a zero first means "so that the last one was
// created now". It returns how many uploads env holds afterwards.
func (s *Server) SeedUploads(env string, count int, first time.Time) (int, error) {
	e, err := s.envOrErr(env)
	if err != nil {
		return 0, err
	}
	if count <= 0 {
		s.lock()
		defer s.mu.Unlock()
		return len(e.uploads), nil
	}
	b, err := s.writeBlob(strings.NewReader(seedContent), int64(len(seedContent)), "seed.txt")
	if err != nil {
		return 0, err
	}
	s.lock()
	defer s.mu.Unlock()
	now := s.now()
	if first.IsZero() {
		first = now.Add(-time.Duration(count-1) * time.Millisecond)
	}
	for i := range count {
		created := first.Add(time.Duration(i) * time.Millisecond)
		id := newEntityID()
		for e.idTaken(id) {
			id = newEntityID()
		}
		name := fmt.Sprintf("seed-%d.txt", s.seq.Add(1))
		rec := &uploadRecord{Upload: Upload{ID: id, CreatedAt: created, UpdatedAt: created, Tags: []string{}, SmartTags: []string{}}}
		s.setBlobLocked(rec, b, created, processingDelays{}) // always there, so already scanned
		rec.publish(s.newPath(name, created), name)
		e.uploads[id] = rec
	}
	return len(e.uploads), nil
}
