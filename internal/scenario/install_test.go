package scenario

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// TestInstall_terraformInitFindsIt installs the provider as the README says (make install,
// with a fresh HOME: only Go's own caches are passed on, so nothing is fetched), then uses
// it as any provider: a configuration with a version constraint, terraform init (a lock file
// with an h1: hash), plan and apply against the local API server, with no CLI configuration
// and so no dev_overrides warning. On the terraform on PATH, and on Terraform 1.15 when
// ../shared/tools has it.
func TestInstall_terraformInitFindsIt(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	clis := map[string]string{}
	if tf, err := TerraformBinary(); err == nil {
		clis["terraform on PATH"] = tf
	} else if os.Getenv("TF_ACC") != "" {
		t.Fatal("terraform is not on PATH")
	} else {
		t.Skip("terraform is not on PATH")
	}
	if newer := filepath.Join(root, "..", "shared", "tools", "terraform-1.15"); fileExists(newer) {
		clis["terraform 1.15"] = newer
	} else {
		t.Log("../shared/tools/terraform-1.15 not found: the install is tried with the terraform on PATH only")
	}

	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	for _, name := range []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN"} {
		out, err := exec.CommandContext(t.Context(), "go", "env", name).Output() //nolint:gosec // go env of fixed names
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, name+"="+strings.TrimSpace(string(out)))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, "make", "install")
	install.Dir, install.Env = root, env
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	versions, err := os.ReadDir(filepath.Join(home, ".terraform.d", "plugins", "registry.terraform.io", "assetform", "datocms"))
	if err != nil || len(versions) != 1 || !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(versions[0].Name()) {
		t.Fatalf("make install did not put one plain release version in ~/.terraform.d/plugins: %v %v", versions, err)
	}
	version := versions[0].Name()
	if !strings.Contains(string(mustRead(t, filepath.Join(root, "CHANGELOG.md"))), "## "+version+" ") {
		t.Errorf("version %s is not a release heading of CHANGELOG.md", version)
	}
	major, minor, _ := strings.Cut(version, ".")
	minor, _, _ = strings.Cut(minor, ".")

	for name, tf := range clis {
		t.Run(name, func(t *testing.T) {
			srv := datocmstest.NewServer(t, datocmstest.WithJobDelay(50*time.Millisecond))
			ws := &Workspace{Dir: t.TempDir(), Terraform: tf, Env: append(append([]string(nil), env...),
				"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "DATOCMS_BASE_URL="+srv.URL(), "DATOCMS_API_TOKEN=install-test",
				"XDG_CACHE_HOME="+filepath.Join(home, ".cache"))}
			config := "terraform {\n  required_providers {\n    datocms = {\n      source  = \"assetform/datocms\"\n" +
				"      version = \"~> " + major + "." + minor + "\"\n    }\n  }\n}\n\n" +
				"resource \"datocms_upload\" \"robots\" {\n  content   = \"User-agent: *\\n\"\n  basename  = \"robots\"\n  extension = \"txt\"\n}\n"
			if err := ws.Write("main.tf", []byte(config)); err != nil {
				t.Fatal(err)
			}
			res, err := ws.Run(ctx, "init", "-input=false")
			if err != nil || res.ExitCode != 0 {
				t.Fatalf("terraform init: %v\n%s", err, res)
			}
			if !strings.Contains(res.Stdout, "Installed assetform/datocms v"+version) {
				t.Errorf("terraform init did not install version %s:\n%s", version, res)
			}
			lock, err := os.ReadFile(filepath.Join(ws.Dir, ".terraform.lock.hcl"))
			if err != nil || !strings.Contains(string(lock), `"registry.terraform.io/assetform/datocms"`) ||
				!strings.Contains(string(lock), `version     = "`+version+`"`) || !strings.Contains(string(lock), `"h1:`) {
				t.Errorf("lock file (%v):\n%s", err, lock)
			}
			for _, args := range [][]string{{"plan", "-input=false"}, {"apply", "-auto-approve", "-input=false"}} {
				res, err := ws.Run(ctx, args...)
				if err != nil || res.ExitCode != 0 {
					t.Fatalf("terraform %s: %v\n%s", args[0], err, res)
				}
				if out := res.Stdout + res.Stderr; strings.Contains(out, "Warning:") {
					t.Errorf("terraform %s warns:\n%s", args[0], out)
				}
			}
			if n := len(srv.Uploads("")); n != 1 {
				t.Errorf("%d uploads after the apply, want 1", n)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path) //nolint:gosec // a file of the repository
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
