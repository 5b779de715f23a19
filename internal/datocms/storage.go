package datocms

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxUploadSize is the largest file DatoCMS accepts: the documented maximum asset size of
// 1 GB (API §4.1), read as 1 GiB (2^30 bytes). Whether DatoCMS means 10^9 or 2^30 bytes is
// not documented; a file between the two is let through rather than refused on a guess, and
// DatoCMS's own answer then decides.
const MaxUploadSize = 1 << 30

// UploadRequest is a presigned storage slot (API §6.1).
type UploadRequest struct {
	ID             string // storage path to send as `path`
	URL            string // signed storage URL: a credential, never log its query
	RequestHeaders map[string]string
}

// UploadFileInput describes a file to put in storage: a local file, or content held in memory.
type UploadFileInput struct {
	LocalPath          string        // file to stream
	Data               SizedReaderAt // when not nil, the file's bytes (content in memory, a downloaded file), sent instead of LocalPath
	Filename           string        // name given to POST /upload-requests; default filepath.Base(LocalPath)
	ExpectedMD5        string        // "" = no check; else the streamed bytes must hash to this (hex)
	ExpectedSize       int64         // -1 = no check
	UploadCollectionID *string
}

// countingReader tells report how many bytes were read so far.
type countingReader struct {
	io.ReadCloser
	done   int64
	report func(done int64)
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.done += int64(n)
	r.report(r.done)
	return n, err
}

// SizedReaderAt holds a file's bytes: a *bytes.Reader, an *io.SectionReader.
type SizedReaderAt interface {
	io.ReaderAt
	Size() int64
}

// open opens the file's bytes from the start.
func (in UploadFileInput) open() (io.ReadCloser, error) {
	if in.Data != nil {
		return io.NopCloser(io.NewSectionReader(in.Data, 0, in.Data.Size())), nil
	}
	return os.Open(in.LocalPath)
}

// name names the file in messages: its path, or for data its file name.
func (in UploadFileInput) name() string {
	if in.Data != nil {
		return in.Filename
	}
	return in.LocalPath
}

// UploadedFile is a file in storage, ready for CreateUpload or UpdateUpload.
type UploadedFile struct {
	Path string // upload-request id
	MD5  string // hex MD5 of the bytes sent
	Size int64
}

// FileChangedError means the local file no longer matches what was planned; nothing was
// stored.
type FileChangedError struct {
	LocalPath                string
	ExpectedMD5, ActualMD5   string // ActualMD5 is "" when the size already differed
	ExpectedSize, ActualSize int64
}

func (e *FileChangedError) Error() string {
	if e.ExpectedSize >= 0 && e.ActualSize != e.ExpectedSize {
		return fmt.Sprintf("file %q changed since the plan was made: planned size %d bytes, now %d bytes",
			e.LocalPath, e.ExpectedSize, e.ActualSize)
	}
	return fmt.Sprintf("file %q changed since the plan was made: planned md5 %s, now %s",
		e.LocalPath, e.ExpectedMD5, e.ActualMD5)
}

// RequestUpload asks for a presigned storage URL (POST /upload-requests).
func (c *Client) RequestUpload(ctx context.Context, filename string, collectionID *string) (*UploadRequest, error) {
	res := writeResource{Type: "upload_request", Attributes: map[string]any{}}
	if filename != "" {
		res.Attributes["filename"] = filename
	}
	if collectionID != nil {
		res.Relationships = map[string]*relationship{"upload_collection": collectionRelationship(collectionID)}
	}
	var doc struct {
		Data struct {
			Type       string `json:"type"`
			ID         string `json:"id"`
			Attributes struct {
				URL            string            `json:"url"`
				RequestHeaders map[string]string `json:"request_headers"`
			} `json:"attributes"`
		} `json:"data"`
	}
	// Resendable: an upload request only reserves a storage slot, so a repeat has no lasting effect.
	cl := call{method: http.MethodPost, path: "/upload-requests", body: writeDocument{Data: res}, noJob: true, resendable: true}
	if err := c.do(ctx, cl, &doc); err != nil {
		return nil, err
	}
	if doc.Data.Type != "upload_request" || doc.Data.ID == "" || doc.Data.Attributes.URL == "" {
		return nil, fmt.Errorf("DatoCMS API POST /upload-requests: unexpected response (type %q)", doc.Data.Type)
	}
	headers := doc.Data.Attributes.RequestHeaders
	if headers == nil {
		headers = map[string]string{}
	}
	return &UploadRequest{ID: doc.Data.ID, URL: doc.Data.Attributes.URL, RequestHeaders: headers}, nil
}

