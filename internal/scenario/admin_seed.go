package scenario

import (
	"context"
	"net/http"
	"time"
)

// Seed creates count synthetic uploads in environment ("" = the primary) at once, the
// first created at createdAt and each next one a millisecond later (a zero createdAt: the
// last one now), and returns how many uploads the environment holds (POST /_local/seed).
func (a Admin) Seed(ctx context.Context, environment string, count int, createdAt time.Time) (int, error) {
	body := map[string]any{"count": count}
	if environment != "" {
		body["environment"] = environment
	}
	if !createdAt.IsZero() {
		body["created_at"] = createdAt.UTC().Format(time.RFC3339Nano)
	}
	var out struct {
		Total int `json:"total"`
	}
	err := a.call(ctx, http.MethodPost, "/_local/seed", body, &out)
	return out.Total, err
}
