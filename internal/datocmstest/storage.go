package datocmstest

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

// storageURLLifetime is how long a signed storage URL is valid. Open
// question §10.3: we choose 900 s, the S3 value in recorded traffic (API §6.1).
const storageURLLifetime = 900 * time.Second

// blob is one immutable file on disk. Storage objects and uploads point at
// blobs; a blob's file is removed when nothing points at it any more.
// refs is guarded by Server.mu.
type blob struct {
	file  string
	md5   string
	size  int64
	facts contentFacts
	refs  int
}

// storageObject is what POST /upload-requests creates: a signed slot in
// storage, keyed by path (the upload-request id). blob is nil until a PUT
// has stored bytes there.
type storageObject struct {
	path     string
	filename string // slugified name the upload will get
	blob     *blob
}

func (s *Server) retainLocked(b *blob) { b.refs++ }

// releaseLocked drops a reference to b and removes its file with the last one. The file is
// removed in the background: unlinking a gigabyte takes a noticeable time, during which
// holding s.mu would stall every request (a job result poll waited 0.4 s for the removal of
// the file a replacement had superseded). Close waits for the removals.
func (s *Server) releaseLocked(b *blob) {
	b.refs--
	if b.refs <= 0 {
		s.removals.Add(1)
		go func() {
			defer s.removals.Done()
			// b.file is the name os.CreateTemp gave the blob in the data dir (writeBlob); no
			// request input reaches it.
			_ = os.Remove(b.file) //nolint:gosec // G703: the path is server-generated, not user input.
		}()
	}
}

// writeBlob streams src to a new file in the data dir while hashing and
// scanning it, so a file of any size costs only io.Copy's buffer. When
// size >= 0 the stream must have exactly that many bytes, otherwise nothing
// is kept.
func (s *Server) writeBlob(src io.Reader, size int64, filename string) (*blob, error) {
	f, err := os.CreateTemp(s.dataDir, "blob-*")
	if err != nil {
		return nil, err
	}
	h := md5.New()
	var scan virusScanner
	n, err := io.Copy(io.MultiWriter(f, h, &scan), src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("body has %d bytes, Content-Length said %d", n, size)
	}
	var facts contentFacts
	if err == nil {
		facts, err = detectFacts(f.Name(), filename)
		facts.threat = scan.threat()
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return nil, err
	}
	return &blob{file: f.Name(), md5: hex.EncodeToString(h.Sum(nil)), size: n, facts: facts}, nil
}

