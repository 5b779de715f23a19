package datocmstest

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"time"
)

// Option configures a Server built by New or NewServer.
type Option func(*config)

// config is the immutable part of a Server's setup. The knobs that tests may
// change while the server runs (latency, job delay) only seed the fault state.
type config struct {
	token          string
	environments   []string
	locales        []string
	nonLocalized   map[string]bool
	jobDelay       time.Duration
	dataDir        string
	latency        time.Duration
	rateLimit      int
	storageHeaders map[string]string
	siteID         string
	syncUpdates    bool
	processing     processingDelays // antivirus scan and Mux, per new file
	trackDelay     time.Duration
	syncTracks     bool
	faultRules     []FaultRule
	faultSeed      uint64 // 0 = pick one at random
	storageStatus  int
	maxUploadSize  int64
	behaviour      Behaviour
	now            func() time.Time // nil = the wall clock; tests in this package set a fake one
}

func defaultConfig() config {
	return config{
		environments: []string{"main"},
		locales:      []string{"en", "it"},
		nonLocalized: map[string]bool{},
		rateLimit:    60,
		// Open question §10.2: non-empty by default, so clients are always
		// tested on sending request_headers back verbatim.
		storageHeaders: map[string]string{"x-datocms-storage-acl": "public-read"},
		siteID:         "1234",
		storageStatus:  http.StatusOK,
		maxUploadSize:  DefaultMaxUploadSize,
	}
}

// DefaultMaxUploadSize is the largest file a storage PUT accepts unless
// WithMaxUploadSize says otherwise: the 1 GB of API §4.1, read as 1 GiB, the
// size the project's benchmarks use.
const DefaultMaxUploadSize = 1 << 30

// WithToken makes the server accept only this bearer token. With "" (the
// default) any non-empty bearer token is accepted.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithEnvironments sets the environments; the first one is the primary
// environment, used when a request has no X-Environment header.
func WithEnvironments(names ...string) Option {
	return func(c *config) { c.environments = append([]string(nil), names...) }
}

// WithLocales sets the locales of every environment (default "en", "it").
func WithLocales(locales ...string) Option {
	return func(c *config) { c.locales = append([]string(nil), locales...) }
}

// WithNonLocalizedFocalPoints switches env to the field-keyed
// default_field_metadata shape (API §5.3 b). Every environment starts with the
// legacy locale-keyed shape.
func WithNonLocalizedFocalPoints(env string, on bool) Option {
	return func(c *config) { c.nonLocalized[env] = on }
}

// WithJobDelay sets how long async jobs run before their result exists.
// With 0 the result is available on the first poll, but the answer is still
// 202 + job, as with the real API.
func WithJobDelay(d time.Duration) Option { return func(c *config) { c.jobDelay = d } }

// WithDataDir stores uploaded files in dir instead of a temporary directory.
// Close leaves a directory given here in place.
func WithDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// WithLatency adds a sleep before every CMA response.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithRateLimit sets how many CMA requests are allowed per 3-second window
// (default 60, as on the real API). 0 disables rate limiting.
func WithRateLimit(perWindow int) Option { return func(c *config) { c.rateLimit = perWindow } }

// WithStorageRequestHeaders sets the request_headers returned by
// POST /upload-requests; the storage PUT must carry each of them verbatim.
func WithStorageRequestHeaders(h map[string]string) Option {
	return func(c *config) { c.storageHeaders = maps.Clone(h) }
}

// WithSiteID sets the site id, which is also the first segment of every
// storage path (default "1234").
func WithSiteID(id string) Option { return func(c *config) { c.siteID = id } }

// WithSyncUpdates makes PUT /uploads/:id answer 200 with the upload instead of
// 202 + job, which the docs allow ("a job might be returned").
func WithSyncUpdates(on bool) Option { return func(c *config) { c.syncUpdates = on } }

// WithAntivirusDelay sets how long the antivirus scan of each new file takes:
// meta.antivirus.status is "pending" for d, then "clean" or "infected". With 0
// (the default) an upload is scanned as soon as it exists.
func WithAntivirusDelay(d time.Duration) Option {
	return func(c *config) { c.processing.antivirus = d }
}

// WithMuxDelay sets how long Mux takes to process each new video: its
// mux_playback_id, mux_mp4_highest_res, duration and frame_rate are null for
// d, then filled in. With 0 (the default) they are filled in at once.
func WithMuxDelay(d time.Duration) Option { return func(c *config) { c.processing.mux = d } }

