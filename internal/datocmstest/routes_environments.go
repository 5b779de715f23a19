package datocmstest

import "net/http"

// GET /environments and GET /environments/:id (API §2). Both answer
// whatever X-Environment says: a client lists environments precisely when
// the one it was configured with turns out not to exist.

// renderEnvironment is the wire form of an environment. Every environment
// here is ready and writable, and was never forked (they all start empty).
func (s *Server) renderEnvironment(name string) map[string]any {
	created := formatTime(s.started)
	return map[string]any{
		"type": "environment",
		"id":   name,
		"meta": map[string]any{
			"status":              "ready",
			"read_only_mode":      false,
			"created_at":          created,
			"last_data_change_at": created,
			"primary":             name == s.cfg.environments[0],
			"forked_from":         nil,
		},
	}
}

// handleListEnvironments lists the environments, the primary first.
func handleListEnvironments(c *call) (int, any, error) {
	out := []any{}
	for _, name := range c.s.cfg.environments {
		out = append(out, c.s.renderEnvironment(name))
	}
	return http.StatusOK, map[string]any{"data": out}, nil
}

func handleGetEnvironment(c *call) (int, any, error) {
	if c.s.envs[c.params[0]] == nil {
		return 0, nil, errNotFound()
	}
	return http.StatusOK, map[string]any{"data": c.s.renderEnvironment(c.params[0])}, nil
}
