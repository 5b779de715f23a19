// Package cachedir guards the provider's directory in the user's cache directory, which
// holds what one provider process hands to the next: hashes of large files (internal/
// localfile) and the create journal (internal/createjournal). Both are trusted: a hash
// entry stands for a file's content, a journal entry for an upload to adopt. So the
// directory is used only when nobody but the user running the provider could have written
// it: it and everything in it belong to that user and are writable by nobody else, and
// every directory above it belongs to that user or root and is writable by nobody else
// unless it has the sticky bit (as the system's temporary directory does).
package cachedir

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Name is the provider's directory in the user's cache directory.
const Name = "terraform-provider-datocms"

// Root is the provider's cache directory, checked by Open.
type Root struct {
	path string
	// made orders CreateTemp and RemoveEmpty within this process; another process's
	// RemoveEmpty is outlived by CreateTemp's retries.
	made sync.Mutex
}

// Open checks the provider's directory in base (os.UserCacheDir's answer). It returns an
// error saying why the directory cannot be trusted or written. The directory is not made
// here: Dir makes what a writer needs, so that nothing is left empty when nothing is written.
func Open(base string) (*Root, error) {
	if base == "" {
		return nil, errors.New("the user has no cache directory (neither XDG_CACHE_HOME nor HOME is set)")
	}
	abs, err := filepath.Abs(filepath.Join(base, Name))
	if err != nil {
		return nil, err
	}
	if err := supported(); err != nil {
		return nil, err
	}
	r := &Root{path: abs}
	if err := r.check(abs); err != nil {
		return nil, err
	}
	return r, nil
}

// Path is the path of sub (path elements) inside the root; nothing is checked or made.
func (r *Root) Path(sub ...string) string {
	return filepath.Join(append([]string{r.path}, sub...)...)
}

// Dir returns the directory sub inside the root, made (mode 0700) where missing, after
// checking again every directory from the root down: one made by somebody else since Open
// (in a sticky parent, anybody may make the root first) is refused.
func (r *Root) Dir(sub ...string) (string, error) {
	dir := r.Path(sub...)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := r.check(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// CreateTemp makes a new file (named by os.CreateTemp's pattern) in the directory sub, made
// where missing. Another process or goroutine may remove that directory, or its parents, as
// empty (RemoveEmpty) while it is being made or before the file is: it is then made again.
func (r *Root) CreateTemp(pattern string, sub ...string) (*os.File, error) {
	r.made.Lock()
	defer r.made.Unlock()
	for attempt := 1; ; attempt++ {
		dir, err := r.Dir(sub...)
		var f *os.File
		if err == nil {
			f, err = os.CreateTemp(dir, pattern)
		}
		removedMeanwhile := errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist)
		if err == nil || !removedMeanwhile || attempt == 20 {
			return f, err
		}
		time.Sleep(time.Duration(rand.IntN(attempt*1000)) * time.Microsecond) //nolint:gosec // jitter, not a secret
	}
}

// WriteFile writes data to the file name in the directory sub, made where missing, through a
// temporary file renamed into place: a reader sees the old entry or the whole new one, never
// a part. The temporary file is made by CreateTemp, in sub itself, so that RemoveEmpty (here
// or in another process) cannot remove the directory between the write and the rename.
func (r *Root) WriteFile(name string, data []byte, sub ...string) error {
	tmp, err := r.CreateTemp("entry-*.tmp", sub...)
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil && cerr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(filepath.Dir(tmp.Name()), name))
	}
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp.Name())
		return errors.Join(werr, cerr)
	}
	return nil
}

// RemoveEmpty removes the directory sub and then its parents up to the root included, as
// long as they are empty, so that no empty directory is left behind.
func (r *Root) RemoveEmpty(sub ...string) {
	r.made.Lock()
	defer r.made.Unlock()
	for i := len(sub); i >= 0; i-- {
		if os.Remove(r.Path(sub[:i]...)) != nil {
			return // not empty (or already gone)
		}
	}
}

// check checks path, the root or a directory inside it. Every existing directory above the
// root (resolving symbolic links: macOS's /var, a home directory on another volume) must be
// the user's or root's, and writable by nobody else unless it has the sticky bit; the root
// and every existing directory inside it down to path must be a real directory of the
// user's that nobody else can write. Where path does not exist yet, its nearest existing
// ancestor must be writable, so that it can be made.
func (r *Root) check(path string) error {
	above, err := nearestExisting(filepath.Dir(r.path))
	if err != nil {
		return err
	}
	resolved, err := filepath.EvalSymlinks(above)
	if err != nil {
		return err
	}
	for d := resolved; ; d = filepath.Dir(d) {
		info, err := os.Lstat(d)
		if err != nil {
			return err
		}
		if err := checkAbove(d, info); err != nil {
			return err
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	last := above
	rel, err := filepath.Rel(r.path, path)
	if err != nil {
		return err
	}
	dirs := []string{r.path}
	if rel != "." {
		for _, elem := range strings.Split(rel, string(filepath.Separator)) {
			dirs = append(dirs, filepath.Join(dirs[len(dirs)-1], elem))
		}
	}
	for _, d := range dirs {
		info, err := os.Lstat(d)
		if errors.Is(err, fs.ErrNotExist) {
			return writable(last)
		}
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 || !info.IsDir() {
			return fmt.Errorf("%s is not a directory (the provider's cache directory must be a directory of its own)", d)
		}
		if err := checkMine(d, info); err != nil {
			return err
		}
		last = d
	}
	return nil
}

// nearestExisting returns path, or its nearest ancestor that exists.
func nearestExisting(path string) (string, error) {
	for {
		_, err := os.Lstat(path)
		if err == nil {
			return path, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(path)
		if parent == path {
			return "", fmt.Errorf("%s: no directory of it exists", path)
		}
		path = parent
	}
}

// TrustedFile reports whether a file of the cache (an entry) may be trusted: it belongs to
// the user running the provider and nobody else may write it.
func TrustedFile(info fs.FileInfo) bool {
	return info.Mode().IsRegular() && ownedByMe(info) && info.Mode().Perm()&0o022 == 0
}