// UploadFile requests a storage slot and streams the local file into it (API §7.1 steps
// 2–3). The file is never read whole into memory. Its bytes are hashed on the way: when
// they do not match in.ExpectedMD5 the transfer is aborted before its last byte, so storage
// keeps nothing, and the error is a *FileChangedError.
func (c *Client) UploadFile(ctx context.Context, in UploadFileInput) (*UploadedFile, error) {
	var size int64
	if in.Data != nil {
		size = in.Data.Size()
	} else {
		info, err := os.Stat(in.LocalPath)
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file", in.LocalPath)
		}
		size = info.Size()
	}
	if in.ExpectedSize >= 0 && size != in.ExpectedSize {
		return nil, &FileChangedError{LocalPath: in.name(), ExpectedMD5: in.ExpectedMD5, ExpectedSize: in.ExpectedSize, ActualSize: size}
	}
	filename := in.Filename
	if filename == "" {
		filename = filepath.Base(in.LocalPath)
	}
	ureq, err := c.RequestUpload(ctx, filename, in.UploadCollectionID)
	if err != nil {
		return nil, err
	}
	sum, err := c.putStorage(ctx, ureq, in, filename, size)
	if err != nil {
		return nil, err
	}
	return &UploadedFile{Path: ureq.ID, MD5: sum, Size: size}, nil
}

// putStorage streams the file to the signed URL, retrying 429s, 5xx and network errors by
// reopening the file. It returns the hex MD5 of the bytes sent.
func (c *Client) putStorage(ctx context.Context, ureq *UploadRequest, in UploadFileInput, filename string, size int64) (string, error) {
	target, err := url.Parse(ureq.URL)
	if err != nil {
		return "", errors.New("DatoCMS storage: the upload request returned an invalid URL")
	}
	// Only scheme, host and path may appear in errors and logs: the query is the signature.
	safeURL := (&url.URL{Scheme: target.Scheme, Host: target.Host, Path: target.Path}).String()
	contentType := storageContentType(filename)

	// A storage PUT writes the same signed slot every time, so it is always safe to send
	// again: after a network error or a 5xx up to MaxRetries times, like a read, and after
	// a 429 for as long as the operation's context lasts, like any CMA call. (No official
	// client retries it at all, API §6.2; storage behind a CDN does throttle.)
	retries, throttled := 0, 0
	for attempt := 1; ; attempt++ {
		start := time.Now()
		sum, status, header, err := c.putStorageOnce(ctx, ureq, in, contentType, size, c.Progress(ctx, "uploading "+filename, size))
		c.log.DebugContext(ctx, "DatoCMS storage upload", "method", http.MethodPut, "url", safeURL, "status", status,
			"attempt", attempt, "size", size, "duration_ms", time.Since(start).Milliseconds())
		var changed *FileChangedError
		switch {
		case errors.As(err, &changed):
			return "", err
		case err == nil && status >= 200 && status <= 299:
			return sum, nil
		case ctx.Err() != nil:
			return "", fmt.Errorf("DatoCMS storage PUT %s: %w", safeURL, ctx.Err())
		}
		if err == nil {
			err = fmt.Errorf("status %d %s", status, http.StatusText(status))
		}
		err = fmt.Errorf("DatoCMS storage PUT %s (%s): %w", safeURL, filename, err)
		var wait time.Duration
		switch {
		case status == http.StatusTooManyRequests:
			throttled++
			wait = throttleWait(header, min(c.cfg.RetryBase*time.Duration(throttled), maxRateLimitBackoff))
		case (status == 0 || status >= 500) && retries < c.cfg.MaxRetries:
			retries++
			wait = c.cfg.RetryBase * time.Duration(retries)
		default:
			return "", err
		}
		if err := sleep(ctx, wait); err != nil {
			return "", fmt.Errorf("DatoCMS storage PUT %s: %w", safeURL, err)
		}
	}
}

// throttleWait is how long a 429 asks to wait: Retry-After or X-RateLimit-Reset seconds
// when the answer has them, else fallback.
func throttleWait(header http.Header, fallback time.Duration) time.Duration {
	for _, name := range []string{"Retry-After", "X-RateLimit-Reset"} {
		if secs, err := strconv.Atoi(header.Get(name)); err == nil && secs > 0 {
			return time.Duration(secs) * time.Second
		}
	}
	return fallback
}

