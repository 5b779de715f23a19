// Package createjournal makes an apply that was killed in the middle (kill -9 of terraform
// or of the provider, a CI runner that died, a reboot) recoverable without duplicates, and
// without ever handing one configuration's upload to another.
//
// Terraform records a new upload in state only when Create returns and the state is saved;
// an upload that DatoCMS accepted before a crash is then in DatoCMS but in no state. So
// before each create is sent, the provider writes an entry naming the upload ID it chose,
// the file (its path or inline name, and MD5) and its owner: the root module directory, the
// Terraform workspace and the machine. An entry moves through three stages:
//
//   - started: the create is being sent. If the Terraform process that ran it is gone and
//     the entry is still started, Create never returned: the next create of the same file,
//     content and owner adopts the upload instead of uploading it again.
//   - returned: Create handed its result to Terraform. Such an entry is never adopted; if no
//     plan ever sees its upload in state (a -target run, a state that was not saved), a plan
//     of the same file and owner warns and shows the import block.
//   - seen: a later plan found the upload in state; the entry is removed.
//
// Entries expire after MaxAge. The journal lives in the provider's cache directory (see
// internal/cachedir), one directory per DatoCMS API, site and environment (a scope).
package createjournal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
)

// MaxAge is how long an entry is kept: a crashed apply is re-run within days, and an entry
// older than this could only be a wrong guess.
const MaxAge = 7 * 24 * time.Hour

// Stage of an entry.
type Stage string

const (
	// Started is the stage of a create being sent, or that never returned to terraform.
	Started Stage = "started"
	// Returned is the stage of a create that handed its result to terraform.
	Returned Stage = "returned"
)

// Entry is the journal's record of one create.
type Entry struct {
	UploadID  string    `json:"upload_id"`
	JobID     string    `json:"job_id,omitempty"`
	Key       string    `json:"key"` // the source file's absolute path, or the inline content's name
	MD5       string    `json:"md5"`
	Owner     Owner     `json:"owner"`
	Terraform Process   `json:"terraform"` // the terraform process that ran the create
	Stage     Stage     `json:"stage"`
	CreatedAt time.Time `json:"created_at"`
	// Before lists what existed before the create, for creates whose result DatoCMS names
	// itself (an upload's tracks): what appeared since, and only that, may be adopted.
	Before []string `json:"before,omitempty"`
}

// Journal is the create journal in a checked cache directory. A nil *Journal (no usable
// cache directory) records nothing and finds nothing.
type Journal struct {
	root *cachedir.Root
	now  func() time.Time
}

// Open returns the journal kept in root, or nil when root is nil.
func Open(root *cachedir.Root) *Journal {
	if root == nil {
		return nil
	}
	return &Journal{root: root, now: time.Now}
}

// Scope names the DatoCMS environment entries belong to.
func Scope(baseURL, siteID, environment string) string {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + siteID + "\x00" + environment))
	return hex.EncodeToString(sum[:12])
}

const dirName = "creates"

// entryName is the file name of uploadID's entry.
func entryName(uploadID string) string { return uploadID + ".json" }

// entryPath is the path of uploadID's entry in scope.
func (j *Journal) entryPath(scope, uploadID string) string {
	return j.root.Path(dirName, scope, entryName(uploadID))
}

// validID keeps an upload ID usable as a file name (DatoCMS IDs are base64url or digits).
func validID(id string) bool {
	return id != "" && !strings.ContainsAny(id, `/\.`) && len(id) <= 64
}

// Record writes (or rewrites) an entry. A journal that cannot be written only loses the
// ability to adopt after a crash; callers report the error and go on.
func (j *Journal) Record(scope string, e Entry) error {
	if j == nil {
		return nil
	}
	if !validID(e.UploadID) {
		return errors.New("createjournal: invalid upload ID")
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	// WriteFile writes through a temporary file in the entry's directory, which another
	// Forget cannot remove while it holds it.
	return j.root.WriteFile(entryName(e.UploadID), raw, dirName, scope)
}

// MarkReturned moves the entry of uploadID to the returned stage.
func (j *Journal) MarkReturned(scope, uploadID string) error {
	e, ok := j.Entry(scope, uploadID)
	if !ok {
		return nil
	}
	e.Stage = Returned
	return j.Record(scope, e)
}

// Forget removes the entry of an upload that is tracked in state (or known never to have
// been created), and the directories that are then empty. It reports whether this call
// removed it, which makes a claim exclusive.
func (j *Journal) Forget(scope, uploadID string) bool {
	if j == nil || !validID(uploadID) {
		return false
	}
	removed := os.Remove(j.entryPath(scope, uploadID)) == nil
	if removed {
		j.root.RemoveEmpty(dirName, scope)
	}
	return removed
}

// Entry returns the entry of uploadID, if the journal has a trusted one.
func (j *Journal) Entry(scope, uploadID string) (Entry, bool) {
	if j == nil || !validID(uploadID) {
		return Entry{}, false
	}
	return j.read(j.entryPath(scope, uploadID))
}

// read reads an entry file the user running the provider wrote, and that nobody else could
// have; an expired entry is removed.
func (j *Journal) read(name string) (Entry, bool) {
	f, err := os.Open(name) //nolint:gosec // a file of the checked cache directory
	if err != nil {
		return Entry{}, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !cachedir.TrustedFile(info) || info.Size() > 64<<10 {
		return Entry{}, false
	}
	var e Entry
	if json.NewDecoder(f).Decode(&e) != nil || !validID(e.UploadID) || entryName(e.UploadID) != filepath.Base(name) {
		return Entry{}, false
	}
	if j.now().Sub(e.CreatedAt) > MaxAge {
		_ = os.Remove(name)
		return Entry{}, false
	}
	return e, true
}

// entries returns the scope's entries, oldest first.
func (j *Journal) entries(scope string) []Entry {
	if j == nil {
		return nil
	}
	dir := j.root.Path(dirName, scope)
	list, err := os.ReadDir(dir)
	if err != nil { // none yet, or unreadable: nothing to adopt or warn about either way
		return nil
	}
	var out []Entry
	for _, d := range list {
		if filepath.Ext(d.Name()) != ".json" {
			continue
		}
		if e, ok := j.read(filepath.Join(dir, d.Name())); ok {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// Adoptable returns the entries a create of this file (key and md5) by owner may adopt:
// creates of the same owner that never returned, whose terraform process is gone.
func (j *Journal) Adoptable(scope string, owner Owner, key, md5 string) []Entry {
	// Gone reads the process table: asked only of the entries that match otherwise.
	return slices.DeleteFunc(j.matching(scope, Started, owner, key, md5), func(e Entry) bool { return !e.Terraform.Gone() })
}

// Unseen returns the entries of uploads that owner created from this file and content,
// whose creates returned, but which no plan has seen in state since.
func (j *Journal) Unseen(scope string, owner Owner, key, md5 string) []Entry {
	return j.matching(scope, Returned, owner, key, md5)
}

// matching returns the scope's entries at stage of creates of this file (key and md5) by
// owner, oldest first: what Adoptable and Unseen both start from.
func (j *Journal) matching(scope string, stage Stage, owner Owner, key, md5 string) []Entry {
	return slices.DeleteFunc(j.entries(scope), func(e Entry) bool {
		return e.Stage != stage || e.Owner != owner || e.Key != key || e.MD5 != md5
	})
}