// WithTrackDelay sets how long a new upload track is "preparing" before it is
// "ready" (or "errored"). With 0 (the default) it is ready at once.
func WithTrackDelay(d time.Duration) Option { return func(c *config) { c.trackDelay = d } }

// WithSyncTracks makes POST /uploads/:id/tracks answer 201 with the track, and
// DELETE /uploads/:id/tracks/:track_id 200 with it, instead of 202 + job.
func WithSyncTracks(on bool) Option { return func(c *config) { c.syncTracks = on } }

// WithFaultRules starts the server with these fault rules (see FaultRule).
// An invalid rule makes New fail with an error naming the rule and field.
func WithFaultRules(rules ...FaultRule) Option {
	return func(c *config) { c.faultRules = append([]FaultRule(nil), rules...) }
}

// WithFaultSeed seeds the random source of rules with a probability below 1,
// so a chaos run can be repeated. Without it (or with 0) the seed is random;
// GET /_local/faults shows it.
func WithFaultSeed(seed uint64) Option { return func(c *config) { c.faultSeed = seed } }

// WithStorageStatus sets the status of a successful storage PUT: 200 (the
// default, as S3 and R2 answer) or 201 (as some custom storages do).
func WithStorageStatus(status int) Option { return func(c *config) { c.storageStatus = status } }

// WithMaxUploadSize sets the largest file, in bytes, a storage PUT accepts
// (default DefaultMaxUploadSize). A larger Content-Length gets 400
// EntityTooLarge before any byte of the body is read.
func WithMaxUploadSize(n int64) Option { return func(c *config) { c.maxUploadSize = n } }

// withClock makes the server read time from now (UTC) instead of the wall
// clock, so tests can step through rate-limit windows and job delays.
func withClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

var (
	envNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	localeRE  = regexp.MustCompile(`^[a-z]{0,3}(-[A-Za-z]+)?(-[A-Z]{0,3})?$`) // API §5.3
	siteIDRE  = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)                        // it becomes a path segment
)

// validate rejects setups that would make the server misbehave later, so a
// typo in a test fails at New instead of as a confusing 4xx.
func (c *config) validate() error {
	if err := c.behaviour.normalize(); err != nil {
		return fmt.Errorf("datocmstest: behaviour: %w", err)
	}
	if len(c.environments) == 0 {
		return fmt.Errorf("datocmstest: at least one environment is required")
	}
	seen := map[string]bool{}
	for _, e := range c.environments {
		if !envNameRE.MatchString(e) || seen[e] {
			return fmt.Errorf("datocmstest: invalid or duplicate environment name %q", e)
		}
		seen[e] = true
	}
	for e := range c.nonLocalized {
		if !seen[e] {
			return fmt.Errorf("datocmstest: WithNonLocalizedFocalPoints names unknown environment %q", e)
		}
	}
	if len(c.locales) == 0 {
		return fmt.Errorf("datocmstest: at least one locale is required")
	}
	seenLoc := map[string]bool{}
	for _, l := range c.locales {
		if l == "" || !localeRE.MatchString(l) || seenLoc[l] {
			return fmt.Errorf("datocmstest: invalid or duplicate locale %q", l)
		}
		seenLoc[l] = true
	}
	if c.rateLimit < 0 || c.jobDelay < 0 || c.latency < 0 {
		return fmt.Errorf("datocmstest: rate limit, job delay and latency must not be negative")
	}
	if c.processing.antivirus < 0 || c.processing.mux < 0 || c.trackDelay < 0 {
		return fmt.Errorf("datocmstest: antivirus, Mux and track delays must not be negative")
	}
	if !siteIDRE.MatchString(c.siteID) {
		return fmt.Errorf("datocmstest: invalid site id %q", c.siteID)
	}
	if c.storageStatus != http.StatusOK && c.storageStatus != http.StatusCreated {
		return fmt.Errorf("datocmstest: storage status %d is neither 200 nor 201", c.storageStatus)
	}
	if c.maxUploadSize <= 0 {
		return fmt.Errorf("datocmstest: the maximum upload size must be positive")
	}
	rules, err := normalizeRules(c.faultRules)
	if err != nil {
		return fmt.Errorf("datocmstest: WithFaultRules: %w", err)
	}
	c.faultRules = rules
	return nil
}
