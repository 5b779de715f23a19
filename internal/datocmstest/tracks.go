package datocmstest

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Upload tracks (API §6.12): subtitles and extra audio tracks of a video upload. POST
// /uploads/:upload_id/tracks creates one, GET lists an upload's tracks, DELETE removes one;
// there is no update. Create and delete answer 202 + job, as the official client's types
// say (UploadTrackCreateJobSchema, UploadTrackDestroyJobSchema), or 201/200 at once with
// WithSyncTracks. A new track is "preparing" for WithTrackDelay, then "ready", or "errored"
// with an error: when its subtitles file is neither WebVTT nor SRT, or when a track_error
// fault rule (FailNextTracks) fires.

// Track is a neutral Go view of an upload track.
type Track struct {
	ID, UploadID   string
	Type           string // subtitles or audio
	Name           *string
	LanguageCode   string
	ClosedCaptions bool
	Status         string  // preparing, ready or errored
	Error          *string // why it errored
	CreatedAt      time.Time
}

func (t Track) clone() Track {
	t.Name, t.Error = clonePtr(t.Name), clonePtr(t.Error)
	return t
}

type jsonTrack struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Attributes struct {
		Type           string  `json:"type"`
		Name           *string `json:"name"`
		LanguageCode   string  `json:"language_code"`
		ClosedCaptions bool    `json:"closed_captions"`
		Status         string  `json:"status"`
		Error          *string `json:"error"`
	} `json:"attributes"`
	Relationships struct {
		Upload jsonRel `json:"upload"`
	} `json:"relationships"`
}

func renderTrack(t Track) jsonTrack {
	t = t.clone()
	out := jsonTrack{Type: "upload_track", ID: t.ID}
	a := &out.Attributes
	a.Type, a.Name, a.LanguageCode, a.ClosedCaptions, a.Status, a.Error = t.Type, t.Name, t.LanguageCode, t.ClosedCaptions, t.Status, t.Error
	out.Relationships.Upload.Data = &jsonRef{Type: "upload", ID: t.UploadID}
	return out
}

// trackSpec is a validated create body.
type trackSpec struct {
	typ, source, languageCode string
	name                      *string
	closedCaptions            bool
}

var (
	trackAttrs = []string{"type", "url_or_upload_request_id", "name", "language_code", "closed_captions"}
	// languageCodeRE is a loose BCP 47 check: a language of 2 or 3 letters, then subtags.
	languageCodeRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)
)

// parseTrackSpec validates a create body. The nested details codes (VALIDATION_REQUIRED
// for a missing attribute, INVALID_FORMAT for a wrong one) are our choice: the real ones
// are not documented.
func parseTrackSpec(doc resourceDoc) (trackSpec, *apiError) {
	if doc.hasID && doc.id != nil { // tracks have no client-chosen id (UploadTrackCreateSchema)
		return trackSpec{}, errInvalidFormat("id")
	}
	for _, key := range slices.Sorted(maps.Keys(doc.attrs)) {
		if !slices.Contains(trackAttrs, key) {
			return trackSpec{}, errUnprocessable("INVALID_ATTRIBUTES", map[string]any{"field": key})
		}
	}
	var spec trackSpec
	for _, f := range []struct {
		name  string
		dst   *string
		valid func(string) bool
	}{
		{"type", &spec.typ, func(v string) bool { return v == "subtitles" || v == "audio" }},
		{"url_or_upload_request_id", &spec.source, func(v string) bool { return v != "" }},
		{"language_code", &spec.languageCode, languageCodeRE.MatchString},
	} {
		v, ok := doc.attrs[f.name]
		if !ok || v == nil {
			return trackSpec{}, errInvalidField(f.name, "VALIDATION_REQUIRED")
		}
		str, isStr := v.(string)
		if !isStr || !f.valid(str) {
			return trackSpec{}, errInvalidField(f.name, "INVALID_FORMAT")
		}
		*f.dst = str
	}
	if v := doc.attrs["name"]; v != nil {
		str, ok := v.(string)
		if !ok {
			return trackSpec{}, errInvalidField("name", "INVALID_FORMAT")
		}
		spec.name = &str
	}
	if v := doc.attrs["closed_captions"]; v != nil {
		b, ok := v.(bool)
		if !ok {
			return trackSpec{}, errInvalidField("closed_captions", "INVALID_FORMAT")
		}
		spec.closedCaptions = b
	}
	return spec, nil
}

