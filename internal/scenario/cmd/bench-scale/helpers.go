package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// The helpers every scenario shares: workspaces, terraform runs, what the server saw.

// bench is one run of the benchmark: the launcher, the provider builds and a scratch
// directory that holds everything written (removed at exit).
type bench struct {
	n       int   // uploads of the large scenarios
	size    int64 // bytes of the large file
	repeat  int   // runs of each cheap timed figure; the median is reported
	tmp     string
	api     *scenario.Launcher
	plain   string   // dev_overrides directory of the provider itself
	metered string   // dev_overrides directory of the meter wrapper
	meter   []string // environment that makes the wrapper run the real provider
	floor   string   // dev_overrides directory of floor-provider (Terraform's own share of a plan)
	seq     int      // numbers workspaces and meter logs
	// scenarios are the scenarios to run (-scenarios).
	scenarios map[int]bool
	slot      struct { // the storage slot of the md5sum + curl baselines
		url     string
		headers map[string]string
		at      time.Time
	}
}

const (
	token = "bench-token"
	// benchEnv is the environment of the single-file, job and neighbour scenarios, so the
	// large environment of the plan scenarios does not weigh on them.
	benchEnv = "bench"
	// commandTimeout bounds one terraform command, so a hung one cannot hang the benchmark.
	commandTimeout = 30 * time.Minute
	// rateFloorPerSecond is the rate DatoCMS allows: 60 requests per 3 s.
	rateFloorPerSecond = 20.0
)

// progress reports what the benchmark is doing, on stderr: the table goes to stdout.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// workspace makes a new terraform working directory with its own cache directory, using
// the metered provider when metered is set, in environment env ("" = the primary).
func (b *bench) workspace(name, env string, metered bool) (*scenario.Workspace, error) {
	b.seq++
	dir := filepath.Join(b.tmp, fmt.Sprintf("ws%02d-%s", b.seq, name))
	provider, extra := b.plain, []string(nil)
	if metered {
		provider, extra = b.metered, b.meter
	}
	if env != "" {
		extra = append(extra, "DATOCMS_ENVIRONMENT="+env)
	}
	return scenario.NewWorkspace(dir, provider, b.api.URL, token, extra...)
}

// buildFloorProvider builds floor-provider into dir under the provider's name.
func buildFloorProvider(ctx context.Context, root, dir string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "terraform-provider-datocms"), "./internal/scenario/cmd/floor-provider") //nolint:gosec // G204: a fixed package into a directory of ours
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build of floor-provider: %w\n%s", err, out)
	}
	return nil
}

// floorWorkspace is a copy of ws (its configuration and state) planned with floor-provider
// in the given mode: "protocol" or "framework" (see floor-provider).
func (b *bench) floorWorkspace(ws *scenario.Workspace, mode string) (*scenario.Workspace, error) {
	b.seq++
	floor, err := scenario.NewWorkspace(filepath.Join(b.tmp, fmt.Sprintf("ws%02d-floor-%s", b.seq, mode)), b.floor, b.api.URL, token,
		"DATOCMS_FLOOR="+mode)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"main.tf", "terraform.tfstate"} {
		content, err := os.ReadFile(filepath.Join(ws.Dir, name)) //nolint:gosec // a file of our own workspace
		if err != nil {
			return nil, err
		}
		if err := floor.Write(name, content); err != nil {
			return nil, err
		}
	}
	return floor, nil
}

// run is one terraform command and what it cost.
type run struct {
	scenario.Result
	Started time.Time
	Meter   scenario.MeterTotals // provider processes (metered workspaces only)
}

// ok turns a failed command into an error that shows its output.
func (r run) ok() error {
	if r.ExitCode != 0 {
		return fmt.Errorf("%s", tail(r.String(), 4000))
	}
	return nil
}

// terraform runs a command in ws to its end. Its process group (terraform and the
// providers it started) is killed when ctx ends, so Ctrl-C leaves nothing behind. A
// non-zero exit is not an error here; see run.ok.
func (b *bench) terraform(ctx context.Context, ws *scenario.Workspace, args ...string) (run, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	b.seq++
	meterLog := filepath.Join(b.tmp, fmt.Sprintf("meter-%03d.jsonl", b.seq))
	w := *ws
	w.Env = append(slices.Clip(ws.Env), scenario.MeterLogEnv+"="+meterLog)
	cmd := w.Command(ctx, args...)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := run{Result: scenario.Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String(), Duration: time.Since(start)}, Started: start}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("terraform %s: %w", strings.Join(args, " "), context.Cause(ctx))
	case errors.As(err, &exitErr):
		r.ExitCode = exitErr.ExitCode()
	case err != nil:
		return r, err
	}
	recs, err := scenario.ReadMeterLog(meterLog)
	if err != nil {
		return r, err
	}
	r.Meter = scenario.Totals(recs)
	return r, nil
}