// sign is the storage URL signature: hex HMAC-SHA256 over path and expiry,
// with a per-server secret, so only URLs this server issued are accepted.
func (s *Server) sign(path string, expires int64) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(path + strconv.FormatInt(expires, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) signedStorageURL(base, path string, expires int64) string {
	q := url.Values{"expires": {strconv.FormatInt(expires, 10)}, "signature": {s.sign(path, expires)}}
	return base + "/storage" + path + "?" + q.Encode()
}

// handleUploadRequest is POST /upload-requests: it reserves a storage path
// and returns a signed URL for the PUT (API §6.1). Open question §10.1: we
// answer 201 as in recorded traffic, never a job.
func handleUploadRequest(c *call) (int, any, error) {
	// Strict: the documented body always has data.attributes (its filename is optional).
	if top, _ := c.body.(map[string]any); top == nil || !hasKey(top["data"], "attributes") {
		return 0, nil, errUnprocessable("INVALID_ATTRIBUTES", map[string]any{"field": "attributes"})
	}
	doc, err := c.resource("upload_request")
	if err != nil {
		return 0, nil, err
	}
	filename := "file"
	if v, ok := doc.attrs["filename"]; ok && v != nil {
		name, ok := v.(string)
		if !ok {
			return 0, nil, errInvalidField("filename", "INVALID_FORMAT")
		}
		if name != "" {
			filename = name
		}
	}
	collectionRel := doc.rels["upload_collection"]
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	if collectionRel != nil {
		// Validated only: the upload gets its collection from POST /uploads.
		if _, err := parseCollectionRel(c.env, collectionRel); err != nil {
			return 0, nil, err
		}
	}
	now := s.now()
	name := slug(filename)
	path := s.newPath(name, now)
	s.objects[path] = &storageObject{path: path, filename: name}
	expires := now.Add(storageURLLifetime).Unix()
	headers := map[string]string{}
	for k, v := range s.cfg.storageHeaders {
		headers[k] = v
	}
	return http.StatusCreated, map[string]any{"data": map[string]any{
		"type": "upload_request",
		"id":   path,
		"attributes": map[string]any{
			"url":             s.signedStorageURL(c.base(), path, expires),
			"request_headers": headers,
		},
	}}, nil
}

// hasKey reports whether v is an object with the key.
func hasKey(v any, key string) bool {
	m, ok := v.(map[string]any)
	if ok {
		_, ok = m[key]
	}
	return ok
}

// serveStorage is PUT /storage/<path>: the presigned upload of API §6.2. It
// is not a CMA route: no bearer auth, no rate limit, S3-like plain errors.
// Success is 200 with an empty body and the md5 as ETag, or 201 with
// WithStorageStatus (clients must accept any 2xx).
func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", http.MethodPut)
		storageError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed")
		return
	}
	path := r.URL.Path[len("/storage"):]
	if r.Header.Get("Authorization") != "" {
		// S3 refuses a request that carries a second auth mechanism.
		storageError(w, r, http.StatusBadRequest, "InvalidArgument")
		return
	}
	q := r.URL.Query()
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || s.now().Unix() > expires || !hmac.Equal([]byte(q.Get("signature")), []byte(s.sign(path, expires))) {
		storageError(w, r, http.StatusForbidden, "SignatureDoesNotMatch")
		return
	}
	for k, v := range s.cfg.storageHeaders {
		if got, ok := r.Header[http.CanonicalHeaderKey(k)]; !ok || len(got) != 1 || got[0] != v {
			storageError(w, r, http.StatusForbidden, "AccessDenied")
			return
		}
	}
	if r.ContentLength < 0 {
		storageError(w, r, http.StatusLengthRequired, "MissingContentLength")
		return
	}
	if r.ContentLength > s.cfg.maxUploadSize {
		// Refused from the header alone, as S3 does: reading (or draining) a
		// body over the limit would only waste time, so the connection closes.
		w.Header().Set("Connection", "close")
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>EntityTooLarge</Code></Error>`)
		return
	}
	s.mu.Lock()
	obj := s.objects[path]
	s.mu.Unlock()
	if obj == nil { // cannot happen with a valid signature, but never trust that
		storageError(w, r, http.StatusForbidden, "AccessDenied")
		return
	}
	b, err := s.writeBlob(r.Body, r.ContentLength, obj.filename)
	if err != nil {
		// A short body or a broken connection: nothing is stored.
		storageError(w, r, http.StatusBadRequest, "IncompleteBody")
		return
	}
	s.mu.Lock()
	s.retainLocked(b)
	if obj.blob != nil { // a second PUT to the same path overwrites
		s.releaseLocked(obj.blob)
	}
	obj.blob = b
	s.mu.Unlock()
	w.Header().Set("ETag", `"`+b.md5+`"`)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(s.cfg.storageStatus)
}

// storageError answers like S3 (XML body). It first drains the request body:
// answering before reading a large upload makes clients see a broken pipe
// instead of the status, and tests of the client's retry logic need the status.
func storageError(w http.ResponseWriter, r *http.Request, status int, code string) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code></Error>`, code)
}

// serveAsset is GET /assets/<path>: the public url of an upload. It serves
// the current bytes of the upload whose current path is <path>, streamed
// from disk, so a replaced or renamed upload's old url is 404. A quarantined
// (infected) upload's url is 410 Gone: DatoCMS says only that it "will no
// longer serve any content" (API §6.12); 410 tells a person with curl why.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f, mimeType, modTime, err := s.openAsset(r.URL.Path[len("/assets"):])
	switch {
	case errors.Is(err, errQuarantined):
		http.Error(w, "quarantined by the antivirus", http.StatusGone)
		return
	case err != nil:
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", mimeType)
	http.ServeContent(w, r, "", modTime, f)
}

var (
	errNoAsset     = errors.New("no upload has this path")
	errQuarantined = errors.New("the antivirus quarantined this file")
)

// openAsset opens the file under the lock, so a concurrent delete cannot
// remove it between lookup and open (an open file stays readable).
func (s *Server) openAsset(path string) (*os.File, string, time.Time, error) {
	s.lock()
	defer s.mu.Unlock()
	rec, err := s.assetLocked(path)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	f, err := os.Open(rec.blob.file)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	mt := "application/octet-stream"
	if rec.MimeType != nil {
		mt = *rec.MimeType
	}
	return f, mt, rec.UpdatedAt, nil
}

// assetLocked finds the upload whose file its url at path serves.
// Open question §10.14: storage is shared by all environments, so uploads
// made from one path in two environments share the bytes; each keeps its
// own hold on them, and deleting one never removes the other's file.
func (s *Server) assetLocked(path string) (*uploadRecord, error) {
	for _, name := range s.cfg.environments { // primary first: a stable choice if envs share a path
		for _, rec := range s.envs[name].uploads {
			if rec.Path != path {
				continue
			}
			if rec.Antivirus.Status == "infected" {
				return nil, errQuarantined
			}
			return rec, nil
		}
	}
	return nil, errNoAsset
}
