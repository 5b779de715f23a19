// Package planreview turns the JSON of a Terraform plan (terraform show -json plan.out) into
// a review of the DatoCMS asset changes in it, for the people who review a pull request:
// Markdown for a pull-request comment, and an HTML page that shows the images before and
// after side by side.
//
// It reads the plan only (and, for the HTML page, the local files the plan uploads): no
// provider and no terraform binary. Build makes one model of the changes, and both
// renderers show its rows, so a comment and a page never disagree.
package planreview

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// The resource types a review covers.
const (
	typeUpload     = "datocms_upload"
	typeMetadata   = "datocms_upload_metadata"
	typeCollection = "datocms_upload_collection"
)

// Kind sorts the changes of a plan for the summary line.
type Kind int

// The kinds of changes.
const (
	KindNew        Kind = iota // a new upload
	KindFile                   // a new file for an existing upload
	KindMetadata               // metadata only
	KindDestroyed              // an upload deleted
	KindReplaced               // an upload deleted and created again, under a new ID
	KindCollection             // an upload collection created, changed or deleted
)

// Review is what a plan does to DatoCMS assets.
type Review struct {
	Changes []Asset // what applying the plan does, in the plan's order
	Drift   []Asset // what changed outside Terraform since the last apply
}

// Asset is one resource that changes: an upload, the metadata of one, or a collection.
type Asset struct {
	Address string
	Action  string // what happens, for a heading: "create", "update in place (new file)", ...
	Kind    Kind
	// UploadID is the upload as DatoCMS holds it before the change: the one whose records
	// the review lists. It is "" for a new upload and for a collection.
	UploadID string
	Rows     []Row
	// Before and After are the pictures of an upload; both are zero for metadata-only
	// resources and collections, which have no file.
	Before, After Image
}

// HasPictures reports whether the asset has a file to show.
func (a Asset) HasPictures() bool { return a.Before != (Image{}) || a.After != (Image{}) }

// Compares reports whether any row of the asset shows a value changing.
func (a Asset) Compares() bool {
	for _, r := range a.Rows {
		if r.Changes() {
			return true
		}
	}
	return false
}

// Row is one fact or change of an asset, such as "Size: 3.7 KiB → 5.4 KiB". A side that
// does not apply (before a create, after a destroy, or a one-sided note) is empty.
type Row struct {
	Label         string
	Before, After Text
}

// Changes reports whether the row shows a value changing: then both sides are shown, with
// an arrow; otherwise its one value is.
func (r Row) Changes() bool {
	return len(r.Before) > 0 && len(r.After) > 0 && !slices.Equal(r.Before, r.After)
}

// Value is what a row that does not change shows.
func (r Row) Value() Text {
	if len(r.After) > 0 {
		return r.After
	}
	return r.Before
}

// Text is a value as the review shows it: words of the review, and code, which is text
// taken from the plan and shown verbatim (file names, alt texts, tags).
type Text []Span

// Span is a run of text, code or not.
type Span struct {
	S    string
	Code bool
}

func plain(s string) Text { return Text{{S: s}} }
func code(s string) Text  { return Text{{S: s, Code: true}} }

// Image is a picture of an upload on one side of a change: a URL, a local file, or a note
// saying why there is none.
type Image struct {
	URL  string // a thumbnail on the web (http or https)
	File string // a local file, as the plan names it: relative to the root module directory
	Note string // why there is no picture
}

// Parse reads the JSON of a plan, as terraform show -json plan.out prints it.
func Parse(data []byte) (*tfjson.Plan, error) {
	const want = "want the JSON of a plan, as `terraform show -json plan.out` prints it"
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the input is empty: " + want)
	}
	if bytes.HasPrefix(data, []byte("PK")) { // a saved plan file is a zip archive
		return nil, errors.New("the input is a binary plan file: " + want)
	}
	var p tfjson.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("the input is not a Terraform plan (%w): %s", err, want)
	}
	// terraform show -json of a state, not a plan, has the same format_version field but no
	// planned values.
	if p.PlannedValues == nil {
		return nil, errors.New("the input has no planned_values, so it is not a plan (a state, perhaps): " + want)
	}
	return &p, nil
}

// Build makes the review of a plan: every change of a reviewed resource type that does
// something, and every change made outside Terraform to one.
func Build(p *tfjson.Plan) *Review {
	cols := newCollections(p)
	r := &Review{}
	for _, rc := range p.ResourceChanges {
		if a, ok := buildAsset(rc, cols, false); ok {
			r.Changes = append(r.Changes, a)
		}
	}
	for _, rc := range p.ResourceDrift {
		if a, ok := buildAsset(rc, cols, true); ok {
			r.Drift = append(r.Drift, a)
		}
	}
	return r
}

// Summary is the review's first line: "1 new, 2 changed files, 0 metadata-only, 0 destroyed",
// with replacements and collections when there are any.
func (r *Review) Summary() string {
	n := map[Kind]int{}
	for _, a := range r.Changes {
		n[a.Kind]++
	}
	parts := []string{
		fmt.Sprintf("%d new", n[KindNew]),
		count(n[KindFile], "changed file", "changed files"),
		fmt.Sprintf("%d metadata-only", n[KindMetadata]),
		fmt.Sprintf("%d destroyed", n[KindDestroyed]),
	}
	if n[KindReplaced] > 0 {
		parts = append(parts, fmt.Sprintf("%d replaced", n[KindReplaced]))
	}
	if n[KindCollection] > 0 {
		parts = append(parts, count(n[KindCollection], "collection change", "collection changes"))
	}
	return strings.Join(parts, ", ")
}

// DriftSummary says how many assets changed outside Terraform, or "" when none did.
func (r *Review) DriftSummary() string {
	if len(r.Drift) == 0 {
		return ""
	}
	return count(len(r.Drift), "resource", "resources") + " changed outside Terraform"
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
