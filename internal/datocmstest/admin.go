package datocmstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The admin API: test controls under /_local/, a prefix the real API never
// uses. It needs no token, is not rate limited, goes through no fault rule
// and is not recorded in the request log, so driving it never changes what
// a test measures. README.md documents every endpoint.

const adminPrefix = "/_local/"

func isAdminPath(path string) bool { return strings.HasPrefix(path+"/", adminPrefix) }

type adminHandler func(s *Server, w http.ResponseWriter, r *http.Request)

var adminRoutes = map[string]map[string]adminHandler{
	"/_local/faults":     {http.MethodGet: adminGetFaults, http.MethodPut: adminPutFaults, http.MethodDelete: adminDeleteFaults},
	"/_local/requests":   {http.MethodGet: adminGetRequests, http.MethodDelete: adminDeleteRequests},
	"/_local/jobs":       {http.MethodGet: adminGetJobs, http.MethodDelete: adminDeleteJobs},
	"/_local/uploads":    {http.MethodGet: adminGetUploads},
	"/_local/references": {http.MethodPost: adminAddReference, http.MethodDelete: adminRemoveReference},
	"/_local/seed":       {http.MethodPost: adminSeed},
	"/_local/behaviour":  {http.MethodGet: adminGetBehaviour, http.MethodPut: adminPutBehaviour},
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path+"/", filesPrefix) {
		s.serveFiles(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, uploadsAdminPrefix) {
		s.serveUploadAdmin(w, r)
		return
	}
	methods := adminRoutes[r.URL.Path]
	if methods == nil {
		adminError(w, http.StatusNotFound, "no admin endpoint %s (see internal/datocmstest/README.md)", r.URL.Path)
		return
	}
	h := methods[r.Method]
	if h == nil {
		var allowed []string
		for m := range methods {
			allowed = append(allowed, m)
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		adminError(w, http.StatusMethodNotAllowed, "%s does not take %s", r.URL.Path, r.Method)
		return
	}
	h(s, w, r)
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ") // read by people with curl as often as by programs
	_ = enc.Encode(v)
}

func adminError(w http.ResponseWriter, status int, format string, args ...any) {
	adminJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// decodeAdminBody decodes a small JSON body strictly: an unknown field is
// an error, so a typo never silently does something else.
func decodeAdminBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("the body must be a JSON object")
		}
		return err
	}
	return nil
}

// optionalTime renders t, or null for nil.
func optionalTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// GET /_local/requests: the request log, oldest first.
func adminGetRequests(s *Server, w http.ResponseWriter, _ *http.Request) {
	out := []map[string]any{}
	for _, e := range s.Requests() {
		q := map[string][]string(e.Query)
		if _, ok := q["signature"]; ok { // a storage URL's credential stays out of the output
			q["signature"] = []string{"[redacted]"}
		}
		var env any
		if e.Kind == KindCMA {
			env = e.Environment
		}
		out = append(out, map[string]any{
			"time":        formatTime(e.Time),
			"kind":        e.Kind,
			"method":      e.Method,
			"path":        e.Path,
			"query":       q,
			"environment": env,
			"status":      e.Status,
			"fault":       e.Fault,
			"body_size":   e.BodySize,
		})
	}
	adminJSON(w, http.StatusOK, map[string]any{"requests": out})
}

// DELETE /_local/requests: empty the request log.
func adminDeleteRequests(s *Server, w http.ResponseWriter, _ *http.Request) {
	s.ResetRequests()
	adminJSON(w, http.StatusOK, map[string]any{"requests": []any{}})
}

// GET /_local/jobs: every job since the last DELETE, oldest first.
func adminGetJobs(s *Server, w http.ResponseWriter, _ *http.Request) {
	s.lock() // completes the jobs that are due, so done is current
	out := []map[string]any{}
	for _, j := range s.jobStats {
		var readyAt, status any
		if !j.plan.hang {
			readyAt = formatTime(j.readyAt)
		}
		if j.done {
			status = j.outcome.status
		}
		out = append(out, map[string]any{
			"id":                  j.id,
			"environment":         j.env.name,
			"method":              j.method,
			"path":                j.path,
			"created_at":          formatTime(j.createdAt),
			"ready_at":            readyAt,
			"done":                j.done,
			"status":              status,
			"polls":               j.polls,
			"polls_before_ready":  j.pollsBeforeReady,
			"first_ready_poll_at": optionalTime(j.firstReadyPollAt),
		})
	}
	s.mu.Unlock()
	adminJSON(w, http.StatusOK, map[string]any{"jobs": out})
}

// DELETE /_local/jobs: forget the statistics of finished jobs. Their results
// stay available to GET /job-results, so a client still polling is not hurt.
func adminDeleteJobs(s *Server, w http.ResponseWriter, _ *http.Request) {
	s.lock()
	kept := s.jobStats[:0]
	for _, j := range s.jobStats {
		if !j.done {
			kept = append(kept, j)
		}
	}
	clear(s.jobStats[len(kept):])
	s.jobStats = kept
	s.mu.Unlock()
	adminGetJobs(s, w, nil)
}

// GET /_local/uploads[?environment=]: what the server holds, every
// environment (primary first) or one.
func adminGetUploads(s *Server, w http.ResponseWriter, r *http.Request) {
	envs := s.cfg.environments
	if name := r.URL.Query().Get("environment"); name != "" {
		if s.env(name) == nil {
			adminError(w, http.StatusBadRequest, "environment: no environment %q", name)
			return
		}
		envs = []string{name}
	}
	out := []map[string]any{}
	for _, name := range envs {
		for _, u := range s.Uploads(name) {
			out = append(out, map[string]any{
				"environment":          name,
				"id":                   u.ID,
				"md5":                  u.MD5,
				"size":                 u.Size,
				"basename":             u.Basename,
				"filename":             u.Filename,
				"path":                 u.Path,
				"created_at":           formatTime(u.CreatedAt),
				"tags":                 u.Tags,
				"author":               u.Author,
				"upload_collection_id": u.UploadCollectionID,
				"antivirus":            u.Antivirus.Status,
			})
		}
	}
	adminJSON(w, http.StatusOK, map[string]any{"uploads": out})
}
