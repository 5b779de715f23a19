package provider

// Tests of features that only some Terraform and OpenTofu versions have skip on the others,
// so that the whole suite passes on every CLI of `make test-matrix` (Terraform 1.5.7, the
// terraform on PATH, Terraform 1.15.9 and OpenTofu 1.12.6).
//
// A test that goes through terraform-plugin-testing declares what it needs with
// TerraformVersionChecks:
//
//	resource.Test(t, resource.TestCase{
//		TerraformVersionChecks: cliRequires(featureResourceIdentity),
//		...
//	})
//
// A test that runs the CLI itself (internal/scenario, dev_overrides) calls
// skipUnlessCLIHas(t, featureListResources) first. Either way the test is skipped, with a
// message naming the CLI and the feature, when the CLI under test lacks the feature.
//
// terraform-plugin-testing compares version numbers only, and OpenTofu reports its own
// version in the same field (`tofu version -json` says "terraform_version": "1.12.6"), so
// tfversion.SkipBelow(tfversion.Version1_14_0) alone would run a `terraform query` test on
// a future OpenTofu 1.14 that has no such command. These checks tell the two apart (by
// what `version` prints) and compare each with its own minimum version.
//
// Add a feature here when a test needs one; say in its comment what was checked.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// cliFeature is a CLI feature that some tests need, with the first version of each CLI
// that has it.
type cliFeature struct {
	name      string
	terraform *version.Version
	openTofu  *version.Version // nil: no OpenTofu version has it, as far as we know
}

var (
	// featureResourceIdentity is resource identity: identity schemas, identity in state,
	// import blocks by identity and ImportBlockWithResourceIdentity import test steps.
	// OpenTofu has it from 1.12.0 (opentofu/opentofu#3671). Checked with OpenTofu 1.12.6
	// and a terraform-plugin-framework v1.19.0 provider: an import block by identity
	// imports, and the identity is in the state and in `tofu show -json`, as with
	// Terraform 1.15.9; TestCLIFeatures probes the import block on every CLI.
	featureResourceIdentity = cliFeature{
		name:      "resource identity",
		terraform: tfversion.Version1_12_0,
		openTofu:  version.Must(version.NewVersion("1.12.0")),
	}

	// featureListResources is list resources: `terraform query`, .tfquery.hcl files, query
	// test steps (TestStep.Query) and `terraform query -generate-config-out`. No OpenTofu
	// release has them: OpenTofu 1.12.6 has no query command.
	featureListResources = cliFeature{
		name:      "list resources and terraform query",
		terraform: tfversion.Version1_14_0,
	}

	// featureRefreshOnlyExitCode is `terraform plan -refresh-only -detailed-exitcode` exiting
	// 0 when the refresh changed nothing. Terraform before 1.15.0 compared states with
	// reflect.DeepEqual and could exit 2 after saying "No changes" (hashicorp/terraform
	// 659d5e2218, "remove the use of reflect.DeepEqual for states"; #36403): seen with
	// Terraform 1.11.4 and this provider, not with 1.15.9. OpenTofu's refresh-only plans do
	// not exit 2 for drift at all (opentofu/opentofu#3107).
	featureRefreshOnlyExitCode = cliFeature{
		name:      "refresh-only detailed exit codes",
		terraform: version.Must(version.NewVersion("1.15.0")),
	}

	// featureWriteOnly is write-only attributes (content_wo): values Terraform sends from the
	// configuration and never stores. Terraform has them from 1.11.0, OpenTofu from 1.11.0;
	// TestCLIFeatures validates a configuration that sets one on every CLI.
	featureWriteOnly = cliFeature{
		name:      "write-only attributes",
		terraform: tfversion.Version1_11_0,
		openTofu:  version.Must(version.NewVersion("1.11.0")),
	}
)

// cliRequires returns the TerraformVersionChecks of a TestCase that needs feature.
func cliRequires(feature cliFeature) []tfversion.TerraformVersionCheck {
	return []tfversion.TerraformVersionCheck{featureCheck{feature: feature}}
}

// skipUnlessCLIHas skips a test that runs the CLI itself when the CLI lacks feature. Like
// requireTerraform, it fails under TF_ACC when there is no CLI at all.
func skipUnlessCLIHas(t *testing.T, feature cliFeature) {
	t.Helper()
	requireTerraform(t)
	cli, err := cliUnderTest()
	if err != nil {
		t.Fatal(err)
	}
	if reason := cli.lacks(feature); reason != "" {
		t.Skip(reason)
	}
}

// featureCheck is a tfversion.TerraformVersionCheck for one feature: it skips the test
// when the CLI that terraform-plugin-testing runs lacks the feature.
type featureCheck struct {
	feature cliFeature
}

