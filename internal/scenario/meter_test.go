package scenario

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// meterChildEnv makes the test binary act as a metered child: it reads the file the
// variable names, touches meterChildMiB of memory and exits with status 3.
const (
	meterChildEnv = "SCENARIO_METER_CHILD"
	meterChildMiB = 64
)

// TestMain serves two purposes: run as the meter's child process (see TestRunMetered), or
// run the tests and then remove the binaries the chaos tests built for the whole run.
func TestMain(m *testing.M) {
	if name := os.Getenv(meterChildEnv); name != "" {
		f, err := os.Open(name)
		if err != nil {
			os.Exit(2)
		}
		_, _ = io.Copy(io.Discard, f)
		buf := make([]byte, meterChildMiB<<20)
		for i := range buf {
			buf[i] = byte(i)
		}
		runtime.KeepAlive(buf)
		os.Exit(3)
	}
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func TestRunMetered(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the meter's counters exist on Linux only")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	const size = 3 << 20
	if err := os.WriteFile(data, bytes.Repeat([]byte("x"), size), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(meterChildEnv, data) // the child inherits the environment

	log := filepath.Join(dir, "meter.jsonl")
	for range 2 { // two processes of one command
		rec, err := RunMetered(t.Context(), os.Args[0], []string{"-test.run=^$", "arg"})
		if err != nil {
			t.Fatal(err)
		}
		if rec.ExitCode != 3 || rec.PID == 0 || !rec.IOFinal || rec.WallMS <= 0 || rec.Start.IsZero() || strings.Join(rec.Args, " ") != "-test.run=^$ arg" {
			t.Errorf("record %+v", rec)
		}
		// The whole file, plus little else (the child's own start-up reads).
		if rec.RChar < size || rec.RChar > size+(1<<20) {
			t.Errorf("rchar %d, want the %d bytes of the file", rec.RChar, size)
		}
		if rec.MaxRSSKiB < meterChildMiB<<10 {
			t.Errorf("peak RSS %d KiB, want at least %d", rec.MaxRSSKiB, meterChildMiB<<10)
		}
		if err := AppendMeterRecord(log, rec); err != nil {
			t.Fatal(err)
		}
	}

	recs, err := ReadMeterLog(log)
	if err != nil || len(recs) != 2 {
		t.Fatalf("log: %d records, %v", len(recs), err)
	}
	raw, _ := os.ReadFile(log)
	for _, field := range []string{`"rchar":`, `"max_rss_kib":`, `"exit_code":3`, `"io_final":true`, `"pid":`, `"wall_ms":`} {
		if strings.Count(string(raw), field) != 2 {
			t.Errorf("the log lacks %s twice:\n%s", field, raw)
		}
	}
	tot := Totals(recs)
	if tot.Processes != 2 || tot.RChar != recs[0].RChar+recs[1].RChar || tot.MaxRSSKiB != max(recs[0].MaxRSSKiB, recs[1].MaxRSSKiB) || !tot.AllFinal ||
		(tot.CPU-time.Duration((recs[0].UserMS+recs[0].SysMS+recs[1].UserMS+recs[1].SysMS)*float64(time.Millisecond))).Abs() > time.Microsecond {
		t.Errorf("totals %+v of %+v", tot, recs)
	}

	if recs, err := ReadMeterLog(filepath.Join(dir, "missing")); err != nil || recs != nil {
		t.Errorf("missing log: %v %v", recs, err)
	}
	if err := os.WriteFile(log, []byte("{\"pid\":1}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMeterLog(log); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a bad line: %v", err)
	}
}
