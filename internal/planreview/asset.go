package planreview

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// thumbnailParams ask imgix, which serves DatoCMS images, for a preview at most 240 pixels
// wide and high, in the best format the browser takes.
const thumbnailParams = "w=240&h=240&fit=max&auto=format"

// change is one resource change being turned into an Asset.
type change struct {
	before, after side
	create        bool // no before side
	destroy       bool // no after side
	replace       bool // deleted and created again (in either order)
	drift         bool // a change made outside Terraform
	cols          *collections
	address       string // the configuration address in the root module ("" in a child module): see collections.created
	rows          []Row
}

// buildAsset makes the Asset of one resource change, or reports false when the change is
// not one to review: another resource type, or a change that does nothing.
func buildAsset(rc *tfjson.ResourceChange, cols *collections, drift bool) (Asset, bool) {
	if rc.Mode != tfjson.ManagedResourceMode || rc.Change == nil || !slices.Contains([]string{typeUpload, typeMetadata, typeCollection}, rc.Type) {
		return Asset{}, false
	}
	acts := rc.Change.Actions
	if !acts.Create() && !acts.Update() && !acts.Delete() && !acts.Replace() {
		return Asset{}, false // no-op, read, forget
	}
	c := &change{
		before:  side{values: rc.Change.Before, sensitive: rc.Change.BeforeSensitive},
		after:   side{values: rc.Change.After, unknown: rc.Change.AfterUnknown, sensitive: rc.Change.AfterSensitive},
		create:  acts.Create(),
		destroy: acts.Delete(),
		replace: acts.Replace(),
		drift:   drift,
		cols:    cols,
	}
	if rc.ModuleAddress == "" {
		c.address = rc.Type + "." + rc.Name
	}
	a := Asset{Address: rc.Address}
	switch rc.Type {
	case typeUpload:
		c.upload(&a)
	case typeMetadata:
		c.metadataResource(&a)
	case typeCollection:
		c.collection(&a)
	}
	a.Rows = c.rows
	return a, true
}

// fact adds a row that describes the resource, shown whether or not it changes: the one
// side there is on a create or a destroy (left out when null), both sides otherwise (left
// out when both are null).
func (c *change) fact(label string, before, after field, show func(any) Text) {
	switch {
	case c.create:
		if after.set() {
			c.rows = append(c.rows, Row{Label: label, After: after.text(show)})
		}
	case c.destroy:
		if before.set() {
			c.rows = append(c.rows, Row{Label: label, Before: before.text(show)})
		}
	case before.set() || after.set():
		c.rows = append(c.rows, Row{Label: label, Before: before.text(show), After: after.text(show)})
	}
}

// changed adds a row for a value that changes: on a create, the value the configuration
// sets (unknown values of a new resource are left out: most are read from DatoCMS at
// apply, not set); on an update, both sides when they differ; nothing on a destroy.
func (c *change) changed(label string, before, after field, show func(any) Text) {
	switch {
	case c.create:
		if after.v != nil {
			c.rows = append(c.rows, Row{Label: label, After: after.text(show)})
		}
	case !c.destroy && !before.same(after):
		row := Row{Label: label, Before: before.text(show), After: after.text(show)}
		if !row.Changes() { // two sensitive values, which differ
			row.After = plain("(sensitive, changed)")
		}
		c.rows = append(c.rows, row)
	}
}

// collectionRow adds a row for a change of the collection attr names, by labels: as changed
// does, except that a collection the plan creates is named on a create too.
func (c *change) collectionRow(label, attr string) {
	before, after := c.before.get(attr), c.after.get(attr)
	if c.destroy || (!c.create && before.same(after)) {
		return
	}
	now, named := c.cols.name(after, c.cols.after, c.address+"."+attr)
	if c.create && (!named || !after.set()) {
		return
	}
	row := Row{Label: label, After: now}
	if !c.create {
		row.Before, _ = c.cols.name(before, c.cols.before, "")
	}
	c.rows = append(c.rows, row)
}

// note adds a one-sided row of the review's own words.
func (c *change) note(label, text string) {
	c.rows = append(c.rows, Row{Label: label, After: plain(text)})
}

// action names what happens to the resource; detail qualifies an update.
func (c *change) action(detail string) string {
	switch {
	case c.drift && c.destroy:
		return "deleted outside Terraform"
	case c.drift:
		return "changed outside Terraform" + detail
	case c.create:
		return "create"
	case c.destroy:
		return "destroy"
	case c.replace:
		return "replace"
	}
	return "update in place" + detail
}