// putStorageOnce performs one PUT from a freshly opened file, following 307/308 redirects
// (the official client follows them; the body is reopened for each hop). status is 0 when
// no response arrived; err is then the (unwrapped, URL-free) transport error.
func (c *Client) putStorageOnce(ctx context.Context, ureq *UploadRequest, in UploadFileInput, contentType string, size int64,
	progress func(done int64),
) (sum string, status int, header http.Header, err error) {
	var (
		mu      sync.Mutex
		current *hashingReader   // the body of the latest hop: the bytes storage kept
		bodies  []*hashingReader // every hop's, stopped on return
	)
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, hr := range bodies {
			hr.Close()
		}
	}()
	open := func() (io.ReadCloser, error) {
		src, err := in.open()
		if err != nil {
			return nil, err
		}
		hr := newHashingReader(src, size, in.ExpectedMD5, in.name())
		mu.Lock()
		current, bodies = hr, append(bodies, hr)
		mu.Unlock()
		if size == 0 {
			// No body to stream: check the (empty) content now; NoBody keeps Content-Length: 0.
			if err := hr.verify(); err != nil {
				return nil, err
			}
			return http.NoBody, nil
		}
		return &countingReader{ReadCloser: hr, report: progress}, nil
	}
	body, err := open()
	if err != nil {
		return "", 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, ureq.URL, body)
	if err != nil {
		return "", 0, nil, unwrapURLError(err)
	}
	req.GetBody = open
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	// request_headers are part of the signature: send them verbatim, after our defaults so
	// they win. Authorization, X-Api-Version and X-Environment must not reach storage.
	for k, v := range ureq.RequestHeaders {
		req.Header.Set(k, v)
	}
	resp, err := c.httpClient.Do(req)
	mu.Lock()
	last := current
	mu.Unlock()
	sum, changed := last.result()
	if changed != nil {
		// The reader refused to hand over the last bytes: whatever the transport reports,
		// the cause is the local file.
		if resp != nil {
			resp.Body.Close()
		}
		return "", 0, nil, changed
	}
	if err != nil {
		return "", 0, nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // lets the connection be reused
	return sum, resp.StatusCode, resp.Header, nil
}

// storageContentType is the Content-Type of a storage PUT: the plain MIME type of the file
// name's extension from a fixed table, as the official client sends it (a lookup by
// extension, never a charset parameter), so the header never depends on the host's MIME
// tables; application/octet-stream when the extension is unknown.
func storageContentType(filename string) string {
	if t, ok := mimeTypes[strings.ToLower(strings.TrimPrefix(filepath.Ext(filename), "."))]; ok {
		return t
	}
	return "application/octet-stream"
}

// mimeTypes follows the mime-db entries the official client's lookup returns.
var mimeTypes = map[string]string{
	"avif": "image/avif", "bmp": "image/bmp", "gif": "image/gif", "heic": "image/heic", "ico": "image/x-icon",
	"jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "psd": "image/vnd.adobe.photoshop",
	"svg": "image/svg+xml", "tif": "image/tiff", "tiff": "image/tiff", "webp": "image/webp",
	"avi": "video/x-msvideo", "m4v": "video/x-m4v", "mkv": "video/x-matroska", "mov": "video/quicktime",
	"mp4": "video/mp4", "mpeg": "video/mpeg", "webm": "video/webm",
	"aac": "audio/aac", "flac": "audio/x-flac", "m4a": "audio/mp4", "mp3": "audio/mpeg", "ogg": "audio/ogg",
	"wav": "audio/wav",
	"csv": "text/csv", "css": "text/css", "htm": "text/html", "html": "text/html", "md": "text/markdown",
	"txt": "text/plain", "vtt": "text/vtt", "xml": "application/xml", "js": "application/javascript",
	"json": "application/json", "pdf": "application/pdf", "rtf": "application/rtf", "zip": "application/zip",
	"gz": "application/gzip", "tar": "application/x-tar", "eps": "application/postscript", "ai": "application/postscript",
	"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"otf":  "font/otf", "ttf": "font/ttf", "woff": "font/woff", "woff2": "font/woff2",
}

