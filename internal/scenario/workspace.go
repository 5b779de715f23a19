// Package scenario drives the real terraform binary against a locally built provider
// binary, as users run them: a working directory with its own CLI configuration
// (dev_overrides, so no terraform init and no network) and its own cache directory. The
// crash-recovery tests, `make chaos` and `make bench-scale` share it.
//
// It knows nothing of the provider's internals: it builds the binary, writes files and
// runs terraform commands, so what it measures and checks is what a user would see.
package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// TerraformBinary returns the terraform CLI to run: TF_ACC_TERRAFORM_PATH when set (as
// terraform-plugin-testing uses it), else terraform on PATH.
func TerraformBinary() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p, nil
	}
	return exec.LookPath("terraform")
}

// BuildProvider builds the provider from the repository at root into dir and returns the
// directory that dev_overrides must name.
func BuildProvider(ctx context.Context, root, dir string) (string, error) {
	name := "terraform-provider-datocms"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, name), ".") //nolint:gosec // G204: building the provider is the point
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build of the provider: %w\n%s", err, out)
	}
	return dir, nil
}

// Workspace is a Terraform working directory wired to a provider build and an API server.
type Workspace struct {
	Dir       string
	Terraform string
	Env       []string // full environment of every command
}

// NewWorkspace prepares dir: a CLI configuration whose dev_overrides point assetform/datocms
// at providerDir, the DATOCMS_* variables for baseURL and token, and a cache directory of
// its own (the provider keeps file hashes and its create journal there). extraEnv entries
// (KEY=value) are appended.
func NewWorkspace(dir, providerDir, baseURL, token string, extraEnv ...string) (*Workspace, error) {
	tf, err := TerraformBinary()
	if err != nil {
		return nil, fmt.Errorf("terraform CLI not found (set TF_ACC_TERRAFORM_PATH or put terraform on PATH): %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".cache"), 0o750); err != nil {
		return nil, err
	}
	rc := filepath.Join(dir, ".terraformrc")
	cfg := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"assetform/datocms\" = %q\n  }\n  direct {}\n}\n", filepath.ToSlash(providerDir))
	if err := os.WriteFile(rc, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"DATOCMS_BASE_URL="+baseURL,
		"DATOCMS_API_TOKEN="+token,
		"XDG_CACHE_HOME="+filepath.Join(dir, ".cache"),
	)
	return &Workspace{Dir: dir, Terraform: tf, Env: append(env, extraEnv...)}, nil
}

// With returns the workspace with env entries (KEY=value) added to every command's
// environment (later entries win); the workspace itself is left as it is.
func (w *Workspace) With(env ...string) *Workspace {
	c := *w
	c.Env = append(slices.Clone(w.Env), env...)
	return &c
}

// TerraformBlock declares this provider (assetform/datocms); every workspace configuration
// starts with it. The provider block may be left out: a workspace configures the provider
// through the environment.
const TerraformBlock = "terraform {\n  required_providers {\n    datocms = { source = \"assetform/datocms\" }\n  }\n}\n"

// WriteConfig writes the workspace's main.tf: TerraformBlock, then body.
func (w *Workspace) WriteConfig(body string) error {
	return w.Write("main.tf", []byte(TerraformBlock+body))
}

// Write writes a file of the workspace (directories are created).
func (w *Workspace) Write(name string, content []byte) error {
	path := filepath.Join(w.Dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	return os.WriteFile(path, content, 0o600)
}

// Command prepares a terraform command in the workspace. It runs in its own process group,
// so Kill can stop terraform alone while KillGroup also stops the providers it started.
func (w *Workspace) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.Terraform, append(args, "-no-color")...) //nolint:gosec // G204: running terraform is the point
	cmd.Dir, cmd.Env = w.Dir, w.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// Result is what a finished terraform command printed and how it ended.
type Result struct {
	Args     []string
	Stdout   string
	Stderr   string
	ExitCode int
	Duration time.Duration
}

func (r Result) String() string {
	return fmt.Sprintf("terraform %s: exit %d\n%s%s", strings.Join(r.Args, " "), r.ExitCode, r.Stdout, r.Stderr)
}

// Run runs a terraform command to its end. Only a failure to start it is an error; the
// exit code is in the result.
func (w *Workspace) Run(ctx context.Context, args ...string) (Result, error) {
	cmd := w.Command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String(), Duration: time.Since(start)}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	case err != nil:
		return res, err
	}
	return res, nil
}

// Apply runs terraform apply -auto-approve.
func (w *Workspace) Apply(ctx context.Context, args ...string) (Result, error) {
	return w.Run(ctx, append([]string{"apply", "-auto-approve", "-input=false"}, args...)...)
}

// PlanIsEmpty runs terraform plan -detailed-exitcode and reports whether it had no changes.
func (w *Workspace) PlanIsEmpty(ctx context.Context) (bool, Result, error) {
	res, err := w.Run(ctx, "plan", "-detailed-exitcode", "-input=false")
	if err != nil {
		return false, res, err
	}
	switch res.ExitCode {
	case 0:
		return true, res, nil
	case 2:
		return false, res, nil
	}
	return false, res, fmt.Errorf("terraform plan failed: %s", res)
}

// StateValues returns the attributes of every resource of type typ in the state, by address.
func (w *Workspace) StateValues(ctx context.Context, typ string) (map[string]map[string]any, error) {
	res, err := w.Run(ctx, "show", "-json")
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("terraform show: %s", diagnostics(res))
	}
	var doc struct {
		Values *struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Type    string         `json:"type"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	out := map[string]map[string]any{}
	if doc.Values != nil {
		for _, r := range doc.Values.RootModule.Resources {
			if r.Type == typ {
				out[r.Address] = r.Values
			}
		}
	}
	return out, nil
}

// StateIDs returns the id attribute of every resource of type typ in the state, by address.
func (w *Workspace) StateIDs(ctx context.Context, typ string) (map[string]string, error) {
	values, err := w.StateValues(ctx, typ)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]string, len(values))
	for address, v := range values {
		ids[address], _ = v["id"].(string)
	}
	return ids, nil
}

// KillGroup kills a command started with Command and every process of its group (the
// providers terraform started), and waits for the command.
func KillGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
}
