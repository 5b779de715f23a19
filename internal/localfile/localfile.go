// Package localfile knows the local files a Terraform configuration uploads: their MD5 and
// size, what DatoCMS will derive from them (format, image facts), and which version of a
// file an earlier hash describes, so that an unchanged file is not read again. It knows
// nothing of Terraform or of DatoCMS's API; internal/provider is its only user.
package localfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
)

// Facts is what is known about a local file: enough to plan md5 and size, and to predict
// what DatoCMS derives from the file where the prediction is certain. Its JSON form is
// kept in Terraform's private state, so field names do not change.
type Facts struct {
	MD5      string `json:"md5"`
	Size     int64  `json:"size"`
	Format   string `json:"format,omitempty"`    // "" when not predictable
	MimeType string `json:"mime_type,omitempty"` // "" when not predictable
	Kind     string `json:"kind,omitempty"`      // KindRaster, KindDocument, or "" when not predictable
	Width    int64  `json:"width,omitempty"`     // KindRaster only
	Height   int64  `json:"height,omitempty"`    // KindRaster only
	Stat     Stat   `json:"stat"`                // the version of the file these facts describe
	HashedNS int64  `json:"hashed_ns,omitempty"` // when the hashing began (Unix ns); see notRacy
}

// Kinds of content whose DatoCMS-computed attributes a plan can predict.
const (
	// KindRaster is a PNG, JPEG or GIF whose header decodes: DatoCMS treats it as an image
	// with the header's dimensions (its placeholders are computed, so they stay unknown).
	KindRaster = "raster"
	// KindDocument is a plain document (txt, csv, json, pdf): not an image, no dimensions
	// and no placeholders.
	KindDocument = "document"
	// KindVideo is a video container (MP4, QuickTime, WebM): DatoCMS hands it to Mux. Only
	// the kind is certain; what DatoCMS reports of it is left unknown.
	KindVideo = "video"
)

// Stat identifies a version of a file without reading it: if none of size, modification
// time, change time, inode and device changed, the content did not either. (The change
// time cannot be set back by a user, unlike the modification time.) Platforms without
// inodes leave Inode and Device zero, and such a stat is never trusted across runs.
type Stat struct {
	Size     int64  `json:"size"`
	ModNS    int64  `json:"mtime_ns"`
	ChangeNS int64  `json:"ctime_ns,omitempty"`
	Inode    uint64 `json:"inode,omitempty"`
	Device   uint64 `json:"device,omitempty"`
}

// complete reports whether s has every field needed to trust it across processes.
func (s Stat) complete() bool { return s.Inode != 0 && s.ChangeNS != 0 }

// racyWindow is the coarsest timestamp granularity in common use (FAT and SMB keep
// modification times to 2 s). A file modified within it of being hashed may be modified
// again with the same size and, on such a file system, the same stat: its record is then
// "racily clean" (Git's term) and is not trusted; the file is hashed again.
const racyWindow = 2 * time.Second

// notRacy reports whether facts hashed at f.HashedNS may stand for the version stat shows:
// the file was last modified (and its inode last changed) more than racyWindow before.
func (f Facts) notRacy(stat Stat) bool {
	limit := f.HashedNS - racyWindow.Nanoseconds()
	return f.HashedNS != 0 && stat.ModNS < limit && stat.ChangeNS < limit
}

// Record is a local file as it was last hashed, by absolute path. Its JSON form is kept in
// Terraform's private state.
type Record struct {
	Path  string `json:"path"`
	Facts Facts  `json:"facts"`
}

// NewRecord records facts of the file at name.
func NewRecord(name string, facts Facts) Record {
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	return Record{Path: abs, Facts: facts}
}

// describes reports whether rec is a record of the file at abs in the version stat shows,
// made long enough after its last change to be trusted.
func (rec *Record) describes(abs string, stat Stat) bool {
	return rec != nil && rec.Path == abs && rec.Facts.Stat == stat && rec.Facts.notRacy(stat)
}

// ErrMissing means the file does not exist (yet). At plan time that is not an error:
// another resource may write the file during apply, so its hash is simply unknown.
var ErrMissing = errors.New("source file does not exist")