// hashingReader streams exactly size bytes of a file while hashing them. A goroutine reads
// and hashes ahead (up to readAhead chunks) while the transport sends what it was handed
// before: MD5 runs at about the speed of a fast storage PUT, so hashing then sending each
// chunk in turn made a 1 GiB transfer up to twice as long as sending it (make bench-scale).
//
// Once the last byte has been hashed it compares the hash with the expected one and, on a
// mismatch, hands over an error instead of the final chunk: the request body then ends
// short of its Content-Length, so the transfer aborts and storage keeps nothing.
// (Returning the error at EOF would be too late: the transport stops reading at
// Content-Length.) The hash covers what the goroutine read; when the transfer succeeds
// that is exactly what was sent.
//
// Close stops the goroutine, which closes the file. The transport closes the body, and may
// still read it from its own goroutine after Do returns (for example when the server
// answers early), hence the mutex around the hash.
type hashingReader struct {
	localPath string
	size      int64
	expected  string

	mu      sync.Mutex
	h       hash.Hash
	changed *FileChangedError // set when the content did not match

	chunks    chan hashedChunk // read and hashed, in order; closed after the last
	free      chan []byte      // buffers the reader has handed over, for the goroutine to reuse
	done      chan struct{}    // closed by Close
	closeOnce sync.Once

	// The reader's side, used by Read only.
	rest []byte // what is left of the chunk being handed over
	buf  []byte // that chunk's buffer
	err  error  // what every later Read returns
}

// hashedChunk is a chunk of the file, or the error that ends the body.
type hashedChunk struct {
	b   []byte
	err error
}

// Read-ahead of hashingReader: enough to keep MD5 busy while the transport writes, little
// enough that a 1 GiB transfer stays within a few MiB of memory.
const (
	hashChunkSize = 256 << 10
	readAhead     = 4
)

// newHashingReader starts streaming size bytes of f (which it closes) into the returned
// reader, checking them against expected (hex MD5; "" checks nothing).
func newHashingReader(f io.ReadCloser, size int64, expected, localPath string) *hashingReader {
	hr := &hashingReader{
		localPath: localPath, size: size, expected: expected, h: md5.New(), //nolint:gosec // content identity, not security
		chunks: make(chan hashedChunk, readAhead), free: make(chan []byte, readAhead+2), done: make(chan struct{}),
	}
	go hr.readAndHash(f)
	return hr
}

func (hr *hashingReader) readAndHash(f io.ReadCloser) {
	defer f.Close()
	defer close(hr.chunks)
	send := func(c hashedChunk) bool {
		select {
		case hr.chunks <- c:
			return true
		case <-hr.done:
			return false
		}
	}
	for remaining := hr.size; remaining > 0; {
		var buf []byte
		select {
		case buf = <-hr.free:
		default:
			buf = make([]byte, hashChunkSize)
		}
		buf = buf[:min(int64(cap(buf)), remaining)]
		n, err := io.ReadFull(f, buf)
		hr.mu.Lock()
		hr.h.Write(buf[:n])
		hr.mu.Unlock()
		remaining -= int64(n)
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			// The file shrank after it was measured.
			hr.mu.Lock()
			hr.changed = &FileChangedError{LocalPath: hr.localPath, ExpectedMD5: hr.expected, ExpectedSize: hr.size, ActualSize: hr.size - remaining}
			changed := hr.changed
			hr.mu.Unlock()
			send(hashedChunk{err: changed})
			return
		case err != nil:
			send(hashedChunk{err: err})
			return
		case remaining == 0:
			if err := hr.verify(); err != nil {
				send(hashedChunk{err: err})
				return
			}
		}
		if !send(hashedChunk{b: buf[:n]}) {
			return
		}
	}
}

func (hr *hashingReader) Read(p []byte) (int, error) {
	for len(hr.rest) == 0 {
		if hr.err != nil {
			return 0, hr.err
		}
		if hr.buf != nil {
			hr.free <- hr.buf[:cap(hr.buf)] // never blocks: at most readAhead+2 buffers exist
			hr.buf = nil
		}
		c, ok := <-hr.chunks
		switch {
		case !ok:
			hr.err = io.EOF
		case c.err != nil:
			hr.err = c.err
		default:
			hr.rest, hr.buf = c.b, c.b
		}
	}
	n := copy(p, hr.rest)
	hr.rest = hr.rest[n:]
	return n, nil
}

// Close stops reading the file.
func (hr *hashingReader) Close() error {
	hr.closeOnce.Do(func() { close(hr.done) })
	return nil
}

// verify checks the hash of everything read so far against the expected MD5.
func (hr *hashingReader) verify() error {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	if hr.expected == "" {
		return nil
	}
	if actual := hex.EncodeToString(hr.h.Sum(nil)); !strings.EqualFold(actual, hr.expected) {
		hr.changed = &FileChangedError{LocalPath: hr.localPath, ExpectedMD5: hr.expected, ActualMD5: actual, ExpectedSize: hr.size, ActualSize: hr.size}
		return hr.changed
	}
	return nil
}

// result returns the hex MD5 of the bytes read and the mismatch, if any.
func (hr *hashingReader) result() (string, *FileChangedError) {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	return hex.EncodeToString(hr.h.Sum(nil)), hr.changed
}
