package datocms

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the production Content Management API endpoint (API §1.1).
const DefaultBaseURL = "https://site-api.datocms.com"

// Defaults applied by New to zero-valued Config fields.
const (
	defaultUserAgent   = "terraform-provider-datocms/dev"
	defaultRateLimit   = 60 // requests per rateWindow: the documented default plan (API §4.1)
	defaultPollInitial = 50 * time.Millisecond
	defaultPollMax     = 2 * time.Second
	defaultRetryBase   = time.Second
	defaultMaxRetries  = 8
	// defaultRequestTimeout bounds one request, as the official client's 30 s requestTimeout
	// does (API §4.2); the operation as a whole is bounded by the caller's context.
	defaultRequestTimeout = 30 * time.Second

	// rateWindow is the period DatoCMS counts requests over (API §4.1).
	rateWindow = 3 * time.Second
)

// Config configures a Client. Zero values select the documented defaults.
type Config struct {
	Token       string        // required, never logged
	BaseURL     string        // default DefaultBaseURL
	Environment string        // "" = primary (no X-Environment header)
	HTTPClient  *http.Client  // default: no overall timeout, per-request deadlines come from ctx
	UserAgent   string        // default "terraform-provider-datocms/dev"
	RateLimit   int           // requests per 3 s shared by every call of this Client; default 60; negative disables
	PollInitial time.Duration // fine job poll interval, used until jobs have a typical duration; default 50ms
	PollMax     time.Duration // cap of the poll interval of jobs that run much longer than usual, default 2s
	RetryBase   time.Duration // fallback backoff unit: wait RetryBase*attempt; default 1s
	MaxRetries  int           // retries per call after errors other than 429, default 8; negative disables them
	// RequestTimeout bounds each HTTP request (default 30s); a read that times out is retried.
	RequestTimeout time.Duration
	// Logger receives a DEBUG record of every request (method, path, status, request ID,
	// duration; never the token, a body or a signed storage URL), with the caller's context.
	// Default: discard.
	Logger *slog.Logger
}

// maxRedirects bounds how many redirects one request follows.
const maxRedirects = 5

// checkRedirect is the redirect policy of every request: the API token (Authorization)
// goes only to the scheme, host and port the request was made to, and no request follows a
// redirect to plain http off loopback, where anything it carries could be read on the way.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	to := req.URL
	if to.Scheme != "https" && (to.Scheme != "http" || !IsLoopbackHost(to.Hostname())) {
		return &RedirectError{To: to.Scheme + "://" + to.Host}
	}
	if !sameOrigin(via[0].URL, to) {
		req.Header.Del("Authorization")
	}
	return nil
}

// RedirectError is a redirect the client refused to follow. Sending the request again would
// meet the same redirect, so it is never retried.
type RedirectError struct{ To string }

func (e *RedirectError) Error() string {
	return "refused a redirect to " + e.To + ": only https (or http to a loopback host) is followed"
}

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		return map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return a.Scheme == b.Scheme && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// IsLoopbackHost reports whether host is localhost or a loopback address (host names are
// case-insensitive).
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// withDefaults validates cfg and returns a copy with every default filled in.
func (cfg Config) withDefaults() (Config, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return cfg, errors.New("datocms: an API token is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		// url.Parse errors quote the input, which may hold a password: only the cause is shown.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return cfg, fmt.Errorf("datocms: invalid base URL: %w", err)
	}
	if base.User != nil {
		return cfg, errors.New("datocms: the base URL must not hold a user name or password (the API token is the only credential)")
	}
	if (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return cfg, fmt.Errorf("datocms: invalid base URL %q: want http(s)://host", cfg.BaseURL)
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return cfg, fmt.Errorf("datocms: invalid base URL %q: query and fragment are not allowed", cfg.BaseURL)
	}
	if cfg.HTTPClient == nil {
		// A private copy of the default transport, so this client's connection pool is its
		// own. If a program replaced http.DefaultTransport with another RoundTripper, which
		// cannot be cloned, use that one as it is.
		transport := http.DefaultTransport
		if t, ok := transport.(*http.Transport); ok {
			transport = t.Clone()
		}
		cfg.HTTPClient = &http.Client{Transport: transport}
	}
	if cfg.HTTPClient.CheckRedirect == nil {
		hc := *cfg.HTTPClient
		hc.CheckRedirect = checkRedirect
		cfg.HTTPClient = &hc
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = defaultRateLimit
	}
	if cfg.PollInitial <= 0 {
		cfg.PollInitial = defaultPollInitial
	}
	if cfg.PollMax <= 0 {
		cfg.PollMax = defaultPollMax
	}
	cfg.PollMax = max(cfg.PollMax, cfg.PollInitial)
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = defaultRetryBase
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = defaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	cfg.BaseURL = base.String()
	return cfg, nil
}
