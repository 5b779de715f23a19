package datocmstest

import (
	"encoding/json"
	"net/http"
)

// faultsDoc is the body of PUT /_local/faults and of the launcher's
// -fault-rules file.
type faultsDoc struct {
	Rules []json.RawMessage `json:"rules"`
	Seed  *uint64           `json:"seed"` // reseeds the random source when present
}

// GET /_local/faults: the seed and the rules, in the order they are tried,
// with what is left of each.
func adminGetFaults(s *Server, w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, map[string]any{"seed": s.FaultSeed(), "rules": s.FaultRules()})
}

// PUT /_local/faults: replace every rule; an invalid rule changes nothing
// and the 400 names the rule and the field.
func adminPutFaults(s *Server, w http.ResponseWriter, r *http.Request) {
	var doc faultsDoc
	if err := decodeAdminBody(r, &doc); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if doc.Rules == nil {
		adminError(w, http.StatusBadRequest, `rules: required (send {"rules": []} to clear them)`)
		return
	}
	rules := make([]FaultRule, len(doc.Rules))
	for i, raw := range doc.Rules {
		if err := json.Unmarshal(raw, &rules[i]); err != nil {
			adminError(w, http.StatusBadRequest, "rules[%d]: %v", i, err)
			return
		}
	}
	if err := s.SetFaultRules(rules...); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if doc.Seed != nil {
		s.faults.set(func(f *faults) { f.reseed(*doc.Seed) })
	}
	adminGetFaults(s, w, r)
}

// DELETE /_local/faults: remove every rule.
func adminDeleteFaults(s *Server, w http.ResponseWriter, r *http.Request) {
	s.ClearFaultRules()
	adminGetFaults(s, w, r)
}