// upload describes a datocms_upload: its file, its metadata, and its pictures.
func (c *change) upload(a *Asset) {
	newFile := c.create || c.replace || (!c.destroy && !c.before.get("md5").same(c.after.get("md5")))
	switch {
	case c.create:
		a.Kind = KindNew
	case c.destroy:
		a.Kind = KindDestroyed
	case c.replace:
		a.Kind = KindReplaced
	case newFile:
		a.Kind = KindFile
	default:
		a.Kind = KindMetadata
	}
	detail := " (metadata only)"
	if newFile {
		detail = " (new file)"
		if c.drift {
			detail = " (file replaced)"
		}
	}
	a.Action = c.action(detail)
	if !c.create {
		a.UploadID = knownString(c.before.get("id"))
	}

	c.fact("File name", c.before.get("filename"), c.after.get("filename"), str)
	c.fact("Format", c.before.get("format"), c.after.get("format"), str)
	c.fact("Dimensions", dimensions(c.before), dimensions(c.after), words)
	c.fact("Size", c.before.get("size"), c.after.get("size"), bytesText)
	if !c.create && !c.destroy {
		switch {
		case c.before.get("url").same(c.after.get("url")):
			c.note("URL", "kept")
		case c.drift:
			c.note("URL", "changed")
		default:
			c.note("URL", "changes")
		}
	}
	if newFile && !c.destroy && !c.drift {
		c.rows = append(c.rows, Row{Label: "New file from", After: fileSource(c.after)})
	}
	if c.replace {
		c.note("Note", "a new upload replaces this one, under a new ID: records that link to it will point at a missing asset")
	}
	c.metadata()

	a.Before = thumbnail(c.before, "new upload")
	switch {
	case c.destroy:
		a.After = Image{Note: "deleted"}
	case c.drift:
		a.After = thumbnail(c.after, "")
	case newFile:
		a.After = localPicture(c.after)
	default:
		a.After = a.Before // same file
	}
}

// metadataResource describes a datocms_upload_metadata: the metadata of an upload it does
// not own, which its destroy leaves in DatoCMS.
func (c *change) metadataResource(a *Asset) {
	a.Kind = KindMetadata
	a.Action = c.action("")
	if c.destroy && !c.drift {
		a.Action = "destroy (the upload stays in DatoCMS)"
	}
	s := c.before
	if c.create {
		s = c.after
	}
	a.UploadID = knownString(s.get("upload_id"))
	c.fact("Upload", c.before.get("upload_id"), c.after.get("upload_id"), str)
	c.changed("Basename", c.before.get("basename"), c.after.get("basename"), str)
	c.metadata()
	if c.destroy && !c.drift {
		if clears, _ := c.before.get("clear_on_destroy").v.(bool); clears {
			c.note("Note", "clear_on_destroy is set: the upload's author, copyright, notes, tags and default field metadata are cleared")
		} else {
			c.note("Note", "Terraform stops managing the upload's metadata; DatoCMS keeps it as it is")
		}
	}
}

// metadata adds the rows of the metadata that datocms_upload and datocms_upload_metadata
// share.
func (c *change) metadata() {
	for _, f := range []struct{ label, name string }{{"Author", "author"}, {"Copyright", "copyright"}, {"Notes", "notes"}} {
		c.changed(f.label, c.before.get(f.name), c.after.get(f.name), str)
	}
	c.fieldMetadata()
	c.tags()
	c.collectionRow("Collection", "upload_collection_id")
}

// fieldMetadata adds a row per locale and field of default_field_metadata that changes.
func (c *change) fieldMetadata() {
	const attr = "default_field_metadata"
	if c.opaque("Default field metadata", attr) {
		return
	}
	for _, loc := range keys(c.before.get(attr).v, c.after.get(attr).v) {
		for _, f := range []struct{ label, name string }{{"Alt", "alt"}, {"Title", "title"}} {
			c.changed(fmt.Sprintf("%s (%s)", f.label, loc), c.before.get(attr, loc, f.name), c.after.get(attr, loc, f.name), str)
		}
		c.changed(fmt.Sprintf("Focal point (%s)", loc), c.before.get(attr, loc, "focal_point"), c.after.get(attr, loc, "focal_point"), focalPoint)
		if c.opaque(fmt.Sprintf("Custom data (%s)", loc), attr, loc, "custom_data") {
			continue
		}
		for _, k := range keys(c.before.get(attr, loc, "custom_data").v, c.after.get(attr, loc, "custom_data").v) {
			c.changed(fmt.Sprintf("Custom data %q (%s)", k, loc),
				c.before.get(attr, loc, "custom_data", k), c.after.get(attr, loc, "custom_data", k), str)
		}
	}
}

