package provider

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// TestExamples checks that every example under examples/ is formatted and valid, as the
// documentation shows it: it builds the provider, points Terraform at it with dev_overrides
// (so no terraform init and no network), and runs terraform fmt -check and terraform
// validate on a copy of each example directory. Query files (.tfquery.hcl, list blocks for
// `terraform query`) are checked too (validate -query) by a CLI that has list resources;
// others leave them out, and skip a directory that holds nothing else.
func TestExamples(t *testing.T) {
	tfBin := requireTerraform(t)
	cli, err := cliUnderTest()
	if err != nil {
		t.Fatal(err)
	}
	queryFiles := cli.lacks(featureListResources) == ""
	root := repoRoot(t)
	dirs := exampleDirs(t, filepath.Join(root, "examples"))
	for _, want := range []string{"provider", "resources/datocms_upload", "list-resources/datocms_upload", "demo"} {
		if !slices.Contains(dirs, want) {
			t.Fatalf("examples/%s was not found among the example directories %q", want, dirs)
		}
	}
	pluginDir := providerBinary(t)
	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	writeFile(t, cliConfig, []byte(`provider_installation {
  dev_overrides {
    "assetform/datocms" = "`+filepath.ToSlash(pluginDir)+`"
  }
  direct {}
}
`))
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	)

	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			copyDir := filepath.Join(t.TempDir(), "example")
			if err := os.CopyFS(copyDir, os.DirFS(filepath.Join(root, "examples", filepath.FromSlash(dir)))); err != nil {
				t.Fatal(err)
			}
			terraform := func(args ...string) {
				t.Helper()
				cmd := exec.CommandContext(t.Context(), tfBin, args...)
				cmd.Dir, cmd.Env = copyDir, env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("examples/%s: terraform %s failed: %v\n%s", dir, strings.Join(args, " "), err, out)
				}
			}

			// An example of a newer feature (for_each on import blocks needs 1.7) says so in
			// its required_version.
			if major, minor, ok := requiredTerraform(t, copyDir); ok && !atLeastTerraform(t, tfBin, major, minor) {
				t.Skipf("examples/%s requires Terraform %d.%d or later", dir, major, minor)
			}
			// Query files need a CLI with list resources; older CLIs check the rest.
			validate := []string{"validate", "-no-color"}
			if queries := globFiles(t, copyDir, "*.tfquery.hcl"); len(queries) > 0 {
				switch {
				case queryFiles:
					validate = append(validate, "-query")
				case len(globFiles(t, copyDir, "*.tf")) == 0:
					t.Skipf("examples/%s holds only query files: %s", dir, cli.lacks(featureListResources))
				default:
					for _, f := range queries {
						if err := os.Remove(f); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			terraform("fmt", "-check", "-diff", "-recursive", "-no-color")
			// The import examples are alternatives, an import block by ID and one by identity
			// for the same address (two would be a duplicate import): the directory is
			// validated with the first, then with the second. Import blocks by identity need
			// Terraform 1.12; older versions validate the rest.
			byIdentity := filepath.Join(copyDir, "import-by-identity.tf")
			identityExample, err := os.ReadFile(byIdentity)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if err == nil {
				if err := os.Remove(byIdentity); err != nil {
					t.Fatal(err)
				}
			}
			// Resource examples leave out the terraform block, as the registry docs show them;
			// without it Terraform would look for hashicorp/datocms. Recipes are whole
			// configurations that users copy as they are, so they must declare it.
			if !declaresRequiredProviders(t, copyDir) {
				if strings.HasPrefix(dir, "recipes/") {
					t.Fatalf("examples/%s has no required_providers block: a recipe is copied as it is, so it declares assetform/datocms", dir)
				}
				writeFile(t, filepath.Join(copyDir, "zz_examples_test_providers.tf"), []byte(scenario.TerraformBlock))
			}
			terraform(validate...)
			if identityExample != nil && atLeastTerraform(t, tfBin, 1, 12) {
				if err := os.Remove(filepath.Join(copyDir, "import-by-string-id.tf")); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				writeFile(t, byIdentity, identityExample)
				terraform(validate...)
			}
		})
	}
}

// exampleDirs returns, relative to examples and slash-separated, every directory that
// holds .tf or .tfquery.hcl files.
func exampleDirs(t *testing.T, examples string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examples, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".tf" && !strings.HasSuffix(path, ".tfquery.hcl") {
			return err
		}
		rel, err := filepath.Rel(examples, filepath.Dir(path))
		if err != nil {
			return err
		}
		if rel = filepath.ToSlash(rel); !slices.Contains(dirs, rel) {
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// declaresRequiredProviders reports whether a .tf file directly in dir has a
// required_providers block.
func declaresRequiredProviders(t *testing.T, dir string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(content), "required_providers") {
			return true
		}
	}
	return false
}

var requiredVersionPattern = regexp.MustCompile(`required_version\s*=\s*">=\s*(\d+)\.(\d+)`)

// requiredTerraform returns the version a required_version = ">= major.minor..." in a .tf
// file directly in dir asks for.
func requiredTerraform(t *testing.T, dir string) (major, minor int, ok bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if m := requiredVersionPattern.FindStringSubmatch(string(readFile(t, f))); m != nil {
			major, _ = strconv.Atoi(m[1])
			minor, _ = strconv.Atoi(m[2])
			return major, minor, true
		}
	}
	return 0, 0, false
}

// atLeastTerraform reports whether the terraform binary is at least version major.minor.
func atLeastTerraform(t *testing.T, tfBin string, major, minor int) bool {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), tfBin, "version", "-json").Output()
	if err != nil {
		t.Fatalf("terraform version: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("terraform version -json: %v", err)
	}
	var gotMajor, gotMinor int
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &gotMajor, &gotMinor); err != nil {
		t.Fatalf("terraform version %q: %v", v.Version, err)
	}
	return gotMajor > major || gotMajor == major && gotMinor >= minor
}

// globFiles returns the files directly in dir whose names match pattern.
func globFiles(t *testing.T, dir, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return files
}
