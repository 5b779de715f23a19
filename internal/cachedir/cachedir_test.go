//go:build unix

package cachedir

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// base returns a fresh cache base directory that only this user can write.
func base(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func wantProblem(t *testing.T, b, want string) {
	t.Helper()
	_, err := Open(b)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Open: %v, want an error saying %q", err, want)
	}
}

func TestOpen_freshDirectoryIsMadeOnlyWhenWritten(t *testing.T) {
	t.Parallel()
	b := base(t)
	r, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(b, Name)); !os.IsNotExist(err) {
		t.Errorf("Open made the directory: %v", err)
	}
	dir, err := r.Dir("creates", "scope")
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("Dir made %s with %v (%v), want mode 0700", dir, info.Mode().Perm(), err)
	}
	if _, err := Open(b); err != nil {
		t.Errorf("Open of the directory it made: %v", err)
	}
	r.RemoveEmpty("creates", "scope")
	if _, err := os.Stat(filepath.Join(b, Name)); !os.IsNotExist(err) {
		t.Errorf("RemoveEmpty left the empty directories: %v", err)
	}
}

func TestOpen_refusesWhatOthersCouldWrite(t *testing.T) {
	t.Parallel()
	t.Run("root writable by others", func(t *testing.T) {
		b := base(t)
		if err := os.Mkdir(filepath.Join(b, Name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(b, Name), 0o707); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, b, "is writable by other users")
	})
	t.Run("a subdirectory writable by others", func(t *testing.T) {
		b := base(t)
		r, err := Open(b)
		if err != nil {
			t.Fatal(err)
		}
		dir, err := r.Dir("md5")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Dir("md5"); err == nil || !strings.Contains(err.Error(), "writable by other users") {
			t.Errorf("Dir of a subdirectory others can write: %v", err)
		}
	})
	t.Run("root of another user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("only root can give a directory to another user")
		}
		b := base(t)
		if err := os.Mkdir(filepath.Join(b, Name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(filepath.Join(b, Name), 4242, 4242); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, b, "belongs to uid 4242")
	})
	t.Run("a parent writable by others without the sticky bit", func(t *testing.T) {
		b := base(t)
		if err := os.Chmod(b, 0o777); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, b, "without the sticky bit")
	})
	t.Run("a symbolic link", func(t *testing.T) {
		b := base(t)
		if err := os.Symlink(t.TempDir(), filepath.Join(b, Name)); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, b, "is not a directory")
	})
	t.Run("a regular file where the directory should be", func(t *testing.T) {
		b := base(t)
		if err := os.WriteFile(filepath.Join(b, Name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, b, "is not a directory")
	})
	t.Run("no cache directory", func(t *testing.T) {
		wantProblem(t, "", "no cache directory")
	})
}

func TestOpen_stickyParentIsFine(t *testing.T) {
	t.Parallel()
	b := base(t)
	if err := os.Chmod(b, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(b); err != nil {
		t.Errorf("Open below a sticky directory others can write (as /tmp): %v", err)
	}
}

func TestTrustedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for mode, want := range map[os.FileMode]bool{0o600: true, 0o644: true, 0o620: false, 0o602: false} {
		name := filepath.Join(dir, mode.String())
		if err := os.WriteFile(name, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(name, mode); err != nil {
			t.Fatal(err)
		}
		info, err := os.Lstat(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := TrustedFile(info); got != want {
			t.Errorf("TrustedFile(mode %s) = %v, want %v", mode, got, want)
		}
	}
}

// TestCreateTemp_racesRemoveEmpty: files made while others remove the emptied directory are
// always made (the directory is made again), and nothing is left once all are removed. Two
// Roots over one directory stand for two processes.
func TestCreateTemp_racesRemoveEmpty(t *testing.T) {
	t.Parallel()
	b := base(t)
	var roots []*Root
	for range 2 {
		r, err := Open(b)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, r)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*200)
	for i := range 4 {
		r := roots[i%2]
		wg.Go(func() {
			for range 200 {
				f, err := r.CreateTemp("x-*.tmp", "downloads")
				if err != nil {
					errs <- err
					continue
				}
				f.Close()
				os.Remove(f.Name())
				r.RemoveEmpty("downloads")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, err := os.Stat(roots[0].Path()); !os.IsNotExist(err) {
		t.Errorf("the emptied root is still there: %v", err)
	}
}