// StatSource returns the stat of a regular file, ErrMissing when it does not exist, or an
// error a user can act on (a directory, a permission problem).
func StatSource(name string) (fs.FileInfo, error) {
	info, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrMissing
	}
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%q is a directory; source must be a file", name)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%q is not a regular file", name)
	}
	return info, nil
}

// Files hashes source files, each version once: Terraform runs refresh, plan and the
// apply-time plan in different provider processes, so with trustRecords a file's MD5 is
// also taken from a record of an earlier hash (private state, or the hash cache on disk)
// when the file's stat shows the same version. Without it, only this process's own hashes
// are used. Either way a record is used only when it is not racily clean (notRacy).
type Files struct {
	trustRecords bool
	disk         *hashCache       // nil when there is no usable cache directory, or without trustRecords
	now          func() time.Time // the clock that dates each hash (tests set another)

	mu   sync.Mutex
	seen map[string]Facts // by absolute path: versions hashed by this process
}

// New returns the file hasher. cache, when not nil, is the provider's checked cache
// directory, where hashes of large files are handed from one process to the next; it is
// used only with trustRecords.
func New(trustRecords bool, cache *cachedir.Root) *Files {
	l := &Files{trustRecords: trustRecords, now: time.Now, seen: map[string]Facts{}}
	if trustRecords && cache != nil {
		l.disk = &hashCache{root: cache}
	}
	return l
}

// Facts returns the facts of the file at name. known, when not nil, is an earlier record
// of the same path (from private state); it is used instead of reading the file when the
// file's stat shows that version. recorded reports that the facts came from a record of
// another process (known, or the hash cache) instead of reading the file.
func (l *Files) Facts(name string, known *Record) (f Facts, recorded bool, err error) {
	abs, stat, err := version(name)
	if err != nil {
		return Facts{}, false, err
	}
	l.mu.Lock()
	mine, ok := l.seen[abs]
	l.mu.Unlock()
	if ok && mine.Stat == stat && mine.notRacy(stat) {
		return mine, false, nil
	}
	f, recorded = l.recorded(abs, stat, known)
	if !recorded {
		hashedAt := l.now()
		if f, err = hashFile(name); err != nil {
			return Facts{}, false, err
		}
		f.Stat, f.HashedNS = stat, hashedAt.UnixNano()
		if l.disk != nil && stat.complete() && f.notRacy(stat) {
			l.disk.put(abs, f)
		}
	}
	l.mu.Lock()
	l.seen[abs] = f
	l.mu.Unlock()
	return f, recorded, nil
}

// recorded returns facts recorded by an earlier process for this version of the file.
func (l *Files) recorded(abs string, stat Stat, known *Record) (Facts, bool) {
	switch {
	case !l.trustsStat(stat):
		return Facts{}, false
	case known.describes(abs, stat):
		return known.Facts, true
	case l.disk != nil:
		if f, ok := l.disk.get(abs, stat); ok && f.notRacy(stat) {
			return f, true
		}
	}
	return Facts{}, false
}

// trustsStat reports whether a record of another process may stand for the file's content
// when its stat shows this version.
func (l *Files) trustsStat(stat Stat) bool { return l.trustRecords && stat.complete() }

// StillRecorded reports whether the file at name is, by its stat, the version known
// records, by the test Facts applies to records (without the hash cache or reading the file).
func (l *Files) StillRecorded(name string, known *Record) bool {
	abs, stat, err := version(name)
	return err == nil && l.trustsStat(stat) && known.describes(abs, stat)
}

// version returns the absolute path of the source file at name, by which records and hashes
// are kept, and the stat of its current version; errors are StatSource's.
func version(name string) (abs string, stat Stat, err error) {
	info, err := StatSource(name)
	if err != nil {
		return "", Stat{}, err
	}
	if abs, err = filepath.Abs(name); err != nil {
		return "", Stat{}, err
	}
	return abs, statOf(info), nil
}

// StatFile returns the stat of the file at name as Facts records it.
func StatFile(name string) (Stat, error) {
	info, err := StatSource(name)
	if err != nil {
		return Stat{}, err
	}
	return statOf(info), nil
}
