package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

const (
	// serveStubEnv makes the test binary serve stubServer as a provider plugin, so that
	// Terraform can export the hand-built schema. Terraform passes its environment on to
	// the plugins it starts.
	serveStubEnv = "SCHEMAJSON_SERVE_STUB"

	// fullTerraformEnv names a Terraform 1.14 or later to compare every section with; by
	// default ../shared/tools/terraform-1.15 beside the repository is used when present.
	fullTerraformEnv = "SCHEMAJSON_FULL_TERRAFORM_PATH"
)

func TestMain(m *testing.M) {
	if os.Getenv(serveStubEnv) != "" {
		err := tf6server.Serve(defaultAddress, func() tfprotov6.ProviderServer { return stubServer{} })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestMatchesTerraform exports the schema both ways, with this package and with
// `terraform init -plugin-dir` and `terraform providers schema -json` as tfplugindocs
// does, and compares the two documents: for this provider and for the hand-built schema
// (served by this test binary), which has resource identity, list resources and every
// other section.
//
// It runs with the Terraform of TF_ACC_TERRAFORM_PATH or PATH, comparing the sections and
// fields that version writes, and with a Terraform 1.14 or later (SCHEMAJSON_FULL_TERRAFORM_PATH,
// by default ../shared/tools/terraform-1.15 beside the repository), comparing everything
// that version writes: resource identity and list resources included. Each is skipped,
// with a message, when absent; under TF_ACC=1 a missing installed Terraform is an error,
// as in the provider's tests.
func TestMatchesTerraform(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}

	var terraforms []string
	installed, err := installedTerraform()
	switch {
	case err == nil && isOpenTofu(t.Context(), installed):
		t.Logf("skipping the comparison with the installed CLI: %s is OpenTofu", installed)
		installed = ""
	case err == nil:
		terraforms = append(terraforms, installed)
	case os.Getenv("TF_ACC") != "":
		t.Errorf("%v (set TF_ACC_TERRAFORM_PATH or install Terraform >= 1.5)", err)
	default:
		t.Logf("skipping the comparison with the installed Terraform: %v", err)
	}
	full, err := fullTerraform(t.Context(), root)
	switch {
	case err != nil:
		t.Error(err)
	case full == "":
		t.Logf("skipping the comparison of every section: no Terraform 1.14 or later (set %s)", fullTerraformEnv)
	case full != installed:
		terraforms = append(terraforms, full)
	}
	if len(terraforms) == 0 {
		t.Skip("no Terraform to compare with")
	}

	work := t.TempDir()
	// The provider, built as tfplugindocs builds it.
	datocmsPlugin := filepath.Join(work, "datocms", exeName("terraform-provider-datocms"))
	build := exec.CommandContext(t.Context(), "go", "build", "-o", datocmsPlugin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the provider failed: %v\n%s", err, out)
	}
	datocmsSchema, err := export(t.Context(), datocmsServer(), defaultAddress)
	if err != nil {
		t.Fatal(err)
	}
	// The hand-built schema, served by a copy of this test binary.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	stubPlugin := filepath.Join(work, "stub", exeName("terraform-provider-datocms"))
	copyFile(t, self, stubPlugin)
	stubSchema, err := export(t.Context(), stubServer{}, defaultAddress)
	if err != nil {
		t.Fatal(err)
	}

	for _, tf := range terraforms {
		version := terraformVersion(t, tf)
		for _, p := range []struct {
			name, plugin string
			ours         []byte
		}{
			{"datocms", datocmsPlugin, datocmsSchema},
			{"handbuilt", stubPlugin, stubSchema},
		} {
			t.Run(fmt.Sprintf("terraform_%d.%d.%d/%s", version[0], version[1], version[2], p.name), func(t *testing.T) {
				theirs := terraformSchema(t, tf, p.plugin)
				ours := parseJSON(t, p.ours)
				if dropped := dropUnknownToTerraform(ours, version); len(dropped) > 0 {
					t.Logf("not compared, as Terraform %d.%d writes no %s", version[0], version[1], strings.Join(dropped, ", "))
				}
				if diff := cmp.Diff(parseJSON(t, theirs), ours); diff != "" {
					t.Errorf("schemajson's document differs from Terraform's (-terraform +schemajson):\n%s", diff)
				}
			})
		}
	}
}

func installedTerraform() (string, error) {
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return filepath.Abs(tf)
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("terraform is not on PATH: %w", err)
	}
	return filepath.Abs(tf)
}

// fullTerraform returns the Terraform (1.14 or later) to compare every section with, ""
// when there is none. A Terraform named by SCHEMAJSON_FULL_TERRAFORM_PATH must exist and
// be recent enough.
func fullTerraform(ctx context.Context, root string) (string, error) {
	tf := os.Getenv(fullTerraformEnv)
	if tf == "" {
		tf = filepath.Join(root, "..", "shared", "tools", "terraform-1.15")
		if _, err := os.Stat(tf); errors.Is(err, fs.ErrNotExist) {
			return "", nil // a clone of the repository without ../shared/tools
		}
	}
	tf, err := filepath.Abs(tf)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(tf); err != nil {
		return "", fmt.Errorf("%s: %w", fullTerraformEnv, err)
	}
	out, err := exec.CommandContext(ctx, tf, "version", "-json").Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", tf, err)
	}
	v, err := parseTerraformVersion(out)
	if err != nil {
		return "", fmt.Errorf("%s version: %w", tf, err)
	}
	if !atLeast(v, 1, 14) {
		return "", fmt.Errorf("%s is Terraform %d.%d.%d; comparing every section needs Terraform 1.14 or later", tf, v[0], v[1], v[2])
	}
	return tf, nil
}

