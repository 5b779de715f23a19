//go:build !unix

package cachedir

import (
	"errors"
	"io/fs"
)

// supported: without owners and mode bits (Windows), nothing tells whether another user
// could have written the directory, so it is not used.
func supported() error {
	return errors.New("this platform has no file owners and mode bits to check who could write the cache directory")
}

func ownedByMe(fs.FileInfo) bool           { return false }
func checkMine(string, fs.FileInfo) error  { return supported() }
func checkAbove(string, fs.FileInfo) error { return supported() }
func writable(string) error                { return supported() }