// tracksEditableLocked refuses a track change outside the primary environment unless
// Behaviour.SandboxTracks allows it.
func (s *Server) tracksEditableLocked(e *envStore) *apiError {
	if e.name != s.cfg.environments[0] && s.behaviour.SandboxTracks != "allow" {
		return errUnprocessable("IMMUTABLE_UPLOAD_TRACKS_IN_SANDBOX_ENVIRONMENT", map[string]any{"environment": e.name})
	}
	return nil
}

// handleCreateTrack is POST /uploads/:upload_id/tracks. Everything a request can get wrong
// is refused at once with 422; what goes wrong while the track is prepared (a subtitles
// file of the wrong format, a failed download, a track_error fault) gives an "errored"
// track. Our choice, unverified: a non-video upload is a synchronous 422 NOT_A_VIDEO (the
// code the official client's test expects).
func handleCreateTrack(c *call) (int, any, error) {
	doc, err := c.resource("upload_track")
	if err != nil {
		return 0, nil, err
	}
	s, e, uploadID := c.s, c.env, c.params[0]
	s.lock()
	defer s.mu.Unlock()
	rec := e.uploads[uploadID]
	if rec == nil {
		return 0, nil, errNotFound()
	}
	if aerr := s.tracksEditableLocked(e); aerr != nil {
		return 0, nil, aerr
	}
	if rec.blob.facts.video == nil {
		return 0, nil, errUnprocessable("NOT_A_VIDEO", map[string]any{"field": "upload"})
	}
	spec, aerr := parseTrackSpec(doc)
	if aerr != nil {
		return 0, nil, aerr
	}
	head, problem, err := s.trackSourceLocked(spec.source, c.base())
	if err != nil {
		return 0, nil, err
	}
	if problem == "" && spec.typ == "subtitles" && !isSubtitles(head) {
		problem = "The subtitles file is neither WebVTT nor SRT"
	}
	if msg, failed := s.faults.trackError(c.jobRules); failed {
		problem = msg
	}
	create := func(now time.Time) *Track {
		t := &Track{
			ID: newEntityID(), UploadID: uploadID, Type: spec.typ, Name: clonePtr(spec.name),
			LanguageCode: spec.languageCode, ClosedCaptions: spec.closedCaptions, Status: "preparing", CreatedAt: now,
		}
		e.tracks[uploadID] = append(e.tracks[uploadID], t)
		s.afterLocked(now.Add(s.cfg.trackDelay), func(time.Time) {
			t.Status = "ready"
			if problem != "" {
				t.Status, t.Error = "errored", &problem
			}
		})
		return t
	}
	if s.cfg.syncTracks {
		return http.StatusCreated, map[string]any{"data": renderTrack(*create(s.now()))}, nil
	}
	return s.startJobLocked(c, func(now time.Time) jobOutcome {
		if e.uploads[uploadID] != rec { // deleted while the job ran
			return errorOutcome(errNotFound())
		}
		return trackOutcome(http.StatusCreated, create(now))
	}, nil)
}

// trackHeadSize is how much of a track's file is read to tell its format.
const trackHeadSize = 1024

// trackSourceLocked reads the start of the file a track is made from: the bytes PUT to an
// upload request (as path takes them for an upload), or a URL of this server, which it
// reads directly. The server never reaches the network, so any other URL is refused with
// 422. A URL of this server that serves nothing gives problem, a track that errors, as a
// failed download would. A file that cannot be read is the server's own failure: the
// error goes back as is, and serveCMA answers it with 500 EXCEPTION.
func (s *Server) trackSourceLocked(source, base string) (head []byte, problem string, err error) {
	const field = "url_or_upload_request_id"
	if !strings.HasPrefix(source, "http://") && !strings.HasPrefix(source, "https://") {
		obj := s.objects[source]
		if obj == nil || obj.blob == nil {
			return nil, "", errInvalidField(field, "INVALID_FORMAT")
		}
		head, err = readHead(obj.blob.file)
		return head, "", err
	}
	u, err := url.Parse(source)
	if err != nil || !strings.HasPrefix(source, base+"/") {
		e := errInvalidField(field, "INVALID_FORMAT")
		e.details["message"] = "datocms-local never reaches the network: a track URL must be one of its own (" +
			base + "/_local/files/<name> or an upload's url)"
		return nil, "", e
	}
	failed := "Could not download " + source
	switch {
	case strings.HasPrefix(u.Path, filesPrefix):
		b, ok := s.files.download(strings.TrimPrefix(u.Path, filesPrefix))
		if !ok {
			return nil, failed + ": 404 Not Found", nil
		}
		return b[:min(len(b), trackHeadSize)], "", nil
	case strings.HasPrefix(u.Path, "/assets/"):
		if rec, _ := s.assetLocked(strings.TrimPrefix(u.Path, "/assets")); rec != nil {
			head, err = readHead(rec.blob.file)
			return head, "", err
		}
		return nil, failed + ": the url serves no file", nil
	}
	return nil, failed + ": 404 Not Found", nil
}