func terraformVersion(t *testing.T, tf string) [3]int {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), tf, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	v, err := parseTerraformVersion(out)
	if err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	return v
}

func parseTerraformVersion(out []byte) ([3]int, error) {
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return [3]int{}, err
	}
	var parsed [3]int
	parts := strings.SplitN(v.Version, ".", 3)
	if len(parts) != 3 {
		return parsed, fmt.Errorf("unexpected version %q", v.Version)
	}
	for i, p := range parts {
		p, _, _ = strings.Cut(p, "-") // 1.14.0-beta1
		n, err := strconv.Atoi(p)
		if err != nil {
			return parsed, fmt.Errorf("unexpected version %q", v.Version)
		}
		parsed[i] = n
	}
	return parsed, nil
}

func atLeast(v [3]int, major, minor int) bool {
	return v[0] > major || (v[0] == major && v[1] >= minor)
}

// terraformSchema runs `terraform providers schema -json` on a configuration that uses
// plugin as registry.terraform.io/hashicorp/datocms, installed with terraform init
// -plugin-dir as tfplugindocs and the former make docs-check did. Terraform runs with an
// empty CLI configuration and without the caller's other TF_* variables.
func terraformSchema(t *testing.T, tf, plugin string) []byte {
	t.Helper()
	dir := t.TempDir()
	platform := runtime.GOOS + "_" + runtime.GOARCH
	copyFile(t, plugin, filepath.Join(dir, "plugins", "registry.terraform.io", "hashicorp", "datocms", "0.0.1", platform, filepath.Base(plugin)))
	writeFile(t, filepath.Join(dir, "provider.tf"), "provider \"datocms\" {}\n")
	cliConfig := filepath.Join(t.TempDir(), "empty.tfrc")
	writeFile(t, cliConfig, "")

	env := []string{"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1", serveStubEnv + "=1"}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "TF_") && name != "TERRAFORM_CONFIG" && name != "CHECKPOINT_DISABLE" && name != serveStubEnv {
			env = append(env, kv)
		}
	}
	run := func(args ...string) []byte {
		cmd := exec.CommandContext(t.Context(), tf, args...)
		cmd.Dir = dir
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
		}
		return out
	}
	run("init", "-input=false", "-backend=false", "-plugin-dir=plugins")
	return run("providers", "schema", "-json")
}

// dropUnknownToTerraform removes from doc (a parsed schema document) the sections and
// fields that Terraform version does not write, and returns their names.
func dropUnknownToTerraform(doc any, version [3]int) []string {
	var dropped []string
	drop := func(m map[string]any, key string) {
		if _, ok := m[key]; ok {
			delete(m, key)
			if !slices.Contains(dropped, key) {
				dropped = append(dropped, key)
			}
		}
	}
	sections := []struct {
		key          string
		major, minor int
	}{
		{"functions", 1, 8},
		{"ephemeral_resource_schemas", 1, 10},
		{"resource_identity_schemas", 1, 12},
		{"list_resource_schemas", 1, 14},
		{"action_schemas", 1, 14},
		{"state_store_schemas", 1, 15},
	}
	fields := []struct {
		key          string
		major, minor int
	}{
		{"write_only", 1, 11},
		{"deprecation_message", 1, 15}, // of attributes and blocks; functions have had one from the start
	}

	var walkBlock func(b map[string]any)
	var walkAttributes func(attrs map[string]any)
	walkAttributes = func(attrs map[string]any) {
		for _, a := range attrs {
			a, _ := a.(map[string]any)
			for _, f := range fields {
				if !atLeast(version, f.major, f.minor) {
					drop(a, f.key)
				}
			}
			if nt, ok := a["nested_type"].(map[string]any); ok {
				nested, _ := nt["attributes"].(map[string]any)
				walkAttributes(nested)
			}
		}
	}
	walkBlock = func(b map[string]any) {
		for _, f := range fields {
			if !atLeast(version, f.major, f.minor) {
				drop(b, f.key)
			}
		}
		attrs, _ := b["attributes"].(map[string]any)
		walkAttributes(attrs)
		blockTypes, _ := b["block_types"].(map[string]any)
		for _, bt := range blockTypes {
			bt, _ := bt.(map[string]any)
			nested, _ := bt["block"].(map[string]any)
			walkBlock(nested)
		}
	}

	root, _ := doc.(map[string]any)
	providers, _ := root["provider_schemas"].(map[string]any)
	for _, p := range providers {
		p, _ := p.(map[string]any)
		for _, s := range sections {
			if !atLeast(version, s.major, s.minor) {
				drop(p, s.key)
			}
		}
		for key, section := range p {
			if key == "functions" || key == "resource_identity_schemas" {
				continue
			}
			if key == "provider" {
				section = map[string]any{"": section}
			}
			schemas, _ := section.(map[string]any)
			for _, s := range schemas {
				s, _ := s.(map[string]any)
				b, _ := s["block"].(map[string]any)
				walkBlock(b)
			}
		}
	}
	return dropped
}

func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
