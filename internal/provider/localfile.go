package provider

import (
	"bytes"
	"crypto/md5" //nolint:gosec // DatoCMS identifies file content by MD5; this is not a security use.
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registered for image.DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// fileFacts is what the provider knows about a local source file: enough to plan md5 and
// size, and to predict what DatoCMS derives from the file where the prediction is certain.
type fileFacts struct {
	MD5      string   `json:"md5"`
	Size     int64    `json:"size"`
	Format   string   `json:"format,omitempty"`    // "" when not predictable
	MimeType string   `json:"mime_type,omitempty"` // "" when not predictable
	Kind     string   `json:"kind,omitempty"`      // kindRaster, kindDocument, or "" when not predictable
	Width    int64    `json:"width,omitempty"`     // kindRaster only
	Height   int64    `json:"height,omitempty"`    // kindRaster only
	Stat     fileStat `json:"stat"`                // the version of the file these facts describe
}

// Kinds of content whose DatoCMS-computed attributes the plan can predict.
const (
	// kindRaster is a PNG, JPEG or GIF whose header decodes: DatoCMS treats it as an image
	// with the header's dimensions (its placeholders are computed, so they stay unknown).
	kindRaster = "raster"
	// kindDocument is a plain document (txt, csv, json, pdf): not an image, no dimensions
	// and no placeholders.
	kindDocument = "document"
)

// fileStat identifies a version of a file without reading it: if none of size,
// modification time, change time, inode and device changed, the content did not either.
// (The change time cannot be set back by a user, unlike the modification time.) Platforms
// without inodes leave Inode and Device zero, and such a stat is never trusted across runs.
type fileStat struct {
	Size     int64  `json:"size"`
	ModNS    int64  `json:"mtime_ns"`
	ChangeNS int64  `json:"ctime_ns,omitempty"`
	Inode    uint64 `json:"inode,omitempty"`
	Device   uint64 `json:"device,omitempty"`
}

// complete reports whether s has every field needed to trust it across processes.
func (s fileStat) complete() bool { return s.Inode != 0 && s.ChangeNS != 0 }

// errSourceMissing means the file does not exist (yet). At plan time that is not an error:
// another resource may write the file during apply, so its hash is simply unknown.
var errSourceMissing = errors.New("source file does not exist")

// localFiles hashes source files, each version once: terraform runs refresh, plan and the
// apply-time plan in different provider processes, so a file's MD5 is also trusted from a
// record of an earlier hash (private state, or the hash cache on disk) when the file's stat
// shows the same version. With alwaysHash, only this process's own hashes are trusted.
type localFiles struct {
	alwaysHash bool
	disk       *hashCache // nil when unavailable, or with alwaysHash

	mu   sync.Mutex
	seen map[string]fileFacts // by absolute path: versions hashed by this process
}

func newLocalFiles(alwaysHash bool) *localFiles {
	l := &localFiles{alwaysHash: alwaysHash, seen: map[string]fileFacts{}}
	if !alwaysHash {
		l.disk = openHashCache()
	}
	return l
}

// statSource returns the stat of a regular file, errSourceMissing when it does not exist,
// or an error a user can act on (a directory, a permission problem).
func statSource(name string) (fs.FileInfo, error) {
	info, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errSourceMissing
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

// facts returns the facts of the file at name. known, when not nil, is an earlier record
// of the same path (from private state); it is used instead of reading the file when the
// file's stat shows that version.
func (l *localFiles) facts(name string, known *fileRecord) (fileFacts, error) {
	info, err := statSource(name)
	if err != nil {
		return fileFacts{}, err
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return fileFacts{}, err
	}
	stat := statOf(info)
	l.mu.Lock()
	mine, ok := l.seen[abs]
	l.mu.Unlock()
	if ok && mine.Stat == stat {
		return mine, nil
	}
	f, trusted := l.recorded(abs, stat, known)
	if !trusted {
		if f, err = hashFile(name); err != nil {
			return fileFacts{}, err
		}
		f.Stat = stat
		if l.disk != nil && stat.complete() {
			l.disk.put(abs, f)
		}
	}
	l.mu.Lock()
	l.seen[abs] = f
	l.mu.Unlock()
	return f, nil
}

// recorded returns facts recorded by an earlier process for this version of the file.
func (l *localFiles) recorded(abs string, stat fileStat, known *fileRecord) (fileFacts, bool) {
	switch {
	case !l.trustsStat(stat):
		return fileFacts{}, false
	case known.describes(abs, stat):
		return known.Facts, true
	case l.disk != nil:
		return l.disk.get(abs, stat)
	}
	return fileFacts{}, false
}

// trustsStat reports whether a record of another process may stand for the file's content
// when its stat shows this version.
func (l *localFiles) trustsStat(stat fileStat) bool { return !l.alwaysHash && stat.complete() }

// stillRecorded reports whether the file at name is, by its stat, the version known records,
// by the test recorded applies (without the hash cache or reading the file).
func (l *localFiles) stillRecorded(name string, known *fileRecord) bool {
	info, err := statSource(name)
	if err != nil {
		return false
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return false
	}
	stat := statOf(info)
	return l.trustsStat(stat) && known.describes(abs, stat)
}

// headSize is how much of a file is read to predict what DatoCMS derives from it. Image
// headers (and a JPEG's metadata before its frame header) almost always fit; when they do
// not, the dimensions stay unknown in the plan rather than guessed.
const headSize = 64 << 10

// hashFile streams the file once through MD5 (never holding it in memory) and predicts
// what DatoCMS derives from its first bytes and its extension.
func hashFile(name string) (fileFacts, error) {
	file, err := os.Open(name) //nolint:gosec // the path comes from the user's configuration
	if err != nil {
		return fileFacts{}, err
	}
	defer file.Close()

	head := make([]byte, headSize)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fileFacts{}, fmt.Errorf("reading %q: %w", name, err)
	}
	head = head[:n]
	h := md5.New() //nolint:gosec // content identity, not security
	h.Write(head)
	rest, err := io.Copy(h, file)
	if err != nil {
		return fileFacts{}, fmt.Errorf("reading %q: %w", name, err)
	}
	f := predictContent(head, filepath.Ext(name))
	f.MD5, f.Size = hex.EncodeToString(h.Sum(nil)), int64(n)+rest
	return f, nil
}

// predictContent predicts the format, mime_type and image facts DatoCMS computes for a file,
// so that a plan can show them. It answers only where the result is certain: raster images
// whose header decodes, and a few plain document types by extension. Anything else stays
// unknown in the plan (known after apply) rather than risk a plan that apply contradicts.
func predictContent(head []byte, ext string) fileFacts {
	rasters := map[string][2]string{"png": {"png", "image/png"}, "jpeg": {"jpg", "image/jpeg"}, "gif": {"gif", "image/gif"}}
	if cfg, name, err := image.DecodeConfig(bytes.NewReader(head)); err == nil {
		if r, ok := rasters[name]; ok && cfg.Width > 0 && cfg.Height > 0 {
			f := fileFacts{Format: r[0], MimeType: r[1], Kind: kindRaster, Width: int64(cfg.Width), Height: int64(cfg.Height)}
			if name == "jpeg" {
				// An EXIF orientation may swap what DatoCMS reports: leave the dimensions unknown.
				f.Width, f.Height = 0, 0
			}
			return f
		}
	}
	if looksLikeImage(head) {
		return fileFacts{} // an image signature whose header did not decode: nothing is certain
	}
	documents := map[string]string{".txt": "text/plain", ".pdf": "application/pdf", ".csv": "text/csv", ".json": "application/json"}
	ext = strings.ToLower(ext)
	if mimeType, ok := documents[ext]; ok {
		return fileFacts{Format: strings.TrimPrefix(ext, "."), MimeType: mimeType, Kind: kindDocument}
	}
	return fileFacts{}
}

// looksLikeImage reports whether head starts with a PNG, JPEG or GIF signature.
func looksLikeImage(head []byte) bool {
	for _, sig := range []string{"\x89PNG\r\n\x1a\n", "\xFF\xD8\xFF", "GIF87a", "GIF89a"} {
		if bytes.HasPrefix(head, []byte(sig)) {
			return true
		}
	}
	return false
}
