package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// The chaos suite (issue 9): scenarios that break the API, the network or the terraform
// process on purpose, each run through the real terraform binary against a fresh
// datocms-local, then measured the same way: what the server holds, what the state holds,
// the orphans and duplicates between them, and whether a second plan is clean. `make chaos`
// runs them all and prints the table; the tests of this package run some of them.

// ChaosToken is the API token of every chaos workspace; the launcher accepts only it.
const ChaosToken = "chaos-token"

// chaosFlags start every chaos launcher: DatoCMS jobs take a moment, and the rate limit is
// the real one, so retries compete with the rest of the work as they would in production.
var chaosFlags = []string{"-token", ChaosToken, "-job-delay", "200ms"}

// Chaos runs scenarios with a provider and a launcher already built.
type Chaos struct {
	ProviderDir string // from BuildProvider
	Launcher    string // from BuildLauncher
	Dir         string // scratch directory; each scenario works in a subdirectory
}

// Scenario is one way of breaking things. Run drives terraform and checks what the scenario
// promises (an apply that must succeed, an error that must name the cause); Chaos.Run then
// measures the end state, which must be the same for every scenario: no orphan, no
// duplicate, the state equal to the server, a clean second plan.
type Scenario struct {
	Name  string
	Flags []string // launcher flags beyond chaosFlags
	Run   func(ctx context.Context, r *Run) error
	// DestroyAfter runs terraform destroy once the end state is measured, with the fault
	// rules still in place, and expects nothing left on the server.
	DestroyAfter bool
}

// Run is a scenario being run: its workspace and the launcher it runs against.
type Run struct {
	*Workspace
	Admin Admin
	URL   string // the launcher's base URL
	notes []string
}

// Report is one row of the chaos table.
type Report struct {
	Scenario   string
	OK         bool
	Outcome    string        // "ok" with what was seen, or "FAIL: " and why, shortened for the table
	Detail     string        // the whole reason of a failure
	Server     int           // uploads on the server
	State      int           // uploads in state
	Orphans    int           // uploads on the server that the state does not track
	Duplicates int           // uploads beyond one per resource (same content and tags)
	PlanClean  bool          // the second plan had no changes
	Duration   time.Duration // the whole scenario, measurements included
	Dir        string        // where its workspace and launcher log are
}

// Run runs one scenario against a fresh launcher and measures the end state.
func (c *Chaos) Run(ctx context.Context, sc Scenario) Report {
	start := time.Now()
	rep := Report{Scenario: sc.Name, Dir: filepath.Join(c.Dir, slug(sc.Name))}
	r, stop, err := c.start(ctx, sc, rep.Dir)
	if err == nil {
		defer stop()
		err = sc.Run(ctx, r)
		// Measure even after a failure: the counts say how bad it is.
		if merr := r.measure(ctx, &rep); err == nil {
			err = merr
		}
		if err == nil && sc.DestroyAfter {
			err = r.destroyAll(ctx)
		}
	}
	rep.Duration = time.Since(start)
	if err != nil {
		rep.Detail = strings.Join(strings.Fields(err.Error()), " ")
		rep.Outcome = "FAIL: " + shorten(rep.Detail, 120)
		return rep
	}
	rep.OK, rep.Outcome = true, "ok"
	if len(r.notes) > 0 {
		rep.Outcome += ": " + strings.Join(r.notes, "; ")
	}
	return rep
}

func (c *Chaos) start(ctx context.Context, sc Scenario, dir string) (*Run, func(), error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, err
	}
	l, err := StartLauncher(ctx, c.Launcher, filepath.Join(dir, "launcher.log"), append(slices.Clone(chaosFlags), sc.Flags...)...)
	if err != nil {
		return nil, nil, err
	}
	ws, err := NewWorkspace(filepath.Join(dir, "tf"), c.ProviderDir, l.URL, ChaosToken)
	if err != nil {
		l.Stop()
		return nil, nil, err
	}
	return &Run{Workspace: ws, Admin: l.Admin, URL: l.URL}, l.Stop, nil
}

