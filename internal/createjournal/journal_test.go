//go:build unix

package createjournal

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
)

func openJournal(t *testing.T) (*Journal, string) {
	t.Helper()
	base := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(base, 0o700); err != nil {
		t.Fatal(err)
	}
	root, err := cachedir.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	return Open(root), base
}

// ended is a process that has ended: a child that ran and was waited for.
func ended(t *testing.T) Process {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := processOf(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProcess_Gone(t *testing.T) {
	t.Parallel()
	me := processOf(os.Getpid())
	if me.Gone() {
		t.Errorf("this process reads as gone: %+v", me)
	}
	if !ended(t).Gone() {
		t.Errorf("an ended process reads as running")
	}
	if me.Start != 0 {
		reused := me
		reused.Start++
		if !reused.Gone() {
			t.Errorf("a PID reused by a process that started at another time reads as the same process")
		}
	}
	if me.Boot != "" {
		rebooted := me
		rebooted.Boot = "another-boot"
		if !rebooted.Gone() {
			t.Errorf("a process of another boot reads as running")
		}
	}
	if (Process{}).Gone() {
		t.Errorf("an unknown process reads as gone")
	}
}

func TestJournal_lifecycle(t *testing.T) {
	t.Parallel()
	j, base := openJournal(t)
	owner := Owner{Dir: "/repo/a", Workspace: "default", Machine: "m1"}
	gone := ended(t)
	e := Entry{UploadID: "u1", Key: "/repo/a/logo.png", MD5: "abc", Owner: owner, Terraform: gone, Stage: Started, CreatedAt: time.Now()}
	if err := j.Record("s", e); err != nil {
		t.Fatal(err)
	}
	if got := j.Adoptable("s", owner, e.Key, e.MD5); len(got) != 1 || got[0].UploadID != "u1" {
		t.Fatalf("Adoptable = %+v, want the started entry of a gone terraform", got)
	}
	for what, o := range map[string]Owner{
		"another root module": {Dir: "/repo/b", Workspace: "default", Machine: "m1"},
		"another workspace":   {Dir: "/repo/a", Workspace: "preview", Machine: "m1"},
		"another machine":     {Dir: "/repo/a", Workspace: "default", Machine: "m2"},
	} {
		if got := j.Adoptable("s", o, e.Key, e.MD5); len(got) != 0 {
			t.Errorf("%s may adopt another configuration's upload: %+v", what, got)
		}
	}
	if got := j.Adoptable("s", owner, e.Key, "other-md5"); len(got) != 0 {
		t.Errorf("other content adopts: %+v", got)
	}

	running := e
	running.UploadID, running.Terraform = "u2", processOf(os.Getpid())
	if err := j.Record("s", running); err != nil {
		t.Fatal(err)
	}
	if got := j.Adoptable("s", owner, e.Key, e.MD5); len(got) != 1 {
		t.Errorf("the entry of a running terraform is adoptable: %+v", got)
	}

	if err := j.MarkReturned("s", "u1"); err != nil {
		t.Fatal(err)
	}
	if got := j.Adoptable("s", owner, e.Key, e.MD5); len(got) != 0 {
		t.Errorf("a create that returned is adoptable: %+v", got)
	}
	if got := j.Unseen("s", owner, e.Key, e.MD5); len(got) != 1 || got[0].UploadID != "u1" {
		t.Errorf("Unseen = %+v, want the returned entry", got)
	}
	if !j.Forget("s", "u1") || j.Forget("s", "u1") {
		t.Errorf("Forget is not exclusive")
	}
	if !j.Forget("s", "u2") {
		t.Errorf("Forget u2")
	}
	if _, err := os.Stat(filepath.Join(base, cachedir.Name)); !os.IsNotExist(err) {
		t.Errorf("forgetting the last entry left directories behind: %v", err)
	}
}

func TestJournal_expiresAndIgnoresWhatOthersCouldWrite(t *testing.T) {
	t.Parallel()
	j, base := openJournal(t)
	owner := Owner{Dir: "/repo", Workspace: "default", Machine: "m"}
	e := Entry{UploadID: "old", Key: "k", MD5: "m", Owner: owner, Terraform: ended(t), Stage: Started, CreatedAt: time.Now().Add(-MaxAge - time.Hour)}
	if err := j.Record("s", e); err != nil {
		t.Fatal(err)
	}
	if got := j.Adoptable("s", owner, "k", "m"); len(got) != 0 {
		t.Errorf("an expired entry is adoptable: %+v", got)
	}
	if _, err := os.Stat(filepath.Join(base, cachedir.Name, dirName, "s", "old.json")); !os.IsNotExist(err) {
		t.Errorf("the expired entry was not removed: %v", err)
	}

	planted := e
	planted.UploadID, planted.CreatedAt = "planted", time.Now()
	if err := j.Record("s", planted); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(base, cachedir.Name, dirName, "s", "planted.json")
	if err := os.Chmod(name, 0o666); err != nil {
		t.Fatal(err)
	}
	if got := j.Adoptable("s", owner, "k", "m"); len(got) != 0 {
		t.Errorf("an entry others could write is adoptable: %+v", got)
	}
	if err := os.Chmod(name, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(name, filepath.Join(filepath.Dir(name), "renamed.json")); err != nil {
		t.Fatal(err)
	}
	if got := j.Adoptable("s", owner, "k", "m"); len(got) != 0 {
		t.Errorf("an entry under another upload's name is adoptable: %+v", got)
	}
}

func TestNilJournal(t *testing.T) {
	t.Parallel()
	var j *Journal
	if err := j.Record("s", Entry{UploadID: "x"}); err != nil || j.Forget("s", "x") || len(j.Adoptable("s", Owner{}, "", "")) != 0 {
		t.Errorf("a nil journal did something")
	}
}

func TestCurrentOwner_workspace(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("TF_WORKSPACE", "")
	t.Setenv("TF_DATA_DIR", "")
	if ws := CurrentOwner().Workspace; ws != "default" {
		t.Errorf("workspace %q, want default", ws)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".terraform"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".terraform", "environment"), []byte("preview"), 0o644); err != nil {
		t.Fatal(err)
	}
	if o := CurrentOwner(); o.Workspace != "preview" || o.Dir == "" || o.Machine == "" {
		t.Errorf("owner %+v, want workspace preview", o)
	}
	t.Setenv("TF_WORKSPACE", "ci")
	if ws := CurrentOwner().Workspace; ws != "ci" {
		t.Errorf("workspace %q, want TF_WORKSPACE's ci", ws)
	}
}
