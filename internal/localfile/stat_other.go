//go:build !linux && !darwin && !freebsd

package localfile

import "io/fs"

// statOf reads what this platform's stat offers: size and modification time. Without an
// inode and a change time the stat is incomplete, so recorded hashes are never trusted
// across processes here: every plan reads the file.
func statOf(info fs.FileInfo) Stat {
	return Stat{Size: info.Size(), ModNS: info.ModTime().UnixNano()}
}