// opaque adds a one-sided row for a map that is unknown or sensitive as a whole after the
// change, whose parts cannot be compared one by one, and reports whether it is one. An
// unknown map of a new resource is left out, as changed leaves out unknown values.
func (c *change) opaque(label string, path ...string) bool {
	unknown, sensitive := c.after.whole(path...)
	if c.destroy || !unknown && !sensitive {
		return false
	}
	after := c.after.get(path...)
	if unknown && !c.create || !unknown && !c.before.get(path...).same(after) {
		c.rows = append(c.rows, Row{Label: label, After: after.text(str)})
	}
	return true
}

// tags adds a row for the tags added and removed (on a create, the tags set).
func (c *change) tags() {
	before, after := c.before.get("tags"), c.after.get("tags")
	if c.destroy || before.same(after) {
		return
	}
	if after.unknown || after.sensitive || before.sensitive {
		c.changed("Tags", before, after, tagList)
		return
	}
	was, now := stringList(before.v), stringList(after.v)
	var t Text
	add := func(label string, tags []string) {
		if len(tags) == 0 {
			return
		}
		if len(t) > 0 {
			t = append(t, Span{S: "; "})
		}
		t = append(t, Span{S: label + " "})
		t = append(t, codeList(tags)...)
	}
	add("added", without(now, was))
	add("removed", without(was, now))
	if len(t) > 0 {
		c.rows = append(c.rows, Row{Label: "Tags", After: t})
	}
}

// collection describes a datocms_upload_collection: its label, parent and position.
func (c *change) collection(a *Asset) {
	a.Kind = KindCollection
	a.Action = c.action("")
	c.fact("Label", c.before.get("label"), c.after.get("label"), str)
	c.collectionRow("Parent", "parent_id")
	c.changed("Position", c.before.get("position"), c.after.get("position"), number)
}

// thumbnail is the preview of an image upload on one side (none is the note when that side
// does not exist), or a note saying why there is none.
func thumbnail(s side, none string) Image {
	if s.values == nil {
		return Image{Note: none}
	}
	u, img := s.get("url"), s.get("is_image")
	if isImage, _ := img.v.(bool); !isImage && !img.unknown {
		return Image{Note: "not an image"}
	}
	raw := knownString(u)
	p, err := url.Parse(raw)
	if raw == "" || err != nil || (p.Scheme != "https" && p.Scheme != "http") {
		return Image{Note: "no preview"}
	}
	if p.RawQuery != "" {
		p.RawQuery += "&"
	}
	p.RawQuery += thumbnailParams
	return Image{URL: p.String()}
}

// localPicture is the new file of an upload: its local file, when it has one.
func localPicture(s side) Image {
	if src := knownString(s.get("source")); src != "" {
		return Image{File: src}
	}
	return Image{Note: "no local file: " + fileSource(s).plainText()}
}

// fileSource says where the new file of an upload comes from.
func fileSource(s side) Text {
	switch {
	case s.get("source").set():
		return s.get("source").text(str)
	case s.get("source_url").set():
		return append(plain("download of "), s.get("source_url").text(str)...)
	case s.get("content").set() || s.get("content_base64").set():
		return plain("inline content in the configuration (sensitive, not shown)")
	}
	// content_wo and content_base64_wo are write-only: always null in a plan.
	return plain("write-only content in the configuration (not shown), or DatoCMS's own file")
}

// plainText is the text without code markers, for notes.
func (t Text) plainText() string {
	var b strings.Builder
	for _, s := range t {
		b.WriteString(s.S)
	}
	return b.String()
}

// knownString is a known, non-sensitive string value, or "".
func knownString(f field) string {
	if f.unknown || f.sensitive {
		return ""
	}
	s, _ := f.v.(string)
	return s
}

// keys returns the keys of two JSON objects, sorted.
func keys(objects ...any) []string {
	var out []string
	for _, o := range objects {
		m, _ := o.(map[string]any)
		for k := range m {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// stringList returns the strings of a JSON array (a set of tags).
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// without returns the elements of a that b does not hold, in a's order.
func without(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
