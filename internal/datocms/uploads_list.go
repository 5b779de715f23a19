package datocms

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// UploadTypes are the values of the API's upload type filter: the CDA's UploadType enum
// (API §6.7), and nothing else. DatoCMS derives an upload's type from its file.
var UploadTypes = []string{"image", "audio", "video", "richtext", "presentation", "spreadsheet", "pdfdocument", "archive"}

// query encodes the options as GET /uploads parameters. filter[fields] takes the CDA's
// upload filters with snake_case names; a list is sent as repeated key[] parameters, the
// encoding of the official client (its buildNormalizedParams), so a tag holding a comma
// stays one tag.
func (o ListUploadsOptions) query(limit int) url.Values {
	q := url.Values{"page[limit]": {strconv.Itoa(limit)}}
	if len(o.IDs) > 0 {
		q.Set("filter[ids]", strings.Join(o.IDs, ","))
	}
	if o.MD5 != "" {
		q.Set("filter[fields][md5][eq]", o.MD5)
	}
	if o.Path != "" {
		q.Set("filter[fields][path][eq]", o.Path)
	}
	if o.Query != "" {
		q.Set("filter[query]", o.Query)
	}
	if o.Locale != "" {
		q.Set("locale", o.Locale)
	}
	if len(o.Tags) > 0 {
		q["filter[fields][tags][all_in][]"] = slices.Clone(o.Tags)
	}
	switch len(o.Types) {
	case 0:
	case 1:
		q.Set("filter[fields][type][eq]", o.Types[0])
	default:
		q["filter[fields][type][in][]"] = slices.Clone(o.Types)
	}
	if len(o.ExcludeTypes) > 0 {
		q["filter[fields][type][not_in][]"] = slices.Clone(o.ExcludeTypes)
	}
	// CollectionID has no filter in the API: admits keeps the collection's uploads.
	if o.FilenameContains != "" {
		// The docs always pass regexp and case_sensitive; their defaults are not documented.
		q.Set("filter[fields][filename][matches][pattern]", o.FilenameContains)
		q.Set("filter[fields][filename][matches][regexp]", "false")
		q.Set("filter[fields][filename][matches][case_sensitive]", "false")
	}
	if o.OrderBy != "" {
		q.Set("order_by", o.OrderBy)
	}
	return q
}

// admits reports whether up satisfies the filters that can be checked on an upload: DatoCMS
// applies the others, and checking them again means a filter it ignored never lets other
// uploads through. The collection is checked here only: the API cannot filter by it.
func (o ListUploadsOptions) admits(up *Upload) bool {
	switch {
	case len(o.IDs) > 0 && !slices.Contains(o.IDs, up.ID),
		o.MD5 != "" && !strings.EqualFold(o.MD5, up.MD5),
		o.Path != "" && !strings.EqualFold(o.Path, up.Path),
		o.CollectionID != "" && (up.UploadCollectionID == nil || *up.UploadCollectionID != o.CollectionID),
		o.FilenameContains != "" && !strings.Contains(strings.ToLower(up.Filename), strings.ToLower(o.FilenameContains)):
		return false
	}
	for _, tag := range o.Tags {
		if !slices.Contains(up.Tags, tag) {
			return false
		}
	}
	return true
}
