package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// createJournal makes an apply that was killed in the middle (kill -9 of terraform or of
// the provider, a CI runner that died) recoverable without duplicates. Terraform records a
// new upload in state only when Create returns and the state is persisted; an upload that
// DatoCMS accepted before the crash is then in DatoCMS but in no state.
//
// Before each create is sent, the provider writes an entry naming the upload ID it chose
// (with the source file, its MD5 and the terraform process running the apply). Any later
// plan that sees that ID in state removes the entry: the upload is tracked. An entry that
// is still there when a new create of the same file and content runs, and whose terraform
// process is gone, can only be an upload created by a run that never recorded it; that
// create adopts it instead of uploading a duplicate. Entries live in the user's cache
// directory, per API base URL, site and environment. A machine that lost them (a fresh CI
// runner) falls back to the plan-time warning about uploads with the same content.
type createJournal struct {
	dir string
}

type journalEntry struct {
	UploadID  string    `json:"upload_id"`
	JobID     string    `json:"job_id,omitempty"`
	Source    string    `json:"source"` // absolute path
	MD5       string    `json:"md5"`
	Run       int       `json:"run"` // PID of the terraform process that ran the create
	CreatedAt time.Time `json:"created_at"`
}

// openCreateJournal returns the journal, or nil when there is no cache directory.
func openCreateJournal() *createJournal {
	base, err := os.UserCacheDir()
	if err != nil {
		return nil
	}
	return &createJournal{dir: filepath.Join(base, "terraform-provider-datocms", "creates")}
}

// journalScope names the DatoCMS environment a journal entry belongs to.
func journalScope(baseURL, siteID, environment string) string {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + siteID + "\x00" + environment))
	return hex.EncodeToString(sum[:12])
}

func (j *createJournal) file(scope, uploadID string) string {
	return filepath.Join(j.dir, scope, uploadID+".json")
}

// record writes (or rewrites) an entry. A journal that cannot be written only loses the
// ability to adopt after a crash, so callers ignore the error after logging it.
func (j *createJournal) record(scope string, e journalEntry) error {
	if j == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(j.dir, scope), 0o700); err != nil {
		return err
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	tmp := j.file(scope, e.UploadID) + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, j.file(scope, e.UploadID))
}

// forget removes the entry of an upload that is tracked in state (or known to be gone).
// It reports whether this call removed it, which makes a claim exclusive.
func (j *createJournal) forget(scope, uploadID string) bool {
	if j == nil {
		return false
	}
	return os.Remove(j.file(scope, uploadID)) == nil
}

// orphans returns the entries of scope for this file and content whose terraform process
// is no longer running (a run that ended without recording them), oldest first.
func (j *createJournal) orphans(scope, source, md5 string) []journalEntry {
	if j == nil {
		return nil
	}
	dirEntries, err := os.ReadDir(filepath.Join(j.dir, scope))
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return nil
	}
	var out []journalEntry
	for _, d := range dirEntries {
		if filepath.Ext(d.Name()) != ".json" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(j.dir, scope, d.Name()))
		var e journalEntry
		if err != nil || json.Unmarshal(raw, &e) != nil {
			continue
		}
		if e.Source == source && e.MD5 == md5 && e.Run != os.Getppid() && !processAlive(e.Run) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b journalEntry) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}
