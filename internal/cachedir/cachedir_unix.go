//go:build unix

package cachedir

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

func supported() error { return nil }

func owner(info fs.FileInfo) (uint32, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Uid, true
}

func ownedByMe(info fs.FileInfo) bool {
	uid, ok := owner(info)
	return ok && int(uid) == os.Geteuid()
}

// checkMine checks a directory of the cache: the user's, and writable by nobody else.
func checkMine(path string, info fs.FileInfo) error {
	uid, ok := owner(info)
	me := uint32(os.Geteuid()) //nolint:gosec // uids fit
	switch {
	case !ok:
		return fmt.Errorf("%s: its owner cannot be read", path)
	case uid != me:
		return fmt.Errorf("%s belongs to uid %d, not to the user running the provider (uid %d)", path, uid, me)
	case info.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s is writable by other users (mode %s)", path, info.Mode().Perm())
	}
	return nil
}

// checkAbove checks a directory above the cache: the user's or root's, and writable by
// nobody else unless it has the sticky bit (then nobody else may rename what is in it).
func checkAbove(path string, info fs.FileInfo) error {
	uid, ok := owner(info)
	me := uint32(os.Geteuid()) //nolint:gosec // uids fit
	switch {
	case !ok:
		return fmt.Errorf("%s: its owner cannot be read", path)
	case uid != me && uid != 0:
		return fmt.Errorf("%s, above the cache directory, belongs to uid %d: that user could replace what is below it", path, uid)
	case info.Mode().Perm()&0o022 != 0 && info.Mode()&fs.ModeSticky == 0:
		return fmt.Errorf("%s, above the cache directory, is writable by other users (mode %s) without the sticky bit", path, info.Mode().Perm())
	}
	return nil
}

func writable(path string) error {
	if err := unix.Access(path, unix.W_OK); err != nil {
		return fmt.Errorf("%s cannot be written: %w", path, err)
	}
	return nil
}