// Note adds what the scenario saw to its outcome.
func (r *Run) Note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// measure fills in the counts and the second plan, and says what is wrong with them.
func (r *Run) measure(ctx context.Context, rep *Report) error {
	ups, err := r.Admin.Uploads(ctx)
	if err != nil {
		return fmt.Errorf("listing the server's uploads: %w", err)
	}
	state, err := r.StateIDs(ctx, "datocms_upload")
	if err != nil {
		return err
	}
	tracked := map[string]bool{}
	for _, id := range state {
		tracked[id] = true
	}
	perContent := map[string]int{}
	onServer := map[string]bool{}
	for _, up := range ups {
		onServer[up.ID] = true
		if !tracked[up.ID] {
			rep.Orphans++
		}
		// One resource = one file content and its tags: a second upload of both is a duplicate.
		perContent[up.MD5+"|"+strings.Join(sorted(up.Tags), ",")]++
	}
	for _, n := range perContent {
		rep.Duplicates += n - 1
	}
	rep.Server, rep.State = len(ups), len(state)
	var missing []string
	for addr, id := range state {
		if !onServer[id] {
			missing = append(missing, addr)
		}
	}
	empty, res, planErr := r.PlanIsEmpty(ctx)
	rep.PlanClean = planErr == nil && empty

	var problems []string
	if rep.Orphans > 0 {
		problems = append(problems, fmt.Sprintf("%d orphans", rep.Orphans))
	}
	if rep.Duplicates > 0 {
		problems = append(problems, fmt.Sprintf("%d duplicates", rep.Duplicates))
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		problems = append(problems, fmt.Sprintf("state tracks uploads the server does not have: %v", missing))
	}
	switch {
	case planErr != nil:
		problems = append(problems, "second plan failed: "+diagnostics(res))
	case !empty:
		problems = append(problems, "second plan not clean: "+planSummary(res.Stdout))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// destroyAll destroys everything and expects the server to be empty.
func (r *Run) destroyAll(ctx context.Context) error {
	res, err := r.Run(ctx, "destroy", "-auto-approve", "-input=false")
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("terraform destroy failed: %s", diagnostics(res))
	}
	ups, err := r.Admin.Uploads(ctx)
	if err != nil {
		return err
	}
	if len(ups) > 0 {
		return fmt.Errorf("terraform destroy left %d uploads on the server", len(ups))
	}
	r.Note("destroyed with the faults on: 0 left")
	return nil
}

// Uploads describes the configuration a scenario applies: N uploads of distinct small
// files, datocms_upload.u000 and up.
type Uploads struct {
	N        int
	Tags     []string // nil = ["chaos"]
	Author   string   // "" = unset
	Timeouts string   // body of a timeouts block, e.g. `create = "3s"`; "" = none
}

// Configure writes the files and main.tf for u. File contents depend only on the index, so
// rewriting a configuration never changes a file.
func (r *Run) Configure(u Uploads) error {
	tags := u.Tags
	if tags == nil {
		tags = []string{"chaos"}
	}
	quoted, err := json.Marshal(tags)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(TerraformBlock)
	for i := range u.N {
		name := fmt.Sprintf("files/u%03d.txt", i)
		if err := r.Write(name, fmt.Appendf(nil, "chaos upload %d\n", i)); err != nil {
			return err
		}
		fmt.Fprintf(&b, "\nresource \"datocms_upload\" \"u%03d\" {\n  source = \"${path.module}/%s\"\n  tags   = %s\n", i, name, quoted)
		if u.Author != "" {
			fmt.Fprintf(&b, "  author = %q\n", u.Author)
		}
		if u.Timeouts != "" {
			fmt.Fprintf(&b, "  timeouts {\n    %s\n  }\n", u.Timeouts)
		}
		b.WriteString("}\n")
	}
	return r.Write("main.tf", []byte(b.String()))
}

// MustApply runs terraform apply and expects it to succeed.
func (r *Run) MustApply(ctx context.Context) (Result, error) {
	res, err := r.Apply(ctx)
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("terraform apply failed: %s", diagnostics(res))
	}
	return res, err
}

// ApplyFails runs terraform apply and expects it to fail with output that contains every
// one of want (compared with terraform's line wrapping undone).
func (r *Run) ApplyFails(ctx context.Context, want ...string) (Result, error) {
	res, err := r.Apply(ctx)
	if err != nil {
		return res, err
	}
	if res.ExitCode == 0 {
		return res, errors.New("terraform apply succeeded, want it to fail")
	}
	return res, res.mustSay(want...)
}

// mustSay checks that the output contains every one of want, ignoring how terraform wrapped
// the lines of its diagnostics.
func (res Result) mustSay(want ...string) error {
	out := unwrap(res.Stdout + res.Stderr)
	for _, w := range want {
		if !strings.Contains(out, unwrap(w)) {
			return fmt.Errorf("terraform %s does not say %q: %s", res.Args[0], w, diagnostics(res))
		}
	}
	return nil
}

// unwrap joins the words of terraform's output with single spaces, without the frame of
// its diagnostic boxes.
func unwrap(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "│", " ")), " ")
}

