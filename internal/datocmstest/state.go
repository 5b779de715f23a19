package datocmstest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// FocalPoint is the single focal point of an asset (API §5.3).
type FocalPoint struct{ X, Y float64 }

// LocaleMetadata is the per-locale part of default_field_metadata.
type LocaleMetadata struct {
	Alt, Title *string
	CustomData map[string]any
}

// Upload is a neutral Go view of an upload, independent of the wire shape.
type Upload struct {
	ID, Path, Basename, Filename, URL, MD5 string
	Size                                   int64
	Format, MimeType                       *string
	Width, Height                          *int
	IsImage                                bool
	Author, Copyright, Notes               *string
	Tags, SmartTags                        []string
	Metadata                               map[string]LocaleMetadata // per locale alt/title/custom_data
	FocalPoint                             *FocalPoint               // ONE per asset (API §5.3): legacy shape copies it into every locale on read
	PosterTime                             *float64
	UploadCollectionID                     *string
	Blurhash, Thumbhash                    *string
	Antivirus                              Antivirus // meta.antivirus
	Duration, FrameRate                    *float64  // videos only, once Mux has processed them
	MuxPlaybackID, MuxMP4HighestRes        *string   // likewise
	CreatedAt, UpdatedAt                   time.Time
}

// envStore holds one environment's data. Environments never share uploads,
// collections or jobs (API §2). Guarded by Server.mu.
type envStore struct {
	name         string
	nonLocalized bool // field-keyed default_field_metadata shape
	uploads      map[string]*uploadRecord
	reserved     map[string]bool        // ids a pending create job will use
	collections  map[string]*collection // upload collections
	jobs         map[string]*job
	itemTypes    map[string]string            // model API key -> item type id
	records      map[string]*record           // records that reference uploads, by id
	refs         map[string]map[string]string // upload id -> record id -> Reference.Version of the reference
	tracks       map[string][]*Track          // upload id -> its tracks, oldest first
}

func newEnvStore(name string, nonLocalized bool) *envStore {
	return &envStore{
		name:         name,
		nonLocalized: nonLocalized,
		uploads:      map[string]*uploadRecord{},
		reserved:     map[string]bool{},
		collections:  map[string]*collection{},
		jobs:         map[string]*job{},
		itemTypes:    map[string]string{},
		records:      map[string]*record{},
		refs:         map[string]map[string]string{},
		tracks:       map[string][]*Track{},
	}
}

// idTaken reports whether a create may not use id: it exists or a pending
// job is about to create it.
func (e *envStore) idTaken(id string) bool { return e.uploads[id] != nil || e.reserved[id] }

