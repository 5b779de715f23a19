package provider

import (
	"bytes"
	"crypto/md5" //nolint:gosec // DatoCMS identifies file content by MD5; this is not a security use.
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// fileFacts is what the provider knows about a local source file: enough to plan md5 and
// size, and to predict format and mime_type where the prediction is certain.
type fileFacts struct {
	MD5      string `json:"md5"`
	Size     int64  `json:"size"`
	ModTime  int64  `json:"mtime_ns"`
	Format   string `json:"format,omitempty"`    // "" when not predictable
	MimeType string `json:"mime_type,omitempty"` // "" when not predictable
}

// sameFileVersion reports whether f describes the same version of a file as o, judged by
// size and modification time (the cheap test used before trusting a cached hash).
func (f fileFacts) sameFileVersion(o fileFacts) bool {
	return f.Size == o.Size && f.ModTime == o.ModTime
}

// errSourceMissing means the file does not exist (yet). At plan time that is not an error:
// another resource may write the file during apply, so its hash is simply unknown.
var errSourceMissing = errors.New("source file does not exist")

// localFiles hashes source files with a streaming reader and caches the result per path,
// size and modification time, so refresh and plan of one run read each file once.
type localFiles struct {
	mu    sync.Mutex
	cache map[string]fileFacts // keyed by absolute path
}

func newLocalFiles() *localFiles {
	return &localFiles{cache: map[string]fileFacts{}}
}

// stat returns the size and modification time of a regular file, errSourceMissing when it
// does not exist, or an error a user can act on (a directory, a permission problem).
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

// facts returns the facts of the file at name, hashing it unless an identical version
// (same size and modification time) was hashed before by this provider process.
func (l *localFiles) facts(name string) (fileFacts, error) {
	info, err := statSource(name)
	if err != nil {
		return fileFacts{}, err
	}
	key, err := filepath.Abs(name)
	if err != nil {
		return fileFacts{}, err
	}
	probe := fileFacts{Size: info.Size(), ModTime: info.ModTime().UnixNano()}
	l.mu.Lock()
	cached, ok := l.cache[key]
	l.mu.Unlock()
	if ok && cached.sameFileVersion(probe) {
		return cached, nil
	}
	f, err := hashFile(name)
	if err != nil {
		return fileFacts{}, err
	}
	f.ModTime = probe.ModTime
	l.mu.Lock()
	l.cache[key] = f
	l.mu.Unlock()
	return f, nil
}

// hashFile streams the file once through MD5 (never holding it in memory) and predicts
// its format from the first bytes and the extension.
func hashFile(name string) (fileFacts, error) {
	file, err := os.Open(name) //nolint:gosec // the path comes from the user's configuration
	if err != nil {
		return fileFacts{}, err
	}
	defer file.Close()

	head := make([]byte, 16)
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
	format, mimeType := predictFormat(head, filepath.Ext(name))
	return fileFacts{
		MD5:      hex.EncodeToString(h.Sum(nil)),
		Size:     int64(n) + rest,
		Format:   format,
		MimeType: mimeType,
	}, nil
}

// predictFormat predicts the format and mime_type DatoCMS computes for a file, so that a plan
// can show them. It answers only where the result is certain: images DatoCMS recognises by
// their signature, and a few plain document types by extension. Anything else stays unknown
// in the plan (known after apply) rather than risk a plan that apply contradicts.
func predictFormat(head []byte, ext string) (format, mimeType string) {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "png", "image/png"
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg", "image/jpeg"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "gif", "image/gif"
	}
	switch strings.ToLower(ext) {
	case ".txt":
		return "txt", "text/plain"
	case ".pdf":
		return "pdf", "application/pdf"
	case ".csv":
		return "csv", "text/csv"
	case ".json":
		return "json", "application/json"
	}
	return "", ""
}
