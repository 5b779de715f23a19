package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// The scenarios of issue 8, one function each. Each returns its figures; an error means
// something went wrong (a terraform command failed where it must not), not a missed target.

// applyNew is scenario 2: terraform apply of n new uploads in the primary environment. It
// returns the workspace, whose uploads scenario 1 plans.
func (b *bench) applyNew(ctx context.Context) (*scenario.Workspace, []figure, error) {
	progress("scenario 2: apply of %d new uploads", b.n)
	ws, err := b.workspace("apply", "", true)
	if err != nil {
		return nil, nil, err
	}
	if err := writeUploads(ws, b.n, "bench"); err != nil {
		return nil, nil, err
	}
	// The files of a repository are older than its apply. The provider does not trust a
	// hash made within 2 s of a file's last change (the racy window of 2 s timestamps), and
	// would hash such files again on every later plan.
	time.Sleep(2100 * time.Millisecond)
	if err := b.markRequests(ctx); err != nil {
		return nil, nil, err
	}
	r, err := b.apply(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	w, err := b.collectRequests(ctx)
	if err != nil {
		return nil, nil, err
	}
	_, js, err := b.jobs(ctx)
	if err != nil {
		return nil, nil, err
	}
	progress("  apply: %.1f s, %d API calls: %s", r.Duration.Seconds(), w.total(), w.breakdown())
	limited := w.count(is429)
	admitted := w.total() - limited
	// Where the wall time goes: terraform's plan phase before the first upload starts,
	// then the uploads at the rate the limit allows.
	first, last := w.span(func(r scenario.Request) bool { return r.Method == http.MethodPost && r.Path == "/upload-requests" })
	busy := last.Sub(first).Seconds()
	during := w.count(func(r scenario.Request) bool { return !r.Time.Before(first) })
	return ws, []figure{
		{Scenario: 2, Name: "API calls per upload, job polls included", Value: float64(w.total()) / float64(b.n), Unit: perUpload,
			Target: atMost(3.3), Note: fmt.Sprintf("%d calls", w.total())},
		{Scenario: 2, Name: "429 replies, share of API calls", Value: 100 * float64(limited) / float64(max(w.total(), 1)), Unit: percent,
			Target: atMost(1), Note: fmt.Sprintf("%d of %d", limited, w.total())},
		{Scenario: 2, Name: "wall", Value: r.Duration.Seconds(), Unit: secs,
			BaseName: "rate-limit floor", BaseValue: float64(admitted) / rateFloorPerSecond, Target: ratioAtMost(1.15),
			Note: fmt.Sprintf("floor = %d admitted calls / 20 per s; provider CPU %.1f s, peak RSS %s",
				admitted, r.Meter.CPU.Seconds(), humanBytes(float64(r.Meter.MaxRSSKiB<<10)))},
		{Scenario: 2, Name: "wall before the first upload request", Value: first.Sub(r.Started).Seconds(), Unit: secs,
			Note: fmt.Sprintf("terraform's plan phase; the last call came %.2f s before the end", r.Started.Add(r.Duration).Sub(last).Seconds())},
		{Scenario: 2, Name: "API call rate from then to the last call", Value: float64(during-1) / max(busy, 1e-9), Unit: perSecond,
			BaseName: "the limit", BaseValue: rateFloorPerSecond, Note: fmt.Sprintf("%d calls in %.2f s", during, busy)},
		{Scenario: 2, Name: "polls per job", Value: float64(js.polls) / float64(max(js.jobs, 1)), Unit: perJob,
			Target: atMost(1.3), Note: fmt.Sprintf("%d polls of %d jobs", js.polls, js.jobs)},
		{Scenario: 2, Name: "early polls (job not ready yet)", Value: float64(js.early), Unit: count,
			Note: fmt.Sprintf("%.1f %% of polls", 100*float64(js.early)/float64(max(js.polls, 1)))},
	}, nil
}

// unchangedPlans is scenario 1: terraform plan of the n uploads scenario 2 created, in an
// environment of n uploads and then of 20,000 (the others seeded as older uploads, which
// the provider does not manage), and a plan of n terraform_data resources to compare the
// wall time with. The timed plans alternate, b.repeat runs of each, and the medians count.
func (b *bench) unchangedPlans(ctx context.Context, ws *scenario.Workspace) ([]figure, error) {
	progress("scenario 1: plan of %d unchanged uploads (and of %d terraform_data)", b.n, b.n)
	data, err := b.workspace("terraform-data", "", false)
	if err != nil {
		return nil, err
	}
	if err := writeTerraformData(data, b.n); err != nil {
		return nil, err
	}
	if _, err := b.apply(ctx, data); err != nil {
		return nil, err
	}
	floor, err := b.floorWorkspace(ws, "protocol")
	if err != nil {
		return nil, err
	}
	fwFloor, err := b.floorWorkspace(ws, "framework")
	if err != nil {
		return nil, err
	}
	var uploadWalls, dataWalls, floorWalls, fwWalls, ratios, floorRatios, fwRatios, overFw, cpu []float64
	calls := 0
	for i := range b.repeat {
		if err := b.markRequests(ctx); err != nil {
			return nil, err
		}
		r, err := b.planUnchanged(ctx, ws)
		if err != nil {
			return nil, err
		}
		w, err := b.collectRequests(ctx)
		if err != nil {
			return nil, err
		}
		calls = max(calls, w.total())
		uploadWalls, cpu = append(uploadWalls, r.Duration.Seconds()), append(cpu, r.Meter.CPU.Seconds())
		d, err := b.planUnchanged(ctx, data)
		if err != nil {
			return nil, err
		}
		dataWalls, ratios = append(dataWalls, d.Duration.Seconds()), append(ratios, r.Duration.Seconds()/d.Duration.Seconds())
		f, err := b.planUnchanged(ctx, floor)
		if err != nil {
			return nil, err
		}
		floorWalls, floorRatios = append(floorWalls, f.Duration.Seconds()), append(floorRatios, r.Duration.Seconds()/f.Duration.Seconds())
		fw, err := b.planUnchanged(ctx, fwFloor)
		if err != nil {
			return nil, err
		}
		fwWalls, fwRatios = append(fwWalls, fw.Duration.Seconds()), append(fwRatios, fw.Duration.Seconds()/f.Duration.Seconds())
		overFw = append(overFw, r.Duration.Seconds()/fw.Duration.Seconds())
		progress("  run %d: uploads %.2f s (provider CPU %.1f s, peak RSS %s; %d API calls: %s), terraform_data %.2f s, floor-provider %.2f s, framework floor %.2f s",
			i+1, r.Duration.Seconds(), r.Meter.CPU.Seconds(), humanBytes(float64(r.Meter.MaxRSSKiB<<10)), w.total(), w.breakdown(),
			d.Duration.Seconds(), f.Duration.Seconds(), fw.Duration.Seconds())
	}

	const large = 20_000
	if others := large - b.n; others > 0 {
		// Older than the managed uploads: the provider's first listing page holds none of them.
		if _, err := b.api.Admin.Seed(ctx, "", others, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			return nil, err
		}
	}
	if err := b.markRequests(ctx); err != nil {
		return nil, err
	}
	r, err := b.planUnchanged(ctx, ws)
	if err != nil {
		return nil, err
	}
	w, err := b.collectRequests(ctx)
	if err != nil {
		return nil, err
	}
	progress("  environment of %d: %.2f s, %d API calls: %s", max(large, b.n), r.Duration.Seconds(), w.total(), w.breakdown())
	batches := w.batchSizes()

	dataName := fmt.Sprintf("plan of %d terraform_data", b.n)
	return []figure{
		{Scenario: 1, Name: fmt.Sprintf("API calls per upload, environment of %d uploads", b.n), Value: float64(calls) / float64(b.n),
			Unit: perUpload, Target: atMost(0.05), Note: fmt.Sprintf("%d calls", calls)},
		{Scenario: 1, Name: fmt.Sprintf("API calls per upload, environment of %d uploads", max(large, b.n)), Value: float64(w.total()) / float64(b.n),
			Unit: perUpload, Target: atMost(0.12), Note: fmt.Sprintf("%d calls, %d of them GET /uploads?filter[ids] of %.1f ids on average; the others seeded, older",
				w.total(), len(batches), mean(batches))},
		{Scenario: 1, Name: "wall", Value: median(uploadWalls), Unit: secs, BaseName: dataName, BaseValue: median(dataWalls),
			Ratios: ratios, Target: ratioAtMost(1.5), Note: fmt.Sprintf("medians of %d alternating runs; provider CPU %.1f s (median)", b.repeat, median(cpu))},
		{Scenario: 1, Name: "wall against the floor below", Value: median(uploadWalls), Unit: secs,
			BaseName: "floor-provider plan", BaseValue: median(floorWalls), Ratios: floorRatios, Target: ratioAtMost(1.25),
			Note: "the same plan with no provider work"},
		{Scenario: 1, Name: "wall, floor: the same plan with floor-provider (no provider work: Terraform's own share)", Value: median(floorWalls),
			Unit: secs, BaseName: dataName, BaseValue: median(dataWalls), Note: "no provider can plan faster"},
		{Scenario: 1, Name: "wall, framework floor: the framework, with Read, ModifyPlan and ValidateConfig returning at once", Value: median(fwWalls),
			Unit: secs, BaseName: "floor-provider plan", BaseValue: median(floorWalls), Ratios: fwRatios,
			Note: "no early exit inside the framework can plan faster"},
		{Scenario: 1, Name: "wall against the framework floor", Value: median(uploadWalls), Unit: secs,
			BaseName: "framework floor plan", BaseValue: median(fwWalls), Ratios: overFw,
			Note: "the provider's own share, inside the framework"},
		{Scenario: 1, Name: fmt.Sprintf("wall, environment of %d uploads", max(large, b.n)), Value: r.Duration.Seconds(), Unit: secs,
			BaseName: dataName, BaseValue: median(dataWalls), Note: "one run"},
	}, nil
}

// largeFile is scenario 3: one file of b.size. b.repeat cycles of create, replace (new
// content, same path) and destroy, each transfer between two runs of md5sum + curl -T of
// the same bytes to the same server; the median of the per-transfer ratios counts. Then
// unchanged plans, alternating with those of a 1-byte source. Its workspaces run the
// provider under the meter.
func (b *bench) largeFile(ctx context.Context) ([]figure, error) {
	progress("scenario 3: one file of %s", humanBytes(float64(b.size)))
	ws, err := b.workspace("large-file", benchEnv, true)
	if err != nil {
		return nil, err
	}
	small, err := b.workspace("one-byte", benchEnv, true)
	if err != nil {
		return nil, err
	}
	if err := small.Write("one.bin", []byte{'1'}); err != nil {
		return nil, err
	}
	if err := writeOneUpload(small, "one.bin", "one byte"); err != nil {
		return nil, err
	}
	if _, err := b.apply(ctx, small); err != nil {
		return nil, err
	}
	file := filepath.Join(ws.Dir, "large.bin")
	if err := writeOneUpload(ws, "large.bin", "large file"); err != nil {
		return nil, err
	}

	// transfer writes a new content of the file and applies it between two runs of the
	// baseline with the same bytes. It returns the apply and the mean of the baselines.
	// Each timed run starts with the disks flushed: the server writes every transfer to
	// disk, and a run that started while the previous one's gigabyte was still being
	// written back paid for it (baselines of one cycle varied from 4.9 s to 8.5 s).
	transfer := func(what string, seed uint64) (run, float64, error) {
		if err := writeRandomFile(file, b.size, seed); err != nil {
			return run{}, 0, err
		}
		flushDisks()
		before, err := b.md5sumCurl(ctx, file)
		if err != nil {
			return run{}, 0, err
		}
		flushDisks()
		r, err := b.apply(ctx, ws)
		if err != nil {
			return r, 0, err
		}
		flushDisks()
		after, err := b.md5sumCurl(ctx, file)
		if err != nil {
			return r, 0, err
		}
		base := (before + after).Seconds() / 2
		progress("  %s: %.2f s (md5sum + curl -T: %.2f s before, %.2f s after: %.3fx); provider read %s, peak RSS %s",
			what, r.Duration.Seconds(), before.Seconds(), after.Seconds(), r.Duration.Seconds()/base,
			humanBytes(float64(r.Meter.RChar)), humanBytes(float64(r.Meter.MaxRSSKiB<<10)))
		return r, base, nil
	}
	var (
		creates, createBases, createRatios, replaces, replaceBases, replaceRatios []float64
		fixedCosts, createData, replaceData                                       []float64
		createRead, replaceRead, createRSS                                        int64
	)
	for i := range b.repeat {
		create, base, err := transfer(fmt.Sprintf("create %d", i+1), uint64(2*i+1))
		if err != nil {
			return nil, err
		}
		creates, createBases = append(creates, create.Duration.Seconds()), append(createBases, base)
		createRatios = append(createRatios, create.Duration.Seconds()/base)
		createRead, createRSS = max(createRead, create.Meter.RChar), max(createRSS, create.Meter.MaxRSSKiB<<10)
		replace, base, err := transfer(fmt.Sprintf("replace %d", i+1), uint64(2*i+2))
		if err != nil {
			return nil, err
		}
		replaces, replaceBases = append(replaces, replace.Duration.Seconds()), append(replaceBases, base)
		replaceRatios = append(replaceRatios, replace.Duration.Seconds()/base)
		replaceRead = max(replaceRead, replace.Meter.RChar)
		// The fixed cost of an apply, whatever the file's size: terraform's plan and apply
		// and their API calls, for a new content of the 1-byte source.
		if err := small.Write("one.bin", []byte{byte('a' + i%26)}); err != nil {
			return nil, err
		}
		fixed, err := b.apply(ctx, small)
		if err != nil {
			return nil, err
		}
		fixedCosts = append(fixedCosts, fixed.Duration.Seconds())
		createData = append(createData, (create.Duration-fixed.Duration).Seconds()/createBases[i])
		replaceData = append(replaceData, (replace.Duration-fixed.Duration).Seconds()/replaceBases[i])
		progress("  replace of the 1-byte source: %.2f s", fixed.Duration.Seconds())
		if i < b.repeat-1 { // the next cycle creates again; the last upload stays for the plans
			r, err := b.terraform(ctx, ws, "destroy", "-auto-approve", "-input=false")
			if err == nil {
				err = r.ok()
			}
			if err != nil {
				return nil, err
			}
		}
	}

	var largeWalls, smallWalls, planRatios, planExcess []float64
	var largeRead, smallRead int64
	allFinal := true
	for i := range b.repeat {
		l, err := b.planUnchanged(ctx, ws)
		if err != nil {
			return nil, err
		}
		s, err := b.planUnchanged(ctx, small)
		if err != nil {
			return nil, err
		}
		largeWalls, smallWalls = append(largeWalls, l.Duration.Seconds()), append(smallWalls, s.Duration.Seconds())
		planRatios, planExcess = append(planRatios, l.Duration.Seconds()/s.Duration.Seconds()), append(planExcess, (l.Duration-s.Duration).Seconds())
		largeRead, smallRead = max(largeRead, l.Meter.RChar), max(smallRead, s.Meter.RChar)
		allFinal = allFinal && l.Meter.AllFinal && s.Meter.AllFinal
		progress("  unchanged plan %d: %.2f s, read %s by %d provider processes (1-byte source: %.2f s, read %s)",
			i+1, l.Duration.Seconds(), humanBytes(float64(l.Meter.RChar)), l.Meter.Processes, s.Duration.Seconds(), humanBytes(float64(s.Meter.RChar)))
	}
	if !allFinal {
		progress("  warning: some io counters were read while the provider ran, not after it exited")
	}
	size := float64(b.size)
	cycles := fmt.Sprintf("medians of %d cycles; baseline: mean of a run before and after", b.repeat)
	return []figure{
		{Scenario: 3, Name: "create: terraform apply", Value: median(creates), Unit: secs,
			BaseName: "md5sum + curl -T", BaseValue: median(createBases), Ratios: createRatios, Target: ratioAtMost(1.1), Note: cycles},
		{Scenario: 3, Name: "replace (new content, same path)", Value: median(replaces), Unit: secs,
			BaseName: "md5sum + curl -T", BaseValue: median(replaceBases), Ratios: replaceRatios, Target: ratioAtMost(1.15), Note: cycles},
		{Scenario: 3, Name: "fixed cost: replace of the 1-byte source (terraform plan + apply, API calls, job)", Value: median(fixedCosts),
			Unit: secs, Note: fmt.Sprintf("median of %d, one after each cycle", b.repeat)},
		{Scenario: 3, Name: "create less the fixed cost (the file's own share)", Value: median(creates) - median(fixedCosts), Unit: secs,
			BaseName: "md5sum + curl -T", BaseValue: median(createBases), Ratios: createData, Note: "per cycle: (create - fixed cost) / baseline"},
		{Scenario: 3, Name: "replace less the fixed cost (the file's own share)", Value: median(replaces) - median(fixedCosts), Unit: secs,
			BaseName: "md5sum + curl -T", BaseValue: median(replaceBases), Ratios: replaceData, Note: "per cycle: (replace - fixed cost) / baseline"},
		{Scenario: 3, Name: "bytes read by the provider: create", Value: float64(createRead), Unit: bytesUnit,
			BaseName: "the file", BaseValue: size, Note: fmt.Sprintf("most of %d", b.repeat)},
		{Scenario: 3, Name: "bytes read by the provider: replace", Value: float64(replaceRead), Unit: bytesUnit,
			BaseName: "the file", BaseValue: size, Note: fmt.Sprintf("most of %d", b.repeat)},
		{Scenario: 3, Name: "bytes read by the provider: unchanged plan", Value: float64(largeRead), Unit: bytesUnit,
			BaseName: "1-byte source", BaseValue: float64(smallRead), Target: below(1 << 20), Note: fmt.Sprintf("most of %d", b.repeat)},
		{Scenario: 3, Name: "unchanged plan: wall", Value: median(largeWalls), Unit: secs,
			BaseName: "1-byte source", BaseValue: median(smallWalls), Ratios: planRatios, Note: fmt.Sprintf("medians of %d alternating pairs", b.repeat)},
		{Scenario: 3, Name: "unchanged plan: wall over the 1-byte source's", Value: median(planExcess), Unit: secs,
			Target: below(0.3), Note: "median of the pairs' differences"},
		{Scenario: 3, Name: "provider peak RSS during the create", Value: float64(createRSS), Unit: bytesUnit,
			Target: atMost(32 << 20), Note: fmt.Sprintf("most of %d", b.repeat)},
	}, nil
}

// md5sumCurl is what the provider's transfer is compared with: md5sum of the file, then
// curl -T of it to a storage URL of the same server. The URL comes from POST
// /upload-requests before the clock starts; one slot serves every baseline (each PUT
// replaces the bytes of the one before, so they do not pile up on the disk) until it is
// about to expire.
func (b *bench) md5sumCurl(ctx context.Context, file string) (time.Duration, error) {
	if time.Since(b.slot.at) > 10*time.Minute { // storage URLs are valid for 15 minutes
		url, headers, err := b.uploadRequest(ctx, benchEnv, filepath.Base(file))
		if err != nil {
			return 0, err
		}
		b.slot.url, b.slot.headers, b.slot.at = url, headers, time.Now()
	}
	args := []string{"-sS", "--fail", "-o", "/dev/null", "-T", file}
	for name, value := range b.slot.headers {
		args = append(args, "-H", name+": "+value)
	}
	start := time.Now()
	if out, err := exec.CommandContext(ctx, "md5sum", file).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("md5sum: %w: %s", err, out)
	}
	//nolint:gosec // G204: curl with a URL and headers from our own server
	if out, err := exec.CommandContext(ctx, "curl", append(args, b.slot.url)...).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("curl -T: %w: %s", err, out)
	}
	return time.Since(start), nil
}

