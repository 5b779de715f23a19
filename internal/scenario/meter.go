package scenario

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// Metering the provider processes. Terraform starts the provider binary once per phase
// (validate, refresh and plan, apply), so what a terraform command costs the provider is
// spread over several processes. To measure them as they are, the dev_overrides directory
// holds a small wrapper named like the provider (cmd/provider-meter) that runs the real
// provider as its child with the same arguments, standard streams and environment, follows
// the bytes it reads (rchar of /proc/<pid>/io) and its peak resident memory (from wait4's
// rusage), and appends one MeterRecord as a JSON line to the file named by MeterLogEnv.
// Changing MeterLogEnv per terraform command gives the records of that command alone.

const (
	// MeterProviderEnv names the real provider binary the wrapper runs.
	MeterProviderEnv = "DATOCMS_METER_PROVIDER"
	// MeterLogEnv names the file the wrapper appends its records to; unset, it records nothing.
	MeterLogEnv = "DATOCMS_METER_LOG"
)

// MeterRecord is what one provider process cost.
type MeterRecord struct {
	PID       int       `json:"pid"`
	Args      []string  `json:"args,omitempty"`
	Start     time.Time `json:"start"`
	WallMS    float64   `json:"wall_ms"`
	ExitCode  int       `json:"exit_code"`   // -1 when a signal ended it
	RChar     int64     `json:"rchar"`       // bytes returned by read-like calls: files, pipes and sockets
	WChar     int64     `json:"wchar"`       // bytes passed to write-like calls
	ReadBytes int64     `json:"read_bytes"`  // bytes fetched from storage (not from the page cache)
	IOFinal   bool      `json:"io_final"`    // the io counters were read after the last instruction ran
	MaxRSSKiB int64     `json:"max_rss_kib"` // peak resident set size
	UserMS    float64   `json:"user_ms"`
	SysMS     float64   `json:"sys_ms"`
}

// meterPoll is how often the io counters of a running provider are read: they are read
// once more after it exited (see procIO), so this only matters where that is impossible.
const meterPoll = 20 * time.Millisecond

// RunMetered runs binary with args, this process's standard streams and environment, and
// returns what it cost. SIGINT and SIGTERM are passed on to it; ctx ending kills it. The
// returned error is only about starting or waiting for it; its exit status is in the record.
func RunMetered(ctx context.Context, binary string, args []string) (MeterRecord, error) {
	cmd := exec.CommandContext(ctx, binary, args...) //nolint:gosec // G204: the provider binary the benchmark built, run as terraform asked
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = meterSysProcAttr()
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	rec := MeterRecord{Args: args, Start: time.Now()}
	if err := cmd.Start(); err != nil {
		return rec, err
	}
	rec.PID = cmd.Process.Pid
	exited, polled := make(chan struct{}), make(chan procCounters, 1)
	go func() { // the counters while it runs, in case the final read is impossible
		ticker := time.NewTicker(meterPoll)
		defer ticker.Stop()
		var last procCounters
		for {
			if c, ok := procIO(rec.PID); ok {
				last = c
			}
			select {
			case <-exited:
				polled <- last
				return
			case <-ticker.C:
			}
		}
	}()
	go func() {
		for sig := range signals {
			_ = cmd.Process.Signal(sig)
		}
	}()
	waitErr := waitExited(rec.PID) // the child is a zombie now: its counters are complete
	final, finalOK := procIO(rec.PID)
	close(exited)
	last := <-polled
	if err := cmd.Wait(); err != nil && !errors.As(err, new(*exec.ExitError)) {
		return rec, err
	}
	rec.WallMS = float64(time.Since(rec.Start).Microseconds()) / 1000
	if waitErr != nil || !finalOK {
		final = last
	}
	rec.RChar, rec.WChar, rec.ReadBytes, rec.IOFinal = final.rchar, final.wchar, final.readBytes, waitErr == nil && finalOK
	rec.ExitCode = cmd.ProcessState.ExitCode()
	rec.MaxRSSKiB = maxRSSKiB(cmd.ProcessState)
	rec.UserMS = float64(cmd.ProcessState.UserTime().Microseconds()) / 1000
	rec.SysMS = float64(cmd.ProcessState.SystemTime().Microseconds()) / 1000
	return rec, nil
}

// AppendMeterRecord appends rec to the log at path as one JSON line, in one write, so
// provider processes running at the same time never interleave their lines.
func AppendMeterRecord(path string, rec MeterRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadMeterLog reads the records of a log; a missing log holds none.
func ReadMeterLog(path string) ([]MeterRecord, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var recs []MeterRecord
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var rec MeterRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		recs = append(recs, rec)
	}
	return recs, sc.Err()
}

// procCounters are the counters of /proc/<pid>/io the meter reports.
type procCounters struct{ rchar, wchar, readBytes int64 }

// MeterTotals is what the provider processes of one terraform command cost together.
type MeterTotals struct {
	Processes int
	RChar     int64         // sum over the processes
	MaxRSSKiB int64         // the largest peak of any one process
	CPU       time.Duration // user and system time, summed over the processes
	AllFinal  bool          // every process's io counters were read after it exited
}

// Totals adds up records.
func Totals(recs []MeterRecord) MeterTotals {
	t := MeterTotals{Processes: len(recs), AllFinal: true}
	for _, r := range recs {
		t.RChar += r.RChar
		t.MaxRSSKiB = max(t.MaxRSSKiB, r.MaxRSSKiB)
		t.CPU += time.Duration((r.UserMS + r.SysMS) * float64(time.Millisecond))
		t.AllFinal = t.AllFinal && r.IOFinal
	}
	return t
}

// MeteredProvider is a provider build with the meter wrapper in front of it.
type MeteredProvider struct {
	Dir     string   // dev_overrides directory of the wrapper
	RealDir string   // dev_overrides directory of the provider itself, for unmetered runs
	Env     []string // environment entries that make the wrapper run the real provider
}

// BuildMeteredProvider builds the provider from the repository at root into dir/real and
// the meter wrapper into dir/override under the provider's name. Add Env to a workspace
// that names Dir in its dev_overrides, and MeterLogEnv per command to collect records.
func BuildMeteredProvider(ctx context.Context, root, dir string) (MeteredProvider, error) {
	mp := MeteredProvider{Dir: filepath.Join(dir, "override"), RealDir: filepath.Join(dir, "real")}
	if _, err := BuildProvider(ctx, root, mp.RealDir); err != nil {
		return mp, err
	}
	name := "terraform-provider-datocms"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(mp.Dir, name), "./internal/scenario/cmd/provider-meter") //nolint:gosec // G204: a fixed package into a directory of the caller's
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return mp, fmt.Errorf("go build of the provider meter: %w\n%s", err, out)
	}
	mp.Env = []string{MeterProviderEnv + "=" + filepath.Join(mp.RealDir, name)}
	return mp, nil
}
