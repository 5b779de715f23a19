package datocmstest

import (
	"net/http"
	"strings"
)

// uploadsAdminPrefix is where the admin API acts on one upload: /_local/uploads/<id>/<action>.
const uploadsAdminPrefix = adminPrefix + "uploads/"

// serveUploadAdmin is POST /_local/uploads/<id>/quarantine, the one action on an upload:
// set its antivirus verdict (see SetAntivirus). The body is optional:
// {"environment": "", "status": "infected", "threat_name": ""}, all three optional.
func (s *Server) serveUploadAdmin(w http.ResponseWriter, r *http.Request) {
	id, action, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, uploadsAdminPrefix), "/")
	if id == "" || action != "quarantine" {
		adminError(w, http.StatusNotFound, "no admin endpoint %s (see internal/datocmstest/README.md)", r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		adminError(w, http.StatusMethodNotAllowed, "%s does not take %s", r.URL.Path, r.Method)
		return
	}
	req := struct {
		Environment string `json:"environment"`
		Status      string `json:"status"`
		ThreatName  string `json:"threat_name"`
	}{Status: "infected"}
	if r.ContentLength != 0 {
		if err := decodeAdminBody(r, &req); err != nil {
			adminError(w, http.StatusBadRequest, "%v", err)
			return
		}
	}
	if err := s.SetAntivirus(req.Environment, id, req.Status, req.ThreatName); err != nil {
		adminError(w, statusOf(err), "%v", err)
		return
	}
	u, _ := s.Upload(req.Environment, id)
	adminJSON(w, http.StatusOK, map[string]any{
		"environment": s.env(req.Environment).name,
		"id":          id,
		"antivirus":   map[string]any{"status": u.Antivirus.Status, "checked_at": optionalTime(u.Antivirus.CheckedAt), "threat_name": u.Antivirus.ThreatName},
	})
}