// slowJob is scenario 4's second figure: a 1 s job on a single update. A fault rule makes
// the job of PUT /uploads/:id take 1000 ms more (on top of the launcher's -job-delay); each
// run changes one upload's notes in a fresh terraform run, and the server says how long
// after the job was ready the first poll that found it done came.
func (b *bench) slowJob(ctx context.Context) ([]figure, error) {
	progress("scenario 4: a 1 s job on a single update")
	ws, err := b.workspace("job", benchEnv, false)
	if err != nil {
		return nil, err
	}
	if err := ws.Write("note.txt", []byte("a small file\n")); err != nil {
		return nil, err
	}
	if err := writeOneUpload(ws, "note.txt", "v0"); err != nil {
		return nil, err
	}
	if _, err := b.apply(ctx, ws); err != nil {
		return nil, err
	}
	var noticed []float64
	var polls []int
	for i := 1; i <= b.repeat; i++ {
		if err := b.api.Admin.SetFaults(ctx, scenario.FaultRule{Method: http.MethodPut, Path: "/uploads/", Action: "job_delay", MS: 1000}); err != nil {
			return nil, err
		}
		if err := b.markRequests(ctx); err != nil {
			return nil, err
		}
		if err := writeOneUpload(ws, "note.txt", fmt.Sprintf("v%d", i)); err != nil {
			return nil, err
		}
		if _, err := b.apply(ctx, ws); err != nil {
			return nil, err
		}
		if err := b.api.Admin.ClearFaults(ctx); err != nil {
			return nil, err
		}
		jobs, _, err := b.jobs(ctx)
		if err != nil {
			return nil, err
		}
		var update *scenario.Job
		for j := range jobs {
			if jobs[j].Method == http.MethodPut && strings.HasPrefix(jobs[j].Path, "/uploads/") {
				update = &jobs[j]
			}
		}
		if update == nil || update.ReadyAt == nil || update.FirstReadyPollAt == nil {
			return nil, fmt.Errorf("the update's job was not found done in %+v", jobs)
		}
		late := update.FirstReadyPollAt.Sub(*update.ReadyAt)
		noticed, polls = append(noticed, float64(late.Milliseconds())), append(polls, update.Polls)
		progress("  run %d: job took %.0f ms, noticed %d ms after ready, %d polls (%d early)", i,
			float64(update.ReadyAt.Sub(update.CreatedAt).Milliseconds()), late.Milliseconds(), update.Polls, update.PollsBeforeReady)
	}
	return []figure{
		{Scenario: 4, Name: "1 s job on a single update: noticed after ready", Value: median(noticed), Unit: millis, Target: atMost(50),
			Note: fmt.Sprintf("median of %d fresh runs, each %s; polls %v", b.repeat, fmtMillis(noticed), polls)},
	}, nil
}