func (c featureCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	cli, err := cliUnderTest()
	if err != nil {
		resp.Error = err
		return
	}
	if !cli.version.Equal(req.TerraformVersion) {
		resp.Error = fmt.Errorf("terraform-plugin-testing runs CLI version %s, but %s is %s %s: set TF_ACC_TERRAFORM_PATH (TF_ACC_TERRAFORM_VERSION is not supported by these checks)",
			req.TerraformVersion, cli.path, cli.name, cli.version)
		return
	}
	resp.Skip = cli.lacks(c.feature)
}

// testCLI is the CLI the tests run: its path, whether it is OpenTofu, and its version.
type testCLI struct {
	path     string
	openTofu bool
	version  *version.Version
	name     string // "Terraform" or "OpenTofu"
}

// lacks returns why the CLI lacks feature, or "" when it has it.
func (c testCLI) lacks(feature cliFeature) string {
	minimum := feature.terraform
	if c.openTofu {
		minimum = feature.openTofu
	}
	switch {
	case minimum == nil:
		return fmt.Sprintf("%s %s: no %s version is known to have %s: skipping test", c.name, c.version, c.name, feature.name)
	case c.version.Core().LessThan(minimum):
		return fmt.Sprintf("%s %s: %s needs %s %s or later: skipping test", c.name, c.version, feature.name, c.name, minimum)
	}
	return ""
}

var cliDetection struct {
	sync.Mutex
	byPath map[string]testCLI
}

// cliUnderTest finds the CLI as terraform-plugin-testing and internal/scenario do
// (TF_ACC_TERRAFORM_PATH, else terraform on PATH) and asks it what it is, once per path.
func cliUnderTest() (testCLI, error) {
	path, err := scenario.TerraformBinary()
	if err != nil {
		return testCLI{}, fmt.Errorf("no Terraform CLI (set TF_ACC_TERRAFORM_PATH or put terraform on PATH): %w", err)
	}
	cliDetection.Lock()
	defer cliDetection.Unlock()
	if cli, ok := cliDetection.byPath[path]; ok {
		return cli, nil
	}
	cli, err := detectCLI(path)
	if err != nil {
		return testCLI{}, err
	}
	if cliDetection.byPath == nil {
		cliDetection.byPath = map[string]testCLI{}
	}
	cliDetection.byPath[path] = cli
	return cli, nil
}

// detectCLI runs `version` and `version -json`: a line of the former names the product
// ("Terraform v1.15.9", "OpenTofu v1.12.6"), the latter gives the version.
func detectCLI(path string) (testCLI, error) {
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(context.Background(), path, args...)
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", path, strings.Join(args, " "), err)
		}
		return out, nil
	}
	text, err := run("version")
	if err != nil {
		return testCLI{}, err
	}
	js, err := run("version", "-json")
	if err != nil {
		return testCLI{}, err
	}
	var doc struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		// OpenTofu writes warnings about its CLI configuration on standard output.
		return testCLI{}, fmt.Errorf("%s version -json: %w (does TF_CLI_CONFIG_FILE name a file that does not exist?)\n%s", path, err, js)
	}
	v, err := version.NewVersion(doc.Version)
	if err != nil {
		return testCLI{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	for line := range strings.Lines(string(text)) {
		switch {
		case strings.HasPrefix(line, "Terraform v"):
			return testCLI{path: path, version: v, name: "Terraform"}, nil
		case strings.HasPrefix(line, "OpenTofu v"):
			return testCLI{path: path, version: v, name: "OpenTofu", openTofu: true}, nil
		}
	}
	return testCLI{}, fmt.Errorf("%s version names neither Terraform nor OpenTofu:\n%s", path, text)
}

// TestCLIFeatures checks the feature table above against the CLI under test, so that
// `make test-matrix` proves it on every CLI it runs: a CLI the table credits with a
// feature must have it, and one it does not must lack it. It also runs the checks the way
// terraform-plugin-testing runs them.
func TestCLIFeatures(t *testing.T) {
	t.Parallel()
	requireTerraform(t)
	cli, err := cliUnderTest()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		feature cliFeature
		probe   func(t *testing.T, cli testCLI) bool
	}{
		{featureResourceIdentity, probeImportByIdentity},
		{featureListResources, probeQueryCommand},
		{featureWriteOnly, probeWriteOnly},
	} {
		t.Run(tc.feature.name, func(t *testing.T) {
			t.Parallel()
			want := cli.lacks(tc.feature) == ""
			if got := tc.probe(t, cli); got != want {
				t.Errorf("%s %s: has %s = %v, but the feature table says %v", cli.name, cli.version, tc.feature.name, got, want)
			}
			var resp tfversion.CheckTerraformVersionResponse
			for _, check := range cliRequires(tc.feature) {
				check.CheckTerraformVersion(t.Context(), tfversion.CheckTerraformVersionRequest{TerraformVersion: cli.version}, &resp)
			}
			if resp.Error != nil || (resp.Skip == "") != want {
				t.Errorf("cliRequires: skip %q, error %v; want a skip: %v", resp.Skip, resp.Error, !want)
			}
			t.Logf("%s %s: %s: %v", cli.name, cli.version, tc.feature.name, want)
			if want {
				skipUnlessCLIHas(t, tc.feature) // must not skip
			}
		})
	}
}

