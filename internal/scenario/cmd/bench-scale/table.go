package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// The table: one line per figure, with its baseline measured in the same run, the ratio,
// and the target marked met or not. It asserts nothing.

// unit formats a value.
type unit func(v float64) string

var (
	perUpload = func(v float64) string { return fmt.Sprintf("%.3f calls/upload", v) }
	perJob    = func(v float64) string { return fmt.Sprintf("%.2f polls/job", v) }
	perSecond = func(v float64) string { return fmt.Sprintf("%.2f calls/s", v) }
	percent   = func(v float64) string { return fmt.Sprintf("%.2f %%", v) }
	secs      = func(v float64) string { return fmt.Sprintf("%.2f s", v) }
	millis    = func(v float64) string { return fmt.Sprintf("%.0f ms", v) }
	count     = func(v float64) string { return fmt.Sprintf("%.0f", v) }
	bytesUnit = humanBytes
	yesNo     = func(v float64) string {
		if v != 0 {
			return "yes"
		}
		return "no"
	}
)

// humanBytes prints a byte count in binary units.
func humanBytes(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1<<30:
		return fmt.Sprintf("%.2f GiB", v/(1<<30))
	case a >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case a >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

// target is one of the targets: the value (or, with OfRatio, its ratio to the
// baseline) compared with Limit by Cmp ("<=", "<" or ">=").
type target struct {
	Cmp     string
	Limit   float64
	OfRatio bool
	Text    string // shown instead of the comparison, when set
}

func atMost(v float64) *target      { return &target{Cmp: "<=", Limit: v} }
func below(v float64) *target       { return &target{Cmp: "<", Limit: v} }
func mustBeYes() *target            { return &target{Cmp: ">=", Limit: 1, Text: "yes"} }
func ratioAtMost(v float64) *target { return &target{Cmp: "<=", Limit: v, OfRatio: true} }

// figure is one line of the table.
type figure struct {
	Scenario int    // the scenario, 1 to 5
	Name     string // what is measured
	Value    float64
	Unit     unit
	Failed   string // why there is no value ("" when there is one)

	BaseName  string  // what the baseline is ("" = none)
	BaseValue float64 // in Unit
	// Ratios are the ratios of runs paired with a baseline run next to them. When set, the
	// ratio shown (and judged) is their median: on a busy machine that is steadier than
	// the ratio of the medians, since each pair ran under the same load.
	Ratios []float64

	Target *target
	Note   string // how the figure was taken, when the name does not say it
}

// ratio is the median of Ratios, or else Value / BaseValue, when there is a baseline.
func (f figure) ratio() (float64, bool) {
	switch {
	case f.BaseName == "" || f.Failed != "":
		return 0, false
	case len(f.Ratios) > 0:
		return median(f.Ratios), true
	case f.BaseValue == 0:
		return 0, false
	}
	return f.Value / f.BaseValue, true
}

// met says whether the figure meets its target: "met", "MISSED", or "" without a target
// (or without a value).
func (f figure) met() string {
	if f.Target == nil || f.Failed != "" {
		return ""
	}
	v := f.Value
	if f.Target.OfRatio {
		r, ok := f.ratio()
		if !ok {
			return ""
		}
		v = r
	}
	ok := false
	switch f.Target.Cmp {
	case "<=":
		ok = v <= f.Target.Limit
	case "<":
		ok = v < f.Target.Limit
	case ">=":
		ok = v >= f.Target.Limit
	}
	if ok {
		return "met"
	}
	return "MISSED"
}

func (f figure) targetText() string {
	if f.Target == nil {
		return ""
	}
	op := map[string]string{"<=": "≤", "<": "<", ">=": "≥"}[f.Target.Cmp]
	if f.Target.OfRatio {
		return fmt.Sprintf("%s %gx", op, f.Target.Limit)
	}
	if f.Target.Text != "" {
		return f.Target.Text
	}
	return op + " " + f.Unit(f.Target.Limit)
}

// scenarioTitles names the scenarios, as the first line of each group.
func scenarioTitles(n int, size int64) map[int]string {
	return map[int]string{
		1: fmt.Sprintf("plan of %d unchanged uploads", n),
		2: fmt.Sprintf("apply of %d new uploads", n),
		3: fmt.Sprintf("one file of %s", humanBytes(float64(size))),
		4: "jobs",
		5: "429 while other clients share the quota",
	}
}

// writeTable prints the figures, grouped by scenario in the order, as one table.
func writeTable(w io.Writer, titles map[int]string, figs []figure) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tfigure\tvalue\tbaseline (same run)\tratio\ttarget\tmet\tnotes")
	fmt.Fprintln(tw, "-\t------\t-----\t-------------------\t-----\t------\t---\t-----")
	for s := 1; s <= 5; s++ {
		var group []figure
		for _, f := range figs {
			if f.Scenario == s {
				group = append(group, f)
			}
		}
		if len(group) == 0 {
			continue
		}
		// Every cell is tab-terminated, so that the columns line up across the groups.
		fmt.Fprintf(tw, "%d\t%s\t\t\t\t\t\t\t\n", s, strings.ToUpper(titles[s][:1])+titles[s][1:])
		for _, f := range group {
			value := f.Unit(f.Value)
			if f.Failed != "" {
				value = "failed: " + f.Failed
			}
			base := ""
			if f.BaseName != "" {
				base = f.Unit(f.BaseValue) + " " + f.BaseName
			}
			ratio := ""
			if r, ok := f.ratio(); ok {
				ratio = fmt.Sprintf("%.3fx", r) // three decimals: a ratio that misses its target never prints as meeting it
			}
			fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, value, base, ratio, f.targetText(), f.met(), f.Note)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(buf.String()) { // without the padding of empty cells at the end
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " \n")); err != nil {
			return err
		}
	}
	return nil
}