// CheckRetried checks that every terminal fault rule fired, and that every request a fault
// cut or refused was sent again and answered: the request log shows, after it, a request
// with the same method and path and no fault. It notes what was injected.
func (r *Run) CheckRetried(ctx context.Context) error {
	rules, err := r.Admin.Faults(ctx)
	if err != nil {
		return err
	}
	for _, rule := range rules {
		if isTerminal(rule.Action) && rule.Fired == 0 {
			return fmt.Errorf("fault rule %s %s %q never fired: the scenario tested nothing", rule.Method, rule.Path, rule.Action)
		}
	}
	reqs, err := r.Admin.Requests(ctx)
	if err != nil {
		return err
	}
	faulted := map[string]int{}
	for i, q := range reqs {
		if q.Fault == "" {
			continue
		}
		what := q.Fault
		if what == "status" {
			what = fmt.Sprint(q.Status)
		}
		faulted[what]++
		if !slices.ContainsFunc(reqs[i+1:], func(later Request) bool {
			return later.Method == q.Method && later.Path == q.Path && later.Fault == "" && later.Status != 0
		}) {
			return fmt.Errorf("%s %s, cut by a %q fault at %s, was never sent again", q.Method, q.Path, q.Fault, q.Time.Format(time.TimeOnly))
		}
	}
	var seen []string
	for _, what := range slices.Sorted(maps.Keys(faulted)) {
		seen = append(seen, fmt.Sprintf("%d×%s", faulted[what], what))
	}
	r.Note("%s, each sent again", strings.Join(seen, " + "))
	return nil
}

func isTerminal(action string) bool {
	return slices.Contains([]string{"status", "reset", "drop_response", "truncate", "stall"}, action)
}

// RuleState is a fault rule as GET /_local/faults shows it, with what is left of it.
type RuleState = datocmstest.FaultRuleState

// Faults lists the fault rules with how often each fired.
func (a Admin) Faults(ctx context.Context) ([]RuleState, error) {
	var doc struct {
		Rules []RuleState `json:"rules"`
	}
	err := a.call(ctx, http.MethodGet, "/_local/faults", nil, &doc)
	return doc.Rules, err
}

// SetSeededFaults replaces the fault rules and restarts their random source with seed, so
// the same rules and the same requests make the same choices.
func (a Admin) SetSeededFaults(ctx context.Context, seed uint64, rules ...FaultRule) error {
	return a.call(ctx, http.MethodPut, "/_local/faults", map[string]any{"rules": rules, "seed": seed}, nil)
}

// WaitFor polls cond every 50 ms until it holds or ctx ends (a bound, not an assertion on
// timing: a loaded machine only makes it wait longer).
func WaitFor(ctx context.Context, what string, cond func() (bool, error)) error {
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// WriteTable prints the reports as a Markdown table, aligned for the terminal.
func WriteTable(w io.Writer, reports []Report) error {
	rows := [][]string{{"scenario", "outcome", "on server", "in state", "orphans", "duplicates", "2nd plan", "time"}}
	for _, r := range reports {
		plan := "clean"
		if !r.PlanClean {
			plan = "NOT clean"
		}
		rows = append(rows, []string{r.Scenario, r.Outcome, fmt.Sprint(r.Server), fmt.Sprint(r.State), fmt.Sprint(r.Orphans),
			fmt.Sprint(r.Duplicates), plan, r.Duration.Round(time.Second).String()})
	}
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	line := func(cells []string) string {
		var b strings.Builder
		for i, c := range cells {
			fmt.Fprintf(&b, "| %s%s ", c, strings.Repeat(" ", width[i]-len([]rune(c))))
		}
		return b.String() + "|\n"
	}
	var b strings.Builder
	b.WriteString(line(rows[0]))
	sep := make([]string, len(width))
	for i, n := range width {
		sep[i] = strings.Repeat("-", n)
	}
	b.WriteString(strings.ReplaceAll(line(sep), " ", "-"))
	for _, row := range rows[1:] {
		b.WriteString(line(row))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// planSummary returns terraform's "Plan: ..." line, or the first changed resource.
func planSummary(stdout string) string {
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "Plan:") {
			return strings.TrimSpace(l)
		}
	}
	return shorten(strings.Join(strings.Fields(stdout), " "), 200)
}

// diagnostics returns the errors terraform printed, each on one line without its source
// context, or the end of its output when it printed none.
func diagnostics(res Result) string {
	var errs []string
	in := false // inside an error diagnostic
	for _, l := range strings.Split(res.Stderr, "\n") {
		l = strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│╷╵"))
		switch {
		case strings.HasPrefix(l, "Error: "):
			errs, in = append(errs, l), true
		case strings.HasPrefix(l, "Warning: "):
			in = false
		case !in, l == "", strings.HasPrefix(l, "with "), strings.HasPrefix(l, "on "), sourceLine.MatchString(l):
			// Not an error, or where in the configuration: the same in every run.
		default:
			errs[len(errs)-1] += " " + strings.Join(strings.Fields(l), " ")
		}
	}
	if len(errs) == 0 {
		out := strings.Fields(res.Stdout + res.Stderr)
		errs = append(errs, strings.Join(out[max(0, len(out)-60):], " "))
	}
	if len(errs) > 3 { // an apply of many uploads fails the same way many times
		errs = append(errs[:3], fmt.Sprintf("and %d more errors", len(errs)-3))
	}
	return fmt.Sprintf("exit %d: %s", res.ExitCode, strings.Join(errs, " | "))
}

// sourceLine is a line of configuration quoted in a diagnostic ("8:   source = ...").
var sourceLine = regexp.MustCompile(`^\d+: `)

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// slug makes a directory name of a scenario name.
func slug(name string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, name), "-")
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
