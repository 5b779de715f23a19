// Command bench-scale measures the scenarios of issue 8 (1,000 uploads and 1 GiB files at
// the speed DatoCMS's limits allow) and prints one table: each figure, its baseline
// measured in the same run, the ratio, and the target marked met or not.
//
//	go run ./internal/scenario/cmd/bench-scale -uploads 1000 -size 1GiB
//
// It builds the provider and the local API server (datocms-local), starts the server as
// the issue measured it (-latency 50ms -rate-limit 60 -job-delay 200ms) and runs the real
// terraform binary, each command in its own workspace and cache directory. It asserts
// nothing: the exit status is 0 unless something failed to run. Everything it writes
// lives in one temporary directory, removed at exit and on Ctrl-C. `make bench-scale` runs
// it; the README says how to read the table.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// launcherArgs start the local API server as the issue measured it.
var launcherArgs = []string{"-latency", "50ms", "-rate-limit", "60", "-job-delay", "200ms"}

func main() {
	os.Exit(benchmark())
}

func benchmark() int {
	uploads := flag.Int("uploads", 1000, "uploads of the plan and apply scenarios (N)")
	sizeFlag := flag.String("size", "1GiB", "size of the single large file (SIZE), e.g. 64MiB or 1GiB")
	repeat := flag.Int("repeat", 3, "runs of each short timed figure (plans, the 1 s job); the median is reported")
	keep := flag.Bool("keep", false, "keep the temporary directory (workspaces, server log) for debugging")
	only := flag.String("scenarios", "1,2,3,4,5", "comma-separated scenarios to run (1 needs 2, which it runs first)")
	flag.Parse()
	size, err := parseSize(*sizeFlag)
	selected, selErr := parseScenarios(*only)
	if err == nil {
		err = selErr
	}
	if err != nil || *uploads < 1 || *repeat < 1 || flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "bench-scale: bad arguments (%v); see -help\n", err)
		return 2
	}

	// Ctrl-C and SIGTERM cancel ctx: the running terraform command and its providers are
	// killed, and the deferred cleanup runs. Later signals are ignored until it is done.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	startLoad := loadavg()
	fmt.Printf("bench-scale: N=%d uploads, SIZE=%s, %d CPUs, load at start %s\n", *uploads, humanBytes(float64(size)), runtime.NumCPU(), startLoad)
	tmp, err := os.MkdirTemp("", "bench-scale-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-scale:", err)
		return 1
	}
	defer func() {
		if *keep {
			progress("kept %s", tmp)
			return
		}
		if err := os.RemoveAll(tmp); err != nil {
			fmt.Fprintln(os.Stderr, "bench-scale: cleanup:", err)
		}
	}()

	b := &bench{n: *uploads, size: size, repeat: *repeat, tmp: tmp, scenarios: selected}
	stopLauncher, err := b.setUp(ctx)
	if stopLauncher != nil {
		defer stopLauncher()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-scale:", err)
		return 1
	}
	started := time.Now()
	figs, failures := b.runScenarios(ctx)

	fmt.Println()
	fmt.Printf("datocms-local %s; terraform through dev_overrides; %s\n", strings.Join(launcherArgs, " "), time.Since(started).Round(time.Second))
	if err := writeTable(os.Stdout, scenarioTitles(b.n, b.size), figs); err != nil {
		fmt.Fprintln(os.Stderr, "bench-scale:", err)
		return 1
	}
	fmt.Printf("load (1, 5, 15 min): at start %s, at end %s\n", startLoad, loadavg())
	for _, f := range failures {
		fmt.Fprintln(os.Stderr, "bench-scale:", f)
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "bench-scale: interrupted")
		return 130
	case len(failures) > 0:
		return 1
	}
	return 0
}

// setUp builds the provider (plain and under the meter) and the launcher, and starts the
// launcher with a data directory inside b.tmp. The returned func stops it.
func (b *bench) setUp(ctx context.Context) (func(), error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	progress("building the provider, the provider meter, the floor provider and datocms-local (work directory %s)", b.tmp)
	mp, err := scenario.BuildMeteredProvider(ctx, root, filepath.Join(b.tmp, "provider"))
	if err != nil {
		return nil, err
	}
	b.plain, b.metered, b.meter = mp.RealDir, mp.Dir, mp.Env
	b.floor = filepath.Join(b.tmp, "floor-provider")
	if err := buildFloorProvider(ctx, root, b.floor); err != nil {
		return nil, err
	}
	bin, err := scenario.BuildLauncher(ctx, root, b.tmp)
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("md5sum"); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("curl"); err != nil {
		return nil, err
	}
	args := append([]string{"-environments", "main," + benchEnv, "-data-dir", filepath.Join(b.tmp, "data")}, launcherArgs...)
	// Not bound to ctx: after Ctrl-C the launcher is stopped by the cleanup, in order.
	b.api, err = scenario.StartLauncher(context.WithoutCancel(ctx), bin, filepath.Join(b.tmp, "datocms-local.log"), args...)
	if err != nil {
		return nil, err
	}
	progress("datocms-local at %s", b.api.URL)
	return b.api.Stop, nil
}

// runScenarios runs the five scenarios (2 first: it creates the uploads 1 plans) and
// returns their figures, and what failed. A failed scenario gets one line in the table.
func (b *bench) runScenarios(ctx context.Context) ([]figure, []error) {
	var (
		figs     []figure
		failures []error
	)
	record := func(scenarioNo int, fs []figure, err error) {
		figs = append(figs, fs...)
		if err != nil {
			failures = append(failures, fmt.Errorf("scenario %d: %w", scenarioNo, err))
			reason := "see the errors below"
			if ctx.Err() != nil {
				reason = "interrupted"
			}
			figs = append(figs, figure{Scenario: scenarioNo, Name: "scenario", Unit: count, Failed: reason})
		}
	}
	if b.scenarios[1] || b.scenarios[2] {
		ws, fs, err := b.applyNew(ctx)
		record(2, fs, err)
		switch {
		case !b.scenarios[1]:
		case err == nil:
			fs, err = b.unchangedPlans(ctx, ws)
			record(1, fs, err)
		default:
			record(1, nil, errors.New("needs the uploads of scenario 2"))
		}
	}
	for _, s := range []struct {
		no int
		fn func(context.Context) ([]figure, error)
	}{{3, b.largeFile}, {4, b.slowJob}, {5, b.sharedQuota}} {
		if !b.scenarios[s.no] {
			continue
		}
		if ctx.Err() != nil {
			record(s.no, nil, ctx.Err())
			continue
		}
		fs, err := s.fn(ctx)
		record(s.no, fs, err)
	}
	return figs, failures
}

// parseScenarios reads the -scenarios flag.
func parseScenarios(list string) (map[int]bool, error) {
	out := map[int]bool{}
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 5 {
			return nil, fmt.Errorf("-scenarios: %q is not a scenario (1 to 5)", f)
		}
		out[n] = true
	}
	return out, nil
}

// repoRoot is the module root above the working directory (make runs from it).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run bench-scale from inside the repository (no go.mod found above the working directory)")
		}
		dir = parent
	}
}