func fmtMillis(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(parts, "/") + " ms"
}

// neighbourUploads is how many uploads scenario 5 applies.
const neighbourUploads = 50

// sharedQuota is scenario 5: while another client of the same project sends 10 GET /site
// a second (with its own token), apply a small set of new uploads.
func (b *bench) sharedQuota(ctx context.Context) ([]figure, error) {
	n := min(b.n, neighbourUploads)
	progress("scenario 5: apply of %d uploads while a neighbour sends 10 requests/s", n)
	ws, err := b.workspace("neighbour", benchEnv, false)
	if err != nil {
		return nil, err
	}
	if err := writeUploads(ws, n, "neighbour"); err != nil {
		return nil, err
	}
	nb := startNeighbour(ctx, b.api.URL, 10)
	defer nb.stop()
	time.Sleep(3 * time.Second) // the neighbour holds its share of the window when the apply starts
	if err := b.markRequests(ctx); err != nil {
		return nil, err
	}
	r, err := b.terraform(ctx, ws, "apply", "-auto-approve", "-input=false")
	if err != nil {
		return nil, err
	}
	w, err := b.collectRequests(ctx)
	if err != nil {
		return nil, err
	}
	nb.stop()
	fromNeighbour := func(r scenario.Request) bool { return len(r.Query[neighbourMark]) > 0 }
	mine := w.count(func(r scenario.Request) bool { return !fromNeighbour(r) })
	mine429 := w.count(func(r scenario.Request) bool { return !fromNeighbour(r) && is429(r) })
	theirs, theirs429 := w.count(fromNeighbour), w.count(func(r scenario.Request) bool { return fromNeighbour(r) && is429(r) })
	progress("  apply: exit %d, %.1f s; provider %d API calls (%d answered 429), neighbour %d (%d answered 429)",
		r.ExitCode, r.Duration.Seconds(), mine, mine429, theirs, theirs429)
	if r.ExitCode != 0 {
		progress("  the apply failed:\n%s", tail(r.Stdout+r.Stderr, 2000))
	}
	succeeded := 0.0
	if r.ExitCode == 0 {
		succeeded = 1
	}
	return []figure{
		{Scenario: 5, Name: fmt.Sprintf("apply of %d uploads succeeds", n), Value: succeeded, Unit: yesNo, Target: mustBeYes()},
		{Scenario: 5, Name: "429 replies to the provider", Value: float64(mine429), Unit: count,
			Note: fmt.Sprintf("of %d calls; the neighbour got %d of %d", mine, theirs429, theirs)},
		{Scenario: 5, Name: "wall", Value: r.Duration.Seconds(), Unit: secs,
			BaseName: "floor at the 10/s left", BaseValue: float64(mine-mine429) / (rateFloorPerSecond - 10)},
	}, nil
}

// neighbourMark is a query parameter the neighbour adds to its requests, so that the
// request log tells them from the provider's (GET /site ignores it).
const neighbourMark = "bench-neighbour"

// neighbour is another client of the same project: it sends GET /site at a steady rate
// with its own token, whatever the answers.
type neighbour struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

func startNeighbour(ctx context.Context, baseURL string, perSecond int) *neighbour {
	ctx, cancel := context.WithCancel(ctx)
	nb := &neighbour{cancel: cancel}
	client := &http.Client{Timeout: 30 * time.Second}
	get := func() {
		defer nb.wg.Done()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/site?"+neighbourMark+"=1", nil)
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer neighbour-token")
		req.Header.Set("X-Api-Version", "3")
		req.Header.Set("Accept", "application/json")
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	nb.wg.Add(1)
	go func() {
		defer nb.wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(perSecond))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				nb.wg.Add(1)
				go get() // each on its own: the API's latency must not slow the rate
			}
		}
	}()
	return nb
}

// stop ends the neighbour and waits for its requests.
func (nb *neighbour) stop() {
	nb.once.Do(func() {
		nb.cancel()
		nb.wg.Wait()
	})
}
