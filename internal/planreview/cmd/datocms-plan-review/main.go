// Command datocms-plan-review renders a review of the DatoCMS asset changes in a Terraform
// plan, from its JSON: Markdown for a pull-request comment, or an HTML page with the images
// before and after. See internal/planreview/README.md.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/planreview"
)

// version is set by the release build (-ldflags -X main.version=...).
var version = "dev"

// Environment variables of the records lookup: the provider's names.
const (
	envAPIToken    = "DATOCMS_API_TOKEN" //nolint:gosec // G101: the name of an environment variable, not a credential
	envBaseURL     = "DATOCMS_BASE_URL"
	envEnvironment = "DATOCMS_ENVIRONMENT"
)

// lookupTimeout bounds the records lookup as a whole.
const lookupTimeout = 2 * time.Minute

const usage = `Usage: datocms-plan-review [flags] [PLAN_JSON | -]

Reads the JSON of a Terraform plan from the file PLAN_JSON, or from standard input when it
is absent or -, and writes a review of the DatoCMS asset changes in it (datocms_upload,
datocms_upload_metadata, datocms_upload_collection): Markdown for a pull-request comment,
or a self-contained HTML page that shows each image before and after.

  terraform plan -out plan.out && terraform show -json plan.out | datocms-plan-review > review.md
  terraform plan -refresh-only -out drift.out && terraform show -json drift.out | datocms-plan-review
  terraform show -json plan.out | datocms-plan-review -format html -dir . -o review.html

When DATOCMS_API_TOKEN is set (with DATOCMS_BASE_URL and DATOCMS_ENVIRONMENT, as the
provider reads them), each upload that exists gets the records that use it. The exit status
is 0 when the review was written, whether or not anything changes, and 1 on an error.

Flags:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// run is the command; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("datocms-plan-review", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "markdown", "`markdown` (for a pull-request comment) or html (for a local review)")
	out := fs.String("o", "", "write the review to `FILE` instead of standard output")
	dir := fs.String("dir", ".", "the `DIR` of the root module, which the plan's source paths are relative to: HTML reviews show the new files from there")
	maxBytes := fs.Int("max-bytes", planreview.DefaultMaxBytes, "the largest Markdown review, `N` bytes: asset blocks are left out from the end beyond it (GitHub takes 65536 characters per comment)")
	noRecords := fs.Bool("no-records", false, "do not look up the records that use each upload, even when "+envAPIToken+" is set")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "datocms-plan-review:", err)
		return 1
	}
	switch {
	case *format != "markdown" && *format != "html":
		return fail(fmt.Errorf("-format %q: want markdown or html", *format))
	case *maxBytes <= 0:
		return fail(fmt.Errorf("-max-bytes %d: want a positive number of bytes", *maxBytes))
	case fs.NArg() > 1:
		return fail(errors.New("give at most one plan JSON file (or - for standard input)"))
	}

	data, err := readInput(fs.Arg(0), stdin)
	if err != nil {
		return fail(err)
	}
	plan, err := planreview.Parse(data)
	if err != nil {
		return fail(err)
	}
	review := planreview.Build(plan)
	if token := getenv(envAPIToken); token != "" && !*noRecords {
		client, err := datocms.New(datocms.Config{
			Token:       token,
			BaseURL:     getenv(envBaseURL),
			Environment: getenv(envEnvironment),
			UserAgent:   "datocms-plan-review/" + version,
		})
		if err != nil {
			return fail(fmt.Errorf("records lookup: %w (unset %s or pass -no-records to skip it)", err, envAPIToken))
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		review.AddRecords(ctx, client.UploadReferences)
		cancel()
		stop()
	}

	var buf bytes.Buffer
	if *format == "html" {
		if err := review.HTML(&buf, *dir); err != nil {
			return fail(err)
		}
	} else {
		buf.WriteString(review.Markdown(*maxBytes))
	}
	if *out == "" {
		_, err = stdout.Write(buf.Bytes())
	} else {
		err = os.WriteFile(*out, buf.Bytes(), 0o644) //nolint:gosec // G306: a review to read and publish, not a secret
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

// readInput reads the plan JSON from the file name, or from stdin when name is "" or "-".
func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "" || name == "-" {
		if f, ok := stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				return nil, errors.New("no plan JSON: give a file, or pipe `terraform show -json plan.out` in (-help for more)")
			}
		}
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return data, nil
	}
	return os.ReadFile(name)
}
