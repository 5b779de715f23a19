package datocms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
)

// Site is what the client needs to know about the environment (GET /site).
type Site struct {
	ID                      string
	Locales                 []string // in API order; first is the main locale
	NonLocalizedFocalPoints bool     // meta.non_localized_focal_points: field-keyed metadata (API §5.3)
}

// Site returns the environment's site settings. They decide the default_field_metadata
// wire shape of every write, so they are fetched once and cached for the life of the Client;
// concurrent callers share one request, and a failure is not cached.
func (c *Client) Site(ctx context.Context) (*Site, error) {
	for {
		c.siteMu.Lock()
		if c.site != nil {
			s := c.site.clone()
			c.siteMu.Unlock()
			return s, nil
		}
		if wait := c.siteWait; wait != nil {
			c.siteMu.Unlock()
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("DatoCMS API GET /site: %w", ctx.Err())
			case <-wait:
				continue // the fetch ended: use its result, or try again if it failed
			}
		}
		done := make(chan struct{})
		c.siteWait = done
		c.siteMu.Unlock()

		site, err := c.fetchSite(ctx)

		c.siteMu.Lock()
		if err == nil {
			c.site = site
		}
		c.siteWait = nil
		close(done)
		c.siteMu.Unlock()
		if err != nil {
			return nil, err
		}
		return site.clone(), nil
	}
}

func (c *Client) fetchSite(ctx context.Context) (*Site, error) {
	var doc struct {
		Data struct {
			ID         string `json:"id"`
			Attributes struct {
				Locales []string `json:"locales"`
			} `json:"attributes"`
			Meta struct {
				NonLocalizedFocalPoints bool `json:"non_localized_focal_points"`
			} `json:"meta"`
		} `json:"data"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/site"}, &doc); err != nil {
		return nil, err
	}
	if len(doc.Data.Attributes.Locales) == 0 {
		return nil, errors.New("DatoCMS API GET /site: the site has no locales")
	}
	return &Site{
		ID:                      doc.Data.ID,
		Locales:                 doc.Data.Attributes.Locales,
		NonLocalizedFocalPoints: doc.Data.Meta.NonLocalizedFocalPoints,
	}, nil
}

// clone keeps callers from mutating the cached value.
func (s *Site) clone() *Site {
	c := *s
	c.Locales = slices.Clone(s.Locales)
	return &c
}

// Environment is one environment of the project (GET /environments).
type Environment struct {
	ID      string
	Primary bool
}

// Environments lists the project's environments, primary first. It works whatever
// environment the client is configured with, so it can explain an unknown one.
func (c *Client) Environments(ctx context.Context) ([]Environment, error) {
	var doc struct {
		Data []struct {
			ID   string `json:"id"`
			Meta struct {
				Primary bool `json:"primary"`
			} `json:"meta"`
		} `json:"data"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/environments", anyEnvironment: true}, &doc); err != nil {
		return nil, err
	}
	out := make([]Environment, 0, len(doc.Data))
	for _, e := range doc.Data {
		out = append(out, Environment{ID: e.ID, Primary: e.Meta.Primary})
	}
	slices.SortStableFunc(out, func(a, b Environment) int {
		switch {
		case a.Primary == b.Primary:
			return 0
		case a.Primary:
			return -1
		}
		return 1
	})
	return out, nil
}