// apply runs terraform apply and fails unless it succeeds.
func (b *bench) apply(ctx context.Context, ws *scenario.Workspace) (run, error) {
	r, err := b.terraform(ctx, ws, "apply", "-auto-approve", "-input=false")
	if err == nil {
		err = r.ok()
	}
	return r, err
}

// planUnchanged runs terraform plan and fails unless it succeeds with no changes.
func (b *bench) planUnchanged(ctx context.Context, ws *scenario.Workspace) (run, error) {
	r, err := b.terraform(ctx, ws, "plan", "-detailed-exitcode", "-input=false")
	if err != nil {
		return r, err
	}
	if r.ExitCode == 2 {
		return r, fmt.Errorf("the plan has changes where none were expected:\n%s", tail(r.Stdout, 4000))
	}
	return r, r.ok()
}

// terraformBlock is the header of every configuration.
const terraformBlock = scenario.TerraformBlock + "\nprovider \"datocms\" {}\n"

// writeUploads gives ws n uploads of small distinct text files, in one counted resource as
// a configuration of many similar assets is usually written.
func writeUploads(ws *scenario.Workspace, n int, tag string) error {
	for i := range n {
		if err := ws.Write(fmt.Sprintf("files/asset-%05d.txt", i), fmt.Appendf(nil, "%s asset %d\n", tag, i)); err != nil {
			return err
		}
	}
	return ws.Write("main.tf", fmt.Appendf(nil, `%s
resource "datocms_upload" "asset" {
  count  = %d
  source = format("${path.module}/files/asset-%%05d.txt", count.index)
  tags   = [%q]
}
`, terraformBlock, n, tag))
}

// writeTerraformData gives ws n terraform_data resources, the same shape without a provider.
func writeTerraformData(ws *scenario.Workspace, n int) error {
	return ws.Write("main.tf", fmt.Appendf(nil, `resource "terraform_data" "asset" {
  count = %d
  input = format("asset-%%05d", count.index)
}
`, n))
}

// writeOneUpload gives ws one upload of the file at name (relative to ws), with notes.
func writeOneUpload(ws *scenario.Workspace, name, notes string) error {
	return ws.Write("main.tf", fmt.Appendf(nil, `%s
resource "datocms_upload" "file" {
  source = "${path.module}/%s"
  notes  = %q
}
`, terraformBlock, name, notes))
}

// writeRandomFile writes size random bytes to path (seeded by seed, so each content is
// new) and flushes them to disk, so that no writeback competes with what is measured next.
func writeRandomFile(path string, size int64, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	src := rand.NewChaCha8(key)
	_, err = io.CopyBuffer(f, io.LimitReader(src, size), make([]byte, 4<<20))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// cmaWindow is what the server answered between mark and collect.
type cmaWindow struct{ reqs []scenario.Request }

// markRequests empties the request log and the finished jobs' statistics: what the server
// sees from now on belongs to the command about to run.
func (b *bench) markRequests(ctx context.Context) error {
	if err := b.api.Admin.ClearRequests(ctx); err != nil {
		return err
	}
	return b.api.Admin.ClearJobs(ctx)
}

// collectRequests returns the CMA requests (API calls: not storage PUTs, not file
// downloads) logged since markRequests.
func (b *bench) collectRequests(ctx context.Context) (cmaWindow, error) {
	all, err := b.api.Admin.Requests(ctx)
	var w cmaWindow
	for _, r := range all {
		if r.Kind == "cma" {
			w.reqs = append(w.reqs, r)
		}
	}
	return w, err
}

func (w cmaWindow) total() int { return len(w.reqs) }

// count returns how many requests keep says yes to.
func (w cmaWindow) count(keep func(scenario.Request) bool) int {
	n := 0
	for _, r := range w.reqs {
		if keep(r) {
			n++
		}
	}
	return n
}

func is429(r scenario.Request) bool { return r.Status == http.StatusTooManyRequests }

// breakdown summarises the requests by method, path pattern and status, most frequent
// first, for the progress log: it says where the calls went.
func (w cmaWindow) breakdown() string {
	counts := map[string]int{}
	for _, r := range w.reqs {
		path := r.Path
		for _, prefix := range []string{"/uploads/", "/job-results/"} {
			if strings.HasPrefix(path, prefix) {
				path = prefix + ":id"
			}
		}
		if _, ok := r.Query["filter[ids]"]; ok {
			path += "?filter[ids]"
		} else if _, ok := r.Query["page[offset]"]; ok {
			path += "?page"
		}
		counts[fmt.Sprintf("%s %s %d", r.Method, path, r.Status)]++
	}
	keys := slices.Collect(func(yield func(string) bool) {
		for k := range counts {
			if !yield(k) {
				return
			}
		}
	})
	slices.SortFunc(keys, func(a, b string) int {
		if c := counts[b] - counts[a]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, counts[k]))
	}
	return strings.Join(parts, ", ")
}

