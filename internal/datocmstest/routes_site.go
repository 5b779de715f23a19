package datocmstest

import (
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// handleSite is GET /site. Its meta tells clients which
// default_field_metadata shape the requested environment uses (API §2).
func handleSite(c *call) (int, any, error) {
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	return http.StatusOK, map[string]any{"data": map[string]any{
		"type": "site",
		"id":   s.cfg.siteID,
		"attributes": map[string]any{
			"name":     "Local DatoCMS",
			"locales":  slices.Clone(s.cfg.locales),
			"timezone": "UTC",
		},
		"meta": map[string]any{"non_localized_focal_points": c.env.nonLocalized},
	}}, nil
}

// handleListUploadTags is GET /upload-tags: every distinct tag used by the
// environment's uploads, sorted by name, paged 50/500 (API §6.11).
func handleListUploadTags(c *call) (int, any, error) {
	q := c.r.URL.Query()
	offset, limit, err := pageParams(q, 50, 500)
	if err != nil {
		return 0, nil, err
	}
	s := c.s
	s.lock()
	names := map[string]bool{}
	for _, rec := range c.env.uploads {
		for _, t := range rec.Tags {
			names[t] = true
		}
	}
	s.mu.Unlock()
	needle := strings.ToLower(q.Get("filter[query]"))
	tags := []map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if strings.Contains(strings.ToLower(name), needle) {
			tags = append(tags, map[string]any{"type": "upload_tag", "id": tagID(name), "attributes": map[string]any{"name": name}})
		}
	}
	return http.StatusOK, map[string]any{
		"data": page(tags, offset, limit),
		"meta": map[string]any{"total_count": len(tags)},
	}, nil
}

// tagID derives a stable id from a tag name, since tags here exist only as
// strings on uploads.
func tagID(name string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	return fmt.Sprintf("%d", h.Sum64()>>16) // an integer id below 2^48, like real ids
}
