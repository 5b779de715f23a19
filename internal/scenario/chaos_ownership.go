package scenario

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The ownership scenarios (issue 17): two configurations of the same user that upload the
// same file, one after the other, with the one cache directory (and so the one create
// journal) they share on a developer's machine or a CI runner. Each must end with an upload
// of its own: nothing adopted from the other, no metadata of the other's overwritten, and a
// destroy of one never deleting the other's upload.

// SharedSourceModules applies two root modules, in different directories, whose uploads
// come from the same file (inline: the same content and basename).
func SharedSourceModules(inline bool) Scenario {
	what := "the same absolute source"
	if inline {
		what = "the same inline content and basename"
	}
	return Scenario{
		Name: "two root modules with " + what,
		Run: func(ctx context.Context, r *Run) error {
			shared := filepath.Join(filepath.Dir(r.Dir), "shared", "logo.txt")
			if err := os.MkdirAll(filepath.Dir(shared), 0o750); err != nil {
				return err
			}
			if err := os.WriteFile(shared, []byte("the brand logo\n"), 0o600); err != nil {
				return err
			}
			body := fmt.Sprintf("  source = %q\n", shared)
			if inline {
				body = "  content   = \"the brand logo\\n\"\n  basename  = \"logo\"\n  extension = \"txt\"\n"
			}
			config := func(author string) string {
				return TerraformBlock + fmt.Sprintf("\nresource \"datocms_upload\" \"logo\" {\n%s  author = %q\n}\n", body, author)
			}
			other, err := r.SecondRootModule("b")
			if err != nil {
				return err
			}
			return twoOwners(ctx, r, r.Workspace, other, config("Module A"), config("Module B"))
		},
	}
}

// WorkspacePreview applies the same root module in the default workspace and in a new one.
func WorkspacePreview() Scenario {
	return Scenario{
		Name: "terraform workspace new preview, then apply",
		Run: func(ctx context.Context, r *Run) error {
			if err := r.Write("files/logo.txt", []byte("the brand logo\n")); err != nil {
				return err
			}
			config := TerraformBlock + "\nresource \"datocms_upload\" \"logo\" {\n  source = \"${path.module}/files/logo.txt\"\n  author = \"${terraform.workspace}\"\n}\n"
			// The same directory: `terraform workspace new` records the workspace in
			// .terraform/environment, which every later command of the directory reads.
			preview := *r.Workspace
			return twoOwners(ctx, r, r.Workspace, &preview, config, config, "workspace", "new", "preview")
		},
	}
}

// twoOwners applies a with configA, then b with configB (after running switchArgs in b, if
// any), and checks that each has an upload of its own, that b adopted nothing and changed
// nothing of a's, and that destroying b deletes b's upload only. a's state stays for the
// measurement; b is destroyed at the end.
func twoOwners(ctx context.Context, r *Run, a, b *Workspace, configA, configB string, switchArgs ...string) error {
	if err := a.Write("main.tf", []byte(configA)); err != nil {
		return err
	}
	if _, err := r.MustApplyIn(ctx, a); err != nil {
		return err
	}
	idsA, err := a.StateIDs(ctx, "datocms_upload")
	if err != nil {
		return err
	}
	if len(switchArgs) > 0 {
		if err := runOK(ctx, b, "terraform "+strings.Join(switchArgs, " "), switchArgs...); err != nil {
			return err
		}
	}
	if err := b.Write("main.tf", []byte(configB)); err != nil {
		return err
	}
	res, err := r.MustApplyIn(ctx, b)
	if err != nil {
		return err
	}
	if out := unwrap(res.Stdout + res.Stderr); strings.Contains(out, "Adopted an upload") || strings.Contains(out, "will be adopted") {
		return fmt.Errorf("the second configuration's apply speaks of adopting: %s", diagnostics(res))
	}
	idsB, err := b.StateIDs(ctx, "datocms_upload")
	if err != nil {
		return err
	}
	a1, b1 := idsA["datocms_upload.logo"], idsB["datocms_upload.logo"]
	if a1 == "" || b1 == "" || a1 == b1 {
		return fmt.Errorf("the two configurations hold uploads %q and %q: want one each", a1, b1)
	}
	ups, err := r.Admin.Uploads(ctx)
	if err != nil {
		return err
	}
	if len(ups) != 2 {
		return fmt.Errorf("the server holds %d uploads, want 2 (one per configuration)", len(ups))
	}
	if err := r.Admin.ClearRequests(ctx); err != nil {
		return err
	}
	if err := runOK(ctx, b, "terraform destroy of the second configuration", "destroy", "-auto-approve", "-input=false"); err != nil {
		return err
	}
	reqs, err := r.Admin.Requests(ctx)
	if err != nil {
		return err
	}
	deletes := 0
	for _, q := range reqs {
		if q.Method == "DELETE" {
			deletes++
			if strings.HasSuffix(q.Path, "/"+a1) {
				return fmt.Errorf("destroying the second configuration sent DELETE %s: the first configuration's upload", q.Path)
			}
		}
	}
	if deletes != 1 {
		return fmt.Errorf("destroying the second configuration sent %d DELETEs, want 1", deletes)
	}
	if len(switchArgs) > 0 {
		if err := runOK(ctx, b, "terraform workspace select default", "workspace", "select", "default"); err != nil {
			return err
		}
	}
	r.Note("one upload each (%s, %s); the second destroy deleted its own only", a1, b1)
	return nil
}

// runOK runs terraform with args in ws and expects exit code 0; what names the command in
// the error, which carries terraform's diagnostics.
func runOK(ctx context.Context, ws *Workspace, what string, args ...string) error {
	res, err := ws.Run(ctx, args...)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case res.ExitCode != 0:
		return fmt.Errorf("%s: exit %d: %s", what, res.ExitCode, diagnostics(res))
	}
	return nil
}

// SecondRootModule makes another root module beside the run's, with the same environment:
// the same provider, API and cache directory (as two checkouts of one user share it).
func (r *Run) SecondRootModule(name string) (*Workspace, error) {
	dir := filepath.Join(filepath.Dir(r.Dir), name)
	return &Workspace{Dir: dir, Terraform: r.Terraform, Env: r.Env}, os.MkdirAll(dir, 0o750)
}

// MustApplyIn runs terraform apply in ws and expects it to succeed.
func (r *Run) MustApplyIn(ctx context.Context, ws *Workspace) (Result, error) {
	res, err := ws.Apply(ctx)
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("terraform apply in %s failed: %s", filepath.Base(ws.Dir), diagnostics(res))
	}
	return res, err
}
