// Command datocms-local runs the local DatoCMS-compatible API server of
// package datocmstest as a standalone program, for demos, manual tries and
// failure rehearsals.
//
//	go run ./internal/datocmstest/cmd/datocms-local -listen 127.0.0.1:8787
//
// The first line on stdout is the base URL to point a client at. Each request
// is logged to stderr as "METHOD path status" (never a header, so never the
// token). SIGINT or SIGTERM stops the server cleanly, with exit status 0.
// The test controls under /_local/ (fault rules, the request log, job
// statistics, references) are documented in internal/datocmstest/README.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "datocms-local:", err)
		os.Exit(1)
	}
}

const usageIntro = `Usage: datocms-local [flags]

Runs a local DatoCMS-compatible API server (uploads, upload requests and
storage, jobs, collections, environments, antivirus and Mux processing,
upload tracks). The first line on stdout is its
base URL; requests are logged to stderr. Test controls live under /_local/
(fault rules, the request log, job statistics, uploads, quarantine,
references): see
internal/datocmstest/README.md.

Flags:
`

// run serves until ctx ends. -help prints the flags and returns nil.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("datocms-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageIntro)
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8787", "address to listen on (port 0 picks a free port)")
	token := fs.String("token", "", "only accept this API token (default: any non-empty token)")
	envs := fs.String("environments", "main", "comma-separated environments; the first is the primary")
	locales := fs.String("locales", "en,it", "comma-separated locales of every environment")
	nonLocalized := fs.String("non-localized-focal-points", "", "comma-separated environments with the field-keyed default_field_metadata shape")
	jobDelay := fs.Duration("job-delay", 0, "how long async jobs take, e.g. 300ms")
	dataDir := fs.String("data-dir", "", "directory for uploaded files (default: a temporary directory, removed on exit)")
	latency := fs.Duration("latency", 0, "delay added before every CMA response")
	rateLimit := fs.Int("rate-limit", 60, "CMA requests per sliding 3-second window; 0 disables")
	siteID := fs.String("site-id", "1234", "site id (first segment of storage paths)")
	storageHeaders := fs.String("storage-headers", "x-datocms-storage-acl=public-read", "comma-separated name=value headers that POST /upload-requests returns and every storage PUT must send")
	storageStatus := fs.Int("storage-status", 200, "status of a successful storage PUT: 200 (S3, R2) or 201 (some custom storages)")
	maxUpload := fs.Int64("max-upload-size", datocmstest.DefaultMaxUploadSize, "largest file in bytes a storage PUT accepts; larger gets 400 EntityTooLarge")
	syncUpdates := fs.Bool("sync-updates", false, "answer PUT /uploads/:id with 200 and the upload instead of 202 and a job")
	antivirusDelay := fs.Duration("antivirus-delay", 0, "how long the antivirus scan of each new file takes (meta.antivirus.status pending, then clean or infected)")
	muxDelay := fs.Duration("mux-delay", 0, "how long Mux takes to process each new video (mux_playback_id, mux_mp4_highest_res, duration, frame_rate null until then)")
	trackDelay := fs.Duration("track-delay", 0, "how long a new upload track is preparing before it is ready (or errored)")
	syncTracks := fs.Bool("sync-tracks", false, "answer track creates with 201 and deletes with 200 instead of 202 and a job")
	faultFile := fs.String("fault-rules", "", `JSON file of fault rules to start with, the body of PUT /_local/faults: {"rules": [...], "seed": n}`)
	seed := fs.Uint64("seed", 0, "seed for fault rules with a probability, to repeat a chaos run (default: random, printed at start)")
	var behaviour datocmstest.Behaviour
	fs.StringVar(&behaviour.UnknownIDs, "unknown-ids", "omit", "what GET /uploads?filter[ids]= answers for an unknown ID (undocumented): omit it, or reject the request (422)")
	fs.StringVar(&behaviour.NonEmptyCollectionDelete, "nonempty-collection-delete", "refuse",
		"what DELETE /upload-collections/:id does to a collection that is not empty (undocumented): refuse (422), orphan (its uploads leave it, its children move up) or cascade (delete them)")
	fs.StringVar(&behaviour.ReplacedFileName, "replaced-file-name", "follow",
		"basename and filename after a file replacement (undocumented): follow the new file, or keep the basename")
	fs.StringVar(&behaviour.SandboxTracks, "sandbox-tracks", "refuse",
		"upload track creates and deletes outside the primary environment: refuse (422 IMMUTABLE_UPLOAD_TRACKS_IN_SANDBOX_ENVIRONMENT) or allow")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags only; see -help)", fs.Args())
	}

	headers, err := parseHeaders(*storageHeaders)
	if err != nil {
		return err
	}
	opts := []datocmstest.Option{
		datocmstest.WithToken(*token),
		datocmstest.WithEnvironments(splitList(*envs)...),
		datocmstest.WithLocales(splitList(*locales)...),
		datocmstest.WithJobDelay(*jobDelay),
		datocmstest.WithDataDir(*dataDir),
		datocmstest.WithLatency(*latency),
		datocmstest.WithRateLimit(*rateLimit),
		datocmstest.WithSiteID(*siteID),
		datocmstest.WithStorageRequestHeaders(headers),
		datocmstest.WithStorageStatus(*storageStatus),
		datocmstest.WithMaxUploadSize(*maxUpload),
		datocmstest.WithSyncUpdates(*syncUpdates),
		datocmstest.WithAntivirusDelay(*antivirusDelay),
		datocmstest.WithMuxDelay(*muxDelay),
		datocmstest.WithTrackDelay(*trackDelay),
		datocmstest.WithSyncTracks(*syncTracks),
		datocmstest.WithBehaviour(behaviour),
	}
	for _, env := range splitList(*nonLocalized) {
		opts = append(opts, datocmstest.WithNonLocalizedFocalPoints(env, true))
	}
	if *faultFile != "" {
		rules, fileSeed, err := readFaultRules(*faultFile)
		if err != nil {
			return err
		}
		opts = append(opts, datocmstest.WithFaultRules(rules...))
		if *seed == 0 && fileSeed != nil {
			*seed = *fileSeed
		}
	}
	opts = append(opts, datocmstest.WithFaultSeed(*seed))
	api, err := datocmstest.New(opts...)
	if err != nil {
		return err
	}
	defer api.Close()

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *listen)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	api.SetBaseURL(base)
	fmt.Fprintln(stdout, base)

	logger := log.New(stderr, "", log.LstdFlags)
	logger.Printf("fault seed %d (repeat a run with -seed %d); test controls at %s/_local/", api.FaultSeed(), api.FaultSeed(), base)
	srv := &http.Server{Handler: logRequests(api, logger), ReadHeaderTimeout: 10 * time.Second}
	// Stalled requests end only when the API closes: close it as soon as a
	// shutdown starts, so Shutdown does not wait for them.
	srv.RegisterOnShutdown(func() { _ = api.Close() })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// readFaultRules reads a -fault-rules file: the body of PUT /_local/faults.
func readFaultRules(path string) ([]datocmstest.FaultRule, *uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var doc struct {
		Rules []datocmstest.FaultRule `json:"rules"`
		Seed  *uint64                 `json:"seed"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("-fault-rules %s: %w", path, err)
	}
	return doc.Rules, doc.Seed, nil
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// parseHeaders reads "name=value,name2=value2".
func parseHeaders(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range splitList(s) {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("-storage-headers: %q is not name=value", kv)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return out, nil
}

// logRequests logs one line per request: method, path and status ("-" when
// a fault rule cut the connection before any status). The query (storage
// signatures) and headers (the token) are left out on purpose.
func logRequests(next http.Handler, logger *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := "-"
		if rec.status != 0 {
			status = fmt.Sprint(rec.status)
		}
		logger.Printf("%s %s %s", r.Method, r.URL.Path, status)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int // 0 until a status is sent
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer: fault rules
// take the connection over to cut an answer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