// sortedUploads returns the env's uploads in API list order: created_at, then id.
func (e *envStore) sortedUploads() []*uploadRecord {
	out := slices.Collect(maps.Values(e.uploads))
	slices.SortFunc(out, func(a, b *uploadRecord) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// uploadRecord is an upload as stored: the neutral view plus the file it
// points at. Upload.URL is not kept here: it depends on the base URL and is
// filled in when the upload leaves the store.
type uploadRecord struct {
	Upload
	blob    *blob
	scanGen int // counts scans started and verdicts set (processing.go)
	fileGen int // counts files, for Mux
}

// env returns the store for name ("" = primary), or nil. The envs map is
// fixed after New, so the lookup needs no lock; the store's contents do.
func (s *Server) env(name string) *envStore {
	if name == "" {
		name = s.cfg.environments[0]
	}
	return s.envs[name]
}

func (s *Server) envOrErr(name string) (*envStore, error) {
	if e := s.env(name); e != nil {
		return e, nil
	}
	return nil, testErr(http.StatusBadRequest, "unknown environment %q", name)
}

// lock takes the state mutex and first completes every job whose time has
// come, so anything that looks at the state (HTTP or Go API) sees jobs
// applied exactly when they are due, without background goroutines.
func (s *Server) lock() {
	s.mu.Lock()
	now := s.now()
	s.settleJobsLocked(now)
	s.settleLaterLocked(now)
}

// newPath builds a storage path /<site>/<unix><seq>-<name>. The sequence
// number makes paths unique even within one second.
func (s *Server) newPath(name string, now time.Time) string {
	return fmt.Sprintf("/%s/%d%d-%s", s.cfg.siteID, now.Unix(), s.seq.Add(1), name)
}

// vacatePathLocked forgets the storage object at rec's path when it holds
// rec's file: the upload and that object are one file in real storage, so
// when the upload moves away from the path or gets new bytes or is deleted,
// the old bytes go too (and leave the disk once nothing else uses them).
func (s *Server) vacatePathLocked(rec *uploadRecord) {
	if obj := s.objects[rec.Path]; obj != nil && obj.blob != nil && obj.blob == rec.blob {
		s.releaseLocked(obj.blob)
		delete(s.objects, rec.Path)
	}
}

// setBlobLocked points rec at b, which arrived at now, copies b's content-derived
// attributes and starts the scan and Mux's processing of the new file.
func (s *Server) setBlobLocked(rec *uploadRecord, b *blob, now time.Time, delays processingDelays) {
	s.vacatePathLocked(rec)
	s.retainLocked(b)
	if rec.blob != nil {
		s.releaseLocked(rec.blob)
	}
	rec.blob = b
	rec.MD5, rec.Size = b.md5, b.size
	rec.Format, rec.MimeType = clonePtr(b.facts.format), clonePtr(b.facts.mimeType)
	rec.Width, rec.Height = clonePtr(b.facts.width), clonePtr(b.facts.height)
	rec.IsImage = b.facts.isImage
	rec.Blurhash, rec.Thumbhash = nil, nil
	if b.facts.decoded {
		bh, th := fakeHashes(b.md5)
		rec.Blurhash, rec.Thumbhash = &bh, &th
	}
	s.processFileLocked(rec, now, delays)
}

// publish gives rec a new file name and storage path; the old path stops
// serving because assets are looked up by an upload's current path.
func (rec *uploadRecord) publish(path, filename string) {
	rec.Path, rec.Filename = path, filename
	rec.Basename, _ = splitName(filename)
}

// replacedName is the file name of rec once its file is replaced by one named filename
// (Behaviour.ReplacedFileName): the new file's, or rec's basename with the new extension.
func (s *Server) replacedName(rec *uploadRecord, filename string) string {
	if s.behaviour.ReplacedFileName != "keep" {
		return filename
	}
	_, ext := splitName(filename)
	return rec.Basename + ext
}

// renameLocked renames rec to basename, keeping its extension, under a new path.
func (s *Server) renameLocked(rec *uploadRecord, basename string, now time.Time) {
	s.vacatePathLocked(rec)
	_, ext := splitName(rec.Filename)
	rec.publish(s.newPath(basename+ext, now), basename+ext)
}

// deleteUploadLocked removes rec from e and frees its file. Records that
// referenced it stay, with a missing asset, as on DatoCMS (API §8.3); the
// references and the upload's tracks go with it.
func (s *Server) deleteUploadLocked(e *envStore, rec *uploadRecord) {
	s.vacatePathLocked(rec)
	for recordID := range e.refs[rec.ID] {
		e.unreferenceLocked(rec.ID, recordID)
	}
	delete(e.uploads, rec.ID)
	delete(e.tracks, rec.ID)
	if rec.blob != nil {
		s.releaseLocked(rec.blob)
		rec.blob = nil
	}
}

// view returns a deep copy of rec with URL filled from base.
func (rec *uploadRecord) view(base string) Upload {
	u := rec.clone()
	u.URL = assetURL(base, u.Path)
	return u
}

func assetURL(base, path string) string { return base + "/assets" + path }

// clone deep-copies u so callers can never reach the server's state.
func (u Upload) clone() Upload {
	c := u
	c.Format, c.MimeType = clonePtr(u.Format), clonePtr(u.MimeType)
	c.Width, c.Height = clonePtr(u.Width), clonePtr(u.Height)
	c.Author, c.Copyright, c.Notes = clonePtr(u.Author), clonePtr(u.Copyright), clonePtr(u.Notes)
	c.Tags, c.SmartTags = cloneStrings(u.Tags), cloneStrings(u.SmartTags)
	c.Metadata = cloneMetadata(u.Metadata)
	c.FocalPoint, c.PosterTime = clonePtr(u.FocalPoint), clonePtr(u.PosterTime)
	c.UploadCollectionID = clonePtr(u.UploadCollectionID)
	c.Blurhash, c.Thumbhash = clonePtr(u.Blurhash), clonePtr(u.Thumbhash)
	c.Antivirus.CheckedAt, c.Antivirus.ThreatName = clonePtr(u.Antivirus.CheckedAt), clonePtr(u.Antivirus.ThreatName)
	c.Duration, c.FrameRate = clonePtr(u.Duration), clonePtr(u.FrameRate)
	c.MuxPlaybackID, c.MuxMP4HighestRes = clonePtr(u.MuxPlaybackID), clonePtr(u.MuxMP4HighestRes)
	return c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cloneStrings copies a list, turning nil into an empty list because tags
// and smart_tags are never null on the wire.
func cloneStrings(s []string) []string { return append([]string{}, s...) }

func cloneMetadata(m map[string]LocaleMetadata) map[string]LocaleMetadata {
	out := make(map[string]LocaleMetadata, len(m))
	for loc, lm := range m {
		out[loc] = LocaleMetadata{Alt: clonePtr(lm.Alt), Title: clonePtr(lm.Title), CustomData: cloneObject(lm.CustomData)}
	}
	return out
}

func cloneObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return cloneMap(m)
}

// cloneMap deep-copies a JSON object; unlike cloneObject it never returns nil.
func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[k] = cloneJSON(x)
	}
	return out
}

// cloneJSON deep-copies a value decoded from JSON (maps, slices, scalars).
func cloneJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneMap(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = cloneJSON(x)
		}
		return out
	default:
		return v
	}
}