// readHead reads the first trackHeadSize bytes of a blob's file.
func readHead(file string) ([]byte, error) {
	f, err := os.Open(file) //nolint:gosec // G703: a blob's file name is server-generated (writeBlob), not request input.
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, trackHeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return head[:n], nil
}

var (
	webVTTRE = regexp.MustCompile(`^WEBVTT([ \t\r\n]|$)`)
	srtRE    = regexp.MustCompile(`^\s*\d+\r?\n\d+:\d\d:\d\d,\d{3} --> `)
)

// isSubtitles tells WebVTT and SRT files by their start, after a byte order mark. Mux
// takes only those two formats for subtitles.
func isSubtitles(head []byte) bool {
	text := strings.TrimPrefix(string(head), "\ufeff")
	return webVTTRE.MatchString(text) || srtRE.MatchString(text)
}

// handleListTracks is GET /uploads/:upload_id/tracks: the upload's tracks, oldest first.
func handleListTracks(c *call) (int, any, error) {
	s := c.s
	s.lock()
	defer s.mu.Unlock()
	if c.env.uploads[c.params[0]] == nil {
		return 0, nil, errNotFound()
	}
	data := []jsonTrack{}
	for _, t := range c.env.tracks[c.params[0]] {
		data = append(data, renderTrack(*t))
	}
	return http.StatusOK, map[string]any{"data": data}, nil
}

// handleDeleteTrack is DELETE /uploads/:upload_id/tracks/:track_id: 202 + job whose result
// is 200 with the deleted track (or 200 at once with WithSyncTracks).
func handleDeleteTrack(c *call) (int, any, error) {
	s, e := c.s, c.env
	uploadID, trackID := c.params[0], c.params[1]
	s.lock()
	defer s.mu.Unlock()
	if e.uploads[uploadID] == nil || e.trackLocked(uploadID, trackID) == nil {
		return 0, nil, errNotFound()
	}
	if aerr := s.tracksEditableLocked(e); aerr != nil {
		return 0, nil, aerr
	}
	if s.cfg.syncTracks {
		return http.StatusOK, map[string]any{"data": renderTrack(*e.removeTrackLocked(uploadID, trackID))}, nil
	}
	return s.startJobLocked(c, func(time.Time) jobOutcome {
		t := e.removeTrackLocked(uploadID, trackID)
		if t == nil { // deleted while the job ran
			return errorOutcome(errNotFound())
		}
		return trackOutcome(http.StatusOK, t)
	}, nil)
}

func (e *envStore) trackLocked(uploadID, trackID string) *Track {
	for _, t := range e.tracks[uploadID] {
		if t.ID == trackID {
			return t
		}
	}
	return nil
}

// removeTrackLocked removes a track and returns it, or nil when there is none.
func (e *envStore) removeTrackLocked(uploadID, trackID string) *Track {
	t := e.trackLocked(uploadID, trackID)
	if t != nil {
		e.tracks[uploadID] = slices.DeleteFunc(e.tracks[uploadID], func(x *Track) bool { return x == t })
	}
	return t
}

// Tracks returns copies of the tracks of upload uploadID in env, oldest first: none
// when the upload does not exist.
func (s *Server) Tracks(env, uploadID string) []Track {
	e := s.env(env)
	if e == nil {
		return nil
	}
	s.lock()
	defer s.mu.Unlock()
	out := []Track{}
	for _, t := range e.tracks[uploadID] {
		out = append(out, t.clone())
	}
	return out
}

// DeleteTrack deletes a track of an upload, as a person does in the Media Area: without a
// request, job or fault rule, in any environment.
func (s *Server) DeleteTrack(env, uploadID, trackID string) error {
	s.lock()
	defer s.mu.Unlock()
	if _, err := s.findLocked(env, uploadID); err != nil {
		return err
	}
	if s.env(env).removeTrackLocked(uploadID, trackID) == nil {
		return testErr(http.StatusNotFound, "no track %q on upload %q", trackID, uploadID)
	}
	return nil
}
