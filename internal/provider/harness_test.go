package provider

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// TestMain gives the in-process provider of the acceptance tests a cache directory of its
// own (file hashes, create journal), so tests never touch the user's and start clean.
func TestMain(m *testing.M) {
	// The go command finds its build cache through XDG_CACHE_HOME when GOCACHE is unset: pin
	// it first, or providerBinary builds every dependency again from scratch (minutes on a
	// loaded 2-core machine).
	if out, err := exec.CommandContext(context.Background(), "go", "env", "GOCACHE").Output(); err == nil {
		os.Setenv("GOCACHE", strings.TrimSpace(string(out)))
	}
	dir, err := os.MkdirTemp("", "provider-test-cache-*")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	if empty := emptyDirs(filepath.Join(dir, cachedir.Name)); len(empty) > 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "the provider left empty directories in its cache directory: %v\n", empty)
		code = 1
	}
	os.RemoveAll(dir)
	if providerBuild.dir != "" {
		os.RemoveAll(providerBuild.dir)
	}
	os.Exit(code)
}

// emptyDirs lists the empty directories under root (root included).
func emptyDirs(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if entries, err := os.ReadDir(path); err == nil && len(entries) == 0 {
				out = append(out, path)
			}
		}
		return nil
	})
	return out
}

var providerBuild struct {
	once sync.Once
	dir  string
	err  error
}

// providerBinary builds the provider binary once per test run, for the tests that run
// terraform directly (dev_overrides) instead of through terraform-plugin-testing, and
// returns the directory holding it.
func providerBinary(t *testing.T) string {
	t.Helper()
	requireTerraform(t)
	providerBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "provider-test-bin-*") //nolint:usetesting // shared by every test of the run, so not one test's TempDir
		if err != nil {
			providerBuild.err = err
			return
		}
		providerBuild.dir, providerBuild.err = scenario.BuildProvider(context.Background(), repoRoot(t), dir)
	})
	if providerBuild.err != nil {
		t.Fatal(providerBuild.err)
	}
	return providerBuild.dir
}

// cliWorkspace is a workspace where the real terraform binary runs this provider against srv
// (dev_overrides, no terraform init), for what terraform-plugin-testing cannot show: plan
// warnings, generated configuration, terraform query.
func cliWorkspace(t *testing.T, srv *datocmstest.Server) *scenario.Workspace {
	t.Helper()
	ws, err := scenario.NewWorkspace(t.TempDir(), providerBinary(t), srv.URL(), testToken)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// requireTerraform skips a test that needs the Terraform CLI when there is none, unless
// acceptance tests were asked for (TF_ACC), where a missing CLI is a failure.
func requireTerraform(t *testing.T) string {
	t.Helper()
	tf, err := scenario.TerraformBinary()
	if err != nil {
		if os.Getenv("TF_ACC") != "" {
			t.Fatal("terraform is not on PATH (set TF_ACC_TERRAFORM_PATH or install Terraform >= 1.5)")
		}
		t.Skip("terraform is not on PATH; this test needs the Terraform CLI")
	}
	return tf
}
