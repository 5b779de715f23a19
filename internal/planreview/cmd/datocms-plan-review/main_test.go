package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// destroyPlan is a plan that destroys upload id.
func destroyPlan(id string) string {
	return `{"format_version":"1.2","planned_values":{"root_module":{}},"resource_changes":[{"address":"datocms_upload.a",` +
		`"mode":"managed","type":"datocms_upload","name":"a","change":{"actions":["delete"],"before":{"id":"` + id +
		`","filename":"a.png","size":10},"after":null}}]}`
}

// runCmd runs the command with args, stdin and environment, and returns its exit status and
// what it printed.
func runCmd(t *testing.T, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestRun(t *testing.T) {
	t.Parallel()
	plan := destroyPlan("u1")
	file := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(file, []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}

	code, fromStdin, stderr := runCmd(t, plan, nil)
	if code != 0 || !strings.HasPrefix(fromStdin, "<!-- datocms-plan-review -->\n") || !strings.Contains(fromStdin, "1 destroyed") {
		t.Fatalf("exit %d, stderr %q, review:\n%s", code, stderr, fromStdin)
	}
	if code, out, _ := runCmd(t, "", nil, file); code != 0 || out != fromStdin {
		t.Errorf("from a file: exit %d, review:\n%s", code, out)
	}
	if code, out, _ := runCmd(t, plan, nil, "-"); code != 0 || out != fromStdin {
		t.Errorf("from -: exit %d, review:\n%s", code, out)
	}
	outFile := filepath.Join(t.TempDir(), "review.html")
	if code, out, _ := runCmd(t, plan, nil, "-format", "html", "-o", outFile); code != 0 || out != "" {
		t.Errorf("-o: exit %d, stdout %q", code, out)
	}
	if html, err := os.ReadFile(outFile); err != nil || !strings.HasPrefix(string(html), "<!DOCTYPE html>") {
		t.Errorf("-o wrote %q (%v)", html, err)
	}
	if code, _, stderr := runCmd(t, "", nil, "-help"); code != 0 || !strings.Contains(stderr, "-max-bytes N") {
		t.Errorf("-help: exit %d, usage:\n%s", code, stderr)
	}
}

func TestRunRefusesBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{stdin: "{oops", want: "datocms-plan-review: the input is not a Terraform plan"},
		{stdin: "", want: "datocms-plan-review: the input is empty"},
		{args: []string{filepath.Join(t.TempDir(), "missing.json")}, want: "no such file"},
		{stdin: destroyPlan("u1"), args: []string{"-format", "pdf"}, want: `-format "pdf": want markdown or html`},
		{stdin: destroyPlan("u1"), args: []string{"-max-bytes", "0"}, want: "-max-bytes 0: want a positive number"},
		{stdin: destroyPlan("u1"), args: []string{"a.json", "b.json"}, want: "at most one plan JSON file"},
		{stdin: destroyPlan("u1"), args: []string{"-no-such-flag"}, want: "flag provided but not defined"},
	} {
		code, stdout, stderr := runCmd(t, tc.stdin, nil, tc.args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q with %q: exit %d, stdout %q, stderr %q; want exit 1 and %q", tc.args, tc.stdin, code, stdout, stderr, tc.want)
		}
	}
}

func TestRunLooksUpRecords(t *testing.T) {
	t.Parallel()
	const token = "right-token-4f2a"
	srv := datocmstest.NewServer(t, datocmstest.WithToken(token))
	if _, err := srv.SeedUploads("", 1, time.Time{}); err != nil {
		t.Fatal(err)
	}
	id := srv.Uploads("")[0].ID
	if err := srv.AddReference(datocmstest.Reference{UploadID: id, RecordID: "home", ItemType: "page"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATOCMS_API_TOKEN": token, "DATOCMS_BASE_URL": srv.URL(), "DATOCMS_ENVIRONMENT": "main"}

	code, out, stderr := runCmd(t, destroyPlan(id), env)
	if code != 0 || !strings.Contains(out, "- **Used by:** 1 record (current or published version): `home` (page)\n") {
		t.Errorf("exit %d, stderr %q, review:\n%s", code, stderr, out)
	}
	if _, out, _ := runCmd(t, destroyPlan(id), env, "-no-records"); strings.Contains(out, "Used by") {
		t.Errorf("-no-records looked the records up:\n%s", out)
	}

	env["DATOCMS_API_TOKEN"] = "wrong-token-9c1e"
	code, out, stderr = runCmd(t, destroyPlan(id), env)
	if code != 0 || !strings.Contains(out, "the records could not be looked up") || strings.Contains(out+stderr, "9c1e") {
		t.Errorf("with a wrong token: exit %d, stderr %q, review:\n%s", code, stderr, out)
	}
}
