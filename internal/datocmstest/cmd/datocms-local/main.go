// Command datocms-local runs the local DatoCMS-compatible API server of
// package datocmstest as a standalone program, for demos and manual tries.
//
//	go run ./internal/datocmstest/cmd/datocms-local -listen 127.0.0.1:8787
//
// The first line on stdout is the base URL to point a client at. Each request
// is logged to stderr as "METHOD path status" (never a header, so never the
// token). SIGINT or SIGTERM stops the server cleanly, with exit status 0.
package main

import (
	"context"
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
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "datocms-local:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("datocms-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8787", "address to listen on (port 0 picks a free port)")
	token := fs.String("token", "", "only accept this API token (default: any non-empty token)")
	envs := fs.String("environments", "main", "comma-separated environments; the first is the primary")
	locales := fs.String("locales", "en,it", "comma-separated locales of every environment")
	nonLocalized := fs.String("non-localized-focal-points", "", "comma-separated environments with the field-keyed default_field_metadata shape")
	jobDelay := fs.Duration("job-delay", 0, "how long async jobs take, e.g. 300ms")
	dataDir := fs.String("data-dir", "", "directory for uploaded files (default: a temporary directory, removed on exit)")
	latency := fs.Duration("latency", 0, "delay added before every CMA response")
	rateLimit := fs.Int("rate-limit", 60, "CMA requests per 3-second window; 0 disables")
	siteID := fs.String("site-id", "1234", "site id (first segment of storage paths)")
	if err := fs.Parse(args); err != nil {
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
	}
	for _, env := range splitList(*nonLocalized) {
		opts = append(opts, datocmstest.WithNonLocalizedFocalPoints(env, true))
	}
	api, err := datocmstest.New(opts...)
	if err != nil {
		return err
	}
	defer api.Close()

	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", *listen)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	api.SetBaseURL(base)
	fmt.Fprintln(stdout, base)

	logger := log.New(stderr, "", log.LstdFlags)
	srv := &http.Server{Handler: logRequests(api, logger), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// logRequests logs one line per request: method, path and status. The query
// (storage signatures) and headers (the token) are left out on purpose.
func logRequests(next http.Handler, logger *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Printf("%s %s %d", r.Method, r.URL.Path, rec.status)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
