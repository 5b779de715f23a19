//go:build !linux && !darwin && !freebsd

package provider

import "io/fs"

// statOf reads what this platform's stat offers: size and modification time. Without an
// inode and a change time the stat is incomplete, so recorded hashes are never trusted
// across processes here: every plan reads the file.
func statOf(info fs.FileInfo) fileStat {
	return fileStat{Size: info.Size(), ModNS: info.ModTime().UnixNano()}
}