// span returns when the first request that from says yes to arrived, and when the last
// request of all did (zero times when there is none).
func (w cmaWindow) span(from func(scenario.Request) bool) (first, last time.Time) {
	for _, r := range w.reqs {
		if from(r) && (first.IsZero() || r.Time.Before(first)) {
			first = r.Time
		}
		if r.Time.After(last) {
			last = r.Time
		}
	}
	return first, last
}

// batchSizes returns the number of ids of each GET /uploads?filter[ids]= request.
func (w cmaWindow) batchSizes() []float64 {
	var sizes []float64
	for _, r := range w.reqs {
		if ids := r.Query["filter[ids]"]; r.Method == http.MethodGet && r.Path == "/uploads" && len(ids) > 0 {
			sizes = append(sizes, float64(len(strings.Split(ids[0], ","))))
		}
	}
	return sizes
}

// jobStats summarises the jobs the server ran since markRequests.
type jobStats struct {
	jobs, polls, early int
}

func (b *bench) jobs(ctx context.Context) ([]scenario.Job, jobStats, error) {
	jobs, err := b.api.Admin.Jobs(ctx)
	var s jobStats
	for _, j := range jobs {
		s.jobs++
		s.polls += j.Polls
		s.early += j.PollsBeforeReady
	}
	return jobs, s, err
}

// uploadRequest asks the server for a storage slot as a client would (POST
// /upload-requests in env) and returns the URL to PUT to and the headers to send.
func (b *bench) uploadRequest(ctx context.Context, env, filename string) (string, map[string]string, error) {
	body := fmt.Sprintf(`{"data":{"type":"upload_request","attributes":{"filename":%q}}}`, filename)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.api.URL+"/upload-requests", strings.NewReader(body))
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Api-Version", "3")
	req.Header.Set("Content-Type", "application/vnd.api+json")
	req.Header.Set("Accept", "application/json")
	if env != "" {
		req.Header.Set("X-Environment", env)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("POST /upload-requests: %d %s", resp.StatusCode, raw)
	}
	var doc struct {
		Data struct {
			Attributes struct {
				URL            string            `json:"url"`
				RequestHeaders map[string]string `json:"request_headers"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", nil, fmt.Errorf("POST /upload-requests: %w", err)
	}
	return doc.Data.Attributes.URL, doc.Data.Attributes.RequestHeaders, nil
}

// median returns the median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// mean returns the mean of xs (0 for none).
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// parseSize reads a size such as 1GiB, 64MiB, 500KB, 1e6 or 1024 (bytes).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		factor float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
	}
	t := strings.TrimSpace(s)
	factor := 1.0
	for _, u := range units {
		if len(t) > len(u.suffix) && strings.EqualFold(t[len(t)-len(u.suffix):], u.suffix) {
			t, factor = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.factor
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 1 || v*factor > 1<<50 {
		return 0, fmt.Errorf("invalid size %q: want a positive number of bytes, optionally with a unit such as KiB, MiB or GiB", s)
	}
	return int64(v * factor), nil
}

// loadavg is the first three fields of /proc/loadavg ("" where there is none).
func loadavg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown (no /proc/loadavg)"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return strings.TrimSpace(string(raw))
	}
	return strings.Join(f[:3], " ")
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// flushDisks writes back every dirty page of the machine (sync(2)), so that the next timed
// run does not pay for an earlier one's writes.
func flushDisks() { syscall.Sync() }
