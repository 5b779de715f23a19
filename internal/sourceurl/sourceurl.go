// Package sourceurl downloads the file of an upload whose source is a URL (source_url),
// checking it against the checksum the configuration pins, into a private temporary file.
// It knows nothing of Terraform or of DatoCMS's API; internal/provider is its only user.
package sourceurl

import (
	"context"
	"crypto/md5" //nolint:gosec // DatoCMS identifies content by MD5; sha256 is the pin
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// Pin is the checksum a configuration gives for the file at a URL: its SHA-256, its MD5, or
// both (hex). At least one is required.
type Pin struct {
	SHA256, MD5 string
}

// File is a downloaded file: its bytes (in a temporary file that is already removed from
// its directory, so nothing is left behind even if the process is killed), and their
// checksums. Close releases it.
type File struct {
	*io.SectionReader
	file        *os.File
	SHA256, MD5 string
}

// Close releases the temporary file.
func (f *File) Close() error { return f.file.Close() }

// MismatchError is a download whose checksum is not the pinned one.
type MismatchError struct {
	URL, Algorithm, Pinned, Got string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("the file at %s has %s %s, but the configuration pins %s", e.URL, e.Algorithm, e.Got, e.Pinned)
}

// TooLargeError is a download stopped past the size limit.
type TooLargeError struct {
	URL   string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the file at %s is larger than %d bytes, the most DatoCMS accepts: the download was stopped", e.URL, e.Limit)
}

// Check returns why rawURL cannot be a source, or nil: it must be an absolute https URL (or
// http to a loopback host, for tests), without a user name or password (the URL is kept in
// state) and without a fragment. Errors never repeat a password.
func Check(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return errors.New("must be an absolute URL such as https://example.com/files/logo.png")
	}
	switch {
	case u.User != nil:
		return fmt.Errorf("%q holds a user name or password: the URL is kept in state and logs, so it must not carry credentials", u.Redacted())
	case u.Scheme == "https":
	case u.Scheme == "http" && datocms.IsLoopbackHost(u.Hostname()):
	case u.Scheme == "http":
		return fmt.Errorf("%q uses plain http: use https (plain http only to a loopback host)", u.Redacted())
	default:
		return fmt.Errorf("%q must use https", u.Redacted())
	}
	if u.Fragment != "" {
		return fmt.Errorf("%q has a fragment (#...), which is never sent to the server", u.Redacted())
	}
	return nil
}

// maxRedirects bounds the redirects a download follows.
const maxRedirects = 5

// Downloader downloads source files.
type Downloader struct {
	// CreateTemp makes the temporary file (os.CreateTemp's pattern) in a private directory,
	// the provider's cache directory; nil means the system's temporary directory (the file is
	// private either way: os.CreateTemp makes it readable by its owner only).
	CreateTemp func(pattern string) (*os.File, error)
	// MaxSize stops a download past this many bytes.
	MaxSize int64
	// Progress, when not nil, is told how far a download has come, as it goes.
	Progress func(done, total int64)
	// Client sends the requests; nil means one with the redirect policy of Check.
	Client *http.Client
}

// Download fetches rawURL into a temporary file, hashing it on the way, and checks it
// against pin. It never returns a file that does not match the pin.
func (d Downloader) Download(ctx context.Context, rawURL string, pin Pin) (*File, error) {
	if err := Check(rawURL); err != nil {
		return nil, err
	}
	client := d.Client
	if client == nil {
		client = &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return Check(req.URL.String())
		}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in every message of the caller already
		}
		return nil, fmt.Errorf("downloading %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading %s: the server answered %s", rawURL, resp.Status)
	}
	total := resp.ContentLength
	if d.MaxSize > 0 && total > d.MaxSize {
		return nil, &TooLargeError{URL: rawURL, Limit: d.MaxSize}
	}

	f, err := d.tempFile()
	if err != nil {
		return nil, err
	}
	sha, sum := sha256.New(), md5.New() //nolint:gosec // content identity
	dst := io.MultiWriter(f, sha, sum)
	if d.Progress != nil {
		// Last, so that it counts only what the file and both hashes took.
		dst = io.MultiWriter(dst, &progressWriter{total: total, report: d.Progress})
	}
	var src io.Reader = resp.Body
	if d.MaxSize > 0 {
		src = io.LimitReader(resp.Body, d.MaxSize+1)
	}
	n, err := io.CopyBuffer(dst, src, make([]byte, 256<<10))
	switch {
	case err != nil:
		f.Close()
		return nil, fmt.Errorf("downloading %s: %w", rawURL, err)
	case d.MaxSize > 0 && n > d.MaxSize:
		f.Close()
		return nil, &TooLargeError{URL: rawURL, Limit: d.MaxSize}
	}
	out := &File{SectionReader: io.NewSectionReader(f, 0, n), file: f, SHA256: hexOf(sha), MD5: hexOf(sum)}
	for _, c := range []struct{ algorithm, pinned, got string }{{"SHA-256", pin.SHA256, out.SHA256}, {"MD5", pin.MD5, out.MD5}} {
		if c.pinned != "" && !strings.EqualFold(c.pinned, c.got) {
			out.Close()
			return nil, &MismatchError{URL: rawURL, Algorithm: c.algorithm, Pinned: strings.ToLower(c.pinned), Got: c.got}
		}
	}
	return out, nil
}

// tempPattern names the temporary files, distinctly enough to clean leftovers safely.
const tempPattern = "datocms-download-*.part"

// tempFile makes a private temporary file and removes its name at once: the open file is all
// that holds it, so a killed process leaves nothing. Where a name cannot be removed while the
// file is open (Windows), the name stays until Close; stale ones are removed by cleanStale.
func (d Downloader) tempFile() (*os.File, error) {
	create := d.CreateTemp
	if create == nil {
		create = func(pattern string) (*os.File, error) { return os.CreateTemp("", pattern) }
	}
	f, err := create(tempPattern)
	if err != nil {
		return nil, err
	}
	cleanStale(filepath.Dir(f.Name()), f.Name())
	_ = os.Remove(f.Name())
	return f, nil
}

// staleAge is how old a leftover download must be before another run removes it.
const staleAge = 24 * time.Hour

// cleanStale removes downloads that a killed run left in dir (only where names outlive their
// process; see tempFile), except current, the one being made.
func cleanStale(dir, current string) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	for _, name := range names {
		if info, err := os.Stat(name); err == nil && name != current && time.Since(info.ModTime()) > staleAge {
			_ = os.Remove(name)
		}
	}
}

// progressWriter tells report how many bytes were written so far, of total (-1: unknown).
type progressWriter struct {
	done, total int64
	report      func(done, total int64)
}

func (w *progressWriter) Write(p []byte) (int, error) {
	w.done += int64(len(p))
	w.report(w.done, w.total)
	return len(p), nil
}

func hexOf(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
