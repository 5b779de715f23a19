package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestFigureMet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		f    figure
		want string
	}{
		{"at the limit", figure{Value: 0.05, Unit: perUpload, Target: atMost(0.05)}, "met"},
		{"above", figure{Value: 0.051, Unit: perUpload, Target: atMost(0.05)}, "MISSED"},
		{"strict at the limit", figure{Value: 1 << 20, Unit: bytesUnit, Target: below(1 << 20)}, "MISSED"},
		{"strict below", figure{Value: 1<<20 - 1, Unit: bytesUnit, Target: below(1 << 20)}, "met"},
		{"ratio within", figure{Value: 11, BaseName: "floor", BaseValue: 10, Unit: secs, Target: ratioAtMost(1.15)}, "met"},
		{"ratio beyond", figure{Value: 12, BaseName: "floor", BaseValue: 10, Unit: secs, Target: ratioAtMost(1.15)}, "MISSED"},
		{"paired ratios", figure{Value: 12, BaseName: "floor", BaseValue: 10, Ratios: []float64{1.0, 1.1, 1.3}, Unit: secs, Target: ratioAtMost(1.15)}, "met"},
		{"ratio without a baseline value", figure{Value: 12, BaseName: "floor", Unit: secs, Target: ratioAtMost(1.15)}, ""},
		{"yes", figure{Value: 1, Unit: yesNo, Target: mustBeYes()}, "met"},
		{"no", figure{Value: 0, Unit: yesNo, Target: mustBeYes()}, "MISSED"},
		{"no target", figure{Value: 3, Unit: count}, ""},
		{"failed", figure{Failed: "boom", Unit: count, Target: atMost(1)}, ""},
	} {
		if got := tc.f.met(); got != tc.want {
			t.Errorf("%s: met() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	figs := []figure{ // scenario 2 first, as the benchmark runs it
		{Scenario: 2, Name: "API calls per upload", Value: 3.1, Unit: perUpload, Target: atMost(3.3), Note: "3100 calls"},
		{Scenario: 2, Name: "wall", Value: 180, Unit: secs, BaseName: "rate-limit floor", BaseValue: 150, Target: ratioAtMost(1.15)},
		{Scenario: 1, Name: "API calls per upload, environment of 1000 uploads", Value: 0.003, Unit: perUpload, Target: atMost(0.05)},
		{Scenario: 3, Name: "bytes read by the provider: unchanged plan", Value: 40 << 10, Unit: bytesUnit, BaseName: "1-byte source", BaseValue: 40 << 10, Target: below(1 << 20)},
		{Scenario: 3, Name: "create", Value: 16, Unit: secs, BaseName: "md5sum + curl -T", BaseValue: 10, Ratios: []float64{1.25, 1.5, 1.05}, Target: ratioAtMost(1.1)},
		{Scenario: 3, Name: "provider peak RSS during the create", Value: 25 << 20, Unit: bytesUnit, Target: atMost(32 << 20)},
		{Scenario: 4, Name: "scenario", Unit: count, Failed: "interrupted"},
		{Scenario: 5, Name: "apply succeeds", Value: 1, Unit: yesNo, Target: mustBeYes()},
	}
	var out bytes.Buffer
	if err := writeTable(&out, scenarioTitles(1000, 1<<30), figs); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "#") || !strings.Contains(lines[0], "baseline (same run)") || !strings.Contains(lines[0], "notes") {
		t.Errorf("header %q", lines[0])
	}
	for _, want := range []string{
		"1  Plan of 1000 unchanged uploads", "2  Apply of 1000 new uploads", "3  One file of 1.00 GiB", "4  Jobs", "5  429 while other clients",
		"0.003 calls/upload", "≤ 0.050 calls/upload", "3100 calls",
		"180.00 s", "150.00 s rate-limit floor", "1.200x", "≤ 1.15x", "MISSED",
		"40.0 KiB 1-byte source", "1.000x", "< 1.0 MiB", "25.0 MiB", "≤ 32.0 MiB",
		"failed: interrupted", "yes", "1.250x",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	// Groups in the order, whatever order the figures came in.
	if i1, i2 := strings.Index(text, "1  Plan"), strings.Index(text, "2  Apply"); i1 < 0 || i2 < i1 {
		t.Errorf("scenario 1 does not come before 2:\n%s", text)
	}
	// One table: the value column starts at the same place on every figure line, and no
	// line ends in padding.
	col := strings.Index(lines[0], "value")
	for _, line := range lines[2:] {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing spaces: %q", line)
		}
		if strings.HasPrefix(line, " ") && strings.IndexFunc(line[col:], func(r rune) bool { return r != ' ' }) != 0 {
			t.Errorf("value not in its column (at %d): %q", col, line)
		}
	}
	met, missed := 0, 0
	for _, line := range lines[2:] {
		for _, field := range strings.Fields(line) {
			met += map[bool]int{true: 1}[field == "met"]
			missed += map[bool]int{true: 1}[field == "MISSED"]
		}
	}
	if met != 5 || missed != 2 {
		t.Errorf("%d figures met and %d missed, want 5 and 2:\n%s", met, missed, text)
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"1GiB": 1 << 30, "64MiB": 64 << 20, "64 mib": 64 << 20, "500KB": 500_000, "1e6": 1_000_000, "1024": 1024, "2G": 2 << 30, "1.5KiB": 1536, "1B": 1,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GiB", "-1MiB", "0", "ten", "1PiB", "0.5"} {
		if got, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, got)
		}
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("odd: %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even: %v", m)
	}
	if m := median(nil); m != 0 {
		t.Errorf("empty: %v", m)
	}
}