// probeImportByIdentity reports whether the CLI accepts an identity in an import block
// (of terraform_data, which needs no provider installation). A CLI without resource
// identity rejects the argument; one with it accepts it (Terraform's validate) or asks
// the resource type for its identity schema (OpenTofu's).
func probeImportByIdentity(t *testing.T, cli testCLI) bool {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir+"/main.tf", []byte("import {\n  to = terraform_data.probe\n  identity = {\n    id = \"probe\"\n  }\n}\n\nresource \"terraform_data\" \"probe\" {}\n"))
	out, _ := runCLI(t, cli, dir, "validate", "-no-color")
	if strings.Contains(out, "Unsupported argument") && strings.Contains(out, `"identity"`) {
		return false
	}
	if !strings.Contains(out, "identity") && !strings.Contains(out, "Success!") {
		t.Fatalf("validate of an import block by identity: unexpected output:\n%s", out)
	}
	return true
}

// probeWriteOnly reports whether the CLI accepts a write-only argument: it validates a
// configuration that sets content_wo, with this provider (dev_overrides).
func probeWriteOnly(t *testing.T, cli testCLI) bool {
	t.Helper()
	dir := t.TempDir()
	ws, err := scenario.NewWorkspace(dir, providerBinary(t), "http://127.0.0.1:1", testToken)
	if err != nil {
		t.Fatal(err)
	}
	ws.Terraform = cli.path
	if err := ws.WriteConfig("resource \"datocms_upload\" \"probe\" {\n  content_wo = \"x\"\n  basename = \"x\"\n  extension = \"txt\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	res, err := ws.Run(t.Context(), "validate")
	if err != nil {
		t.Fatal(err)
	}
	out := res.Stdout + res.Stderr
	switch {
	case strings.Contains(out, "Success!"):
		return true
	case strings.Contains(out, "WriteOnly Attribute Not Allowed") && strings.Contains(out, "only supported in Terraform 1.11 and later"):
		return false
	}
	t.Fatalf("validate of content_wo: unexpected output:\n%s", out)
	return false
}

// probeQueryCommand reports whether the CLI has a query command.
func probeQueryCommand(t *testing.T, cli testCLI) bool {
	t.Helper()
	out, err := runCLI(t, cli, t.TempDir(), "query", "-help")
	if err != nil && !strings.Contains(out, `no command named "query"`) {
		t.Fatalf("query -help: %v\n%s", err, out)
	}
	return err == nil
}

func runCLI(t *testing.T, cli testCLI, dir string, args ...string) (string, error) {
	t.Helper()
	cliConfig := t.TempDir() + "/empty.tfrc"
	writeFile(t, cliConfig, nil)
	cmd := exec.CommandContext(t.Context(), cli.path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+cliConfig)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestCLIFeatureTable pins what the checks decide for the CLIs of `make test-matrix` and
// a few others, without running any.
func TestCLIFeatureTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		openTofu                          bool
		version                           string
		identity, listResource, writeOnly bool
	}{
		{false, "1.5.7", false, false, false},
		{false, "1.10.5", false, false, false},
		{false, "1.11.4", false, false, true},
		{false, "1.12.0", true, false, true},
		{false, "1.14.0-rc1", true, true, true},
		{false, "1.15.9", true, true, true},
		{true, "1.10.0", false, false, false},
		{true, "1.11.5", false, false, true},
		{true, "1.12.6", true, false, true},
		{true, "1.14.0", true, false, true}, // OpenTofu's 1.14 is not Terraform's
	} {
		cli := testCLI{openTofu: tc.openTofu, version: version.Must(version.NewVersion(tc.version)), name: "Terraform"}
		if tc.openTofu {
			cli.name = "OpenTofu"
		}
		for feature, want := range map[*cliFeature]bool{&featureResourceIdentity: tc.identity, &featureListResources: tc.listResource, &featureWriteOnly: tc.writeOnly} {
			if got := cli.lacks(*feature) == ""; got != want {
				t.Errorf("%s %s has %s: %v, want %v (%s)", cli.name, tc.version, feature.name, got, want, cli.lacks(*feature))
			}
		}
	}
}
