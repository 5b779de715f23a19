// Command chaos runs the chaos scenarios of issue 9 (wrong base_url, slow creates, kill -9
// mid-apply, remote duplicate tags, lost and refused requests on every route, random 429s
// and 502s) through the real terraform binary, each against a fresh local API server
// (datocms-local), and prints a table: outcome, uploads on the server and in state,
// orphans, duplicates and whether a second plan is clean. `make chaos` runs it from the
// repository root.
//
//	go run ./internal/scenario/cmd/chaos [-uploads 200] [-seed 9] [-run regexp] [-keep]
//
// It exits 1 when a scenario fails, and then keeps the work directory (workspaces and
// launcher logs) for a look.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

func main() {
	uploads := flag.Int("uploads", 200, "uploads in the random-fault scenario")
	seed := flag.Uint64("seed", 9, "seed of the random-fault scenario's fault choices (terraform's parallel requests still vary the exact faults)")
	run := flag.String("run", "", "run only the scenarios whose name matches this regular expression")
	keep := flag.Bool("keep", false, "keep the work directory even when every scenario passes")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code, err := chaos(ctx, *uploads, *seed, *run, *keep)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
	}
	os.Exit(code)
}

func chaos(ctx context.Context, uploads int, seed uint64, run string, keep bool) (int, error) {
	filter, err := regexp.Compile(run)
	if err != nil {
		return 2, fmt.Errorf("-run: %w", err)
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return 2, errors.New("run it from the repository root (make chaos)")
	}
	if _, err := scenario.TerraformBinary(); err != nil {
		return 2, fmt.Errorf("terraform CLI not found (set TF_ACC_TERRAFORM_PATH or put terraform on PATH): %w", err)
	}
	dir, err := os.MkdirTemp("", "chaos-")
	if err != nil {
		return 2, err
	}
	fmt.Fprintln(os.Stderr, "building the provider and datocms-local in", dir)
	c := &scenario.Chaos{Dir: dir}
	if c.ProviderDir, err = scenario.BuildProvider(ctx, ".", dir); err != nil {
		return 2, err
	}
	if c.Launcher, err = scenario.BuildLauncher(ctx, ".", dir); err != nil {
		return 2, err
	}

	var reports []scenario.Report
	failed := 0
	for _, sc := range scenario.Scenarios(uploads, seed) {
		if !filter.MatchString(sc.Name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "%s ... ", sc.Name)
		scCtx, cancel := context.WithTimeout(ctx, 20*time.Minute)
		rep := c.Run(scCtx, sc)
		cancel()
		fmt.Fprintf(os.Stderr, "%s (%s)\n", rep.Outcome, rep.Duration.Round(time.Second))
		if !rep.OK {
			failed++
			fmt.Fprintln(os.Stderr, "  workspace and launcher log:", rep.Dir)
		}
		reports = append(reports, rep)
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Println()
	if err := scenario.WriteTable(os.Stdout, reports); err != nil {
		return 2, err
	}
	if failed > 0 {
		fmt.Printf("\n%d of %d scenarios failed; their workspaces and launcher logs are under %s\n", failed, len(reports), dir)
		for _, rep := range reports {
			if !rep.OK {
				fmt.Printf("\n%s:\n  %s\n", rep.Scenario, rep.Detail)
			}
		}
		return 1, nil
	}
	fmt.Printf("\nall %d scenarios passed\n", len(reports))
	if keep {
		fmt.Println("work directory kept:", dir)
		return 0, nil
	}
	return 0, os.RemoveAll(dir)
}
