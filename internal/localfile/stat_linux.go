package localfile

import (
	"io/fs"
	"syscall"
)

// statOf reads the identity of a file version from a stat result.
func statOf(info fs.FileInfo) Stat {
	s := Stat{Size: info.Size(), ModNS: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		s.Inode, s.Device, s.ChangeNS = st.Ino, st.Dev, st.Ctim.Nano()
	}
	return s
}
