// Package datocms is a small client for the parts of the DatoCMS Content Management API
// (CMA) that manage uploads: upload requests and storage PUTs, uploads, upload collections
// and the site's locales. It knows nothing about Terraform; the provider maps its plain Go
// types to and from plans and state.
package datocms

import (
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
)

// Client talks to one DatoCMS environment. It is safe for concurrent use: one Client is
// shared by every resource of a provider instance, so that they share one rate limiter.
type Client struct {
	cfg        Config
	baseURL    string // without trailing slash; API paths are appended to it
	httpClient *http.Client
	limiter    *limiter // nil when rate limiting is disabled
	pacer      *jobPacer
	reads      *uploadReads
	reached    atomic.Bool // some request got an answer: connection errors are worth retrying
	log        *slog.Logger

	knownCollections sync.Map // ids of upload collections seen to exist
	models           sync.Map // item type id -> API key

	siteMu   sync.Mutex
	site     *Site         // cached after the first successful GET /site
	siteWait chan struct{} // non-nil while a GET /site is in flight; closed when it ends
}

// New validates cfg and returns a Client. Errors never include the token.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, baseURL: cfg.BaseURL, httpClient: cfg.HTTPClient, pacer: newJobPacer(cfg.PollInitial, cfg.PollMax), log: cfg.Logger}
	if cfg.RateLimit > 0 {
		c.limiter = newLimiter(cfg.RateLimit, rateWindow)
	}
	c.reads = newUploadReads(c)
	return c, nil
}

// BaseURL returns the API base URL this client talks to (no trailing slash).
func (c *Client) BaseURL() string { return c.baseURL }

// Environment returns the environment this client manages; "" is the primary environment.
func (c *Client) Environment() string { return c.cfg.Environment }
