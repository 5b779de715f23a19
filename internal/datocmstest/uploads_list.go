package datocmstest

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// GET /uploads (API §6.7). filter[fields] is the CDA's upload filter with
// snake_case names ("Same as GraphQL API uploads filters. Use snake_case for
// fields names", the CMA's UploadInstancesHrefSchema in
// datocms/js-rest-api-clients). The fields and operators below follow the
// CDA's generated UploadFilter input types (TypeFilter, UploadMd5Filter,
// UploadTagsFilter, UploadFilenameFilter, StringMatchesFilter, ...) and the
// "Filter uploads by path" product update (2025-11-17). Values come in the
// Rails-style query encoding the official client uses: a list is either
// comma-separated or a repeated key ending in [] (a[]=x&a[]=y); a match is
// filter[fields][filename][matches][pattern]=...&...[case_sensitive]=true
// &...[regexp]=true.
//
// The server is strict: a field, operator or value the real API does not
// document is refused with 422 INVALID_FILTER_FIELDS_PARAM, so a client tested
// against it never relies on an invented feature. That is every field outside
// the CDA's UploadFilter (there is no upload_collection filter: clients filter
// collections themselves), a type outside the UploadType enum (no "other"),
// and a matches filter that leaves case_sensitive or regexp out (the docs always
// pass both; their defaults are not documented).
//
// Choices of the fake where the sources are silent: text comparisons (eq,
// in, ...) ignore case except for id (the product update says so for path);
// a missing value (null author, no alt) compares as ""; a missing number
// (width of a PDF) satisfies no number operator; matches without regexp is
// a substring test, and with regexp uses Go's RE2 syntax.

var (
	eqOps     = []string{"eq", "neq", "in", "not_in"}
	matchOps  = []string{"matches", "not_matches"}
	existsOps = []string{"matches", "not_matches", "exists"}
	listOps   = []string{"contains", "all_in", "any_in", "not_in", "eq"}
	numOps    = []string{"eq", "neq", "gt", "gte", "lt", "lte"}
)

// listArgs is what a condition reads an upload in.
type listArgs struct {
	e      *envStore
	locale string
}

// uploadField is a filterable field: its operators and how to read it.
// Exactly one of str, list, num and flag is set.
type uploadField struct {
	ops    []string
	str    func(a listArgs, u *uploadRecord) string
	list   func(u *uploadRecord) []string
	num    func(u *uploadRecord) (float64, bool)
	flag   func(a listArgs, u *uploadRecord) bool
	values []string // the only values allowed, nil = any
	exact  bool     // compare with case
}

func textOf(get func(u *uploadRecord) *string) func(listArgs, *uploadRecord) string {
	return func(_ listArgs, u *uploadRecord) string { return deref(get(u)) }
}

func intOf(get func(u *uploadRecord) *int) func(*uploadRecord) (float64, bool) {
	return func(u *uploadRecord) (float64, bool) {
		if p := get(u); p != nil {
			return float64(*p), true
		}
		return 0, false
	}
}

// localeText reads alt or title in the request's locale.
func localeText(get func(LocaleMetadata) *string) func(listArgs, *uploadRecord) string {
	return func(a listArgs, u *uploadRecord) string { return deref(get(u.Metadata[a.locale])) }
}

var uploadFields = map[string]uploadField{
	"id":         {ops: eqOps, exact: true, str: func(_ listArgs, u *uploadRecord) string { return u.ID }},
	"type":       {ops: eqOps, values: uploadTypes, str: func(_ listArgs, u *uploadRecord) string { return uploadType(u.Upload) }},
	"md5":        {ops: eqOps, str: func(_ listArgs, u *uploadRecord) string { return u.MD5 }},
	"path":       {ops: eqOps, str: func(_ listArgs, u *uploadRecord) string { return u.Path }},
	"format":     {ops: eqOps, str: textOf(func(u *uploadRecord) *string { return u.Format })},
	"mime_type":  {ops: append(slices.Clone(eqOps), matchOps...), str: textOf(func(u *uploadRecord) *string { return u.MimeType })},
	"filename":   {ops: matchOps, str: func(_ listArgs, u *uploadRecord) string { return u.Filename }},
	"basename":   {ops: matchOps, str: func(_ listArgs, u *uploadRecord) string { return u.Basename }},
	"author":     {ops: existsOps, str: textOf(func(u *uploadRecord) *string { return u.Author })},
	"copyright":  {ops: existsOps, str: textOf(func(u *uploadRecord) *string { return u.Copyright })},
	"notes":      {ops: existsOps, str: textOf(func(u *uploadRecord) *string { return u.Notes })},
	"alt":        {ops: append(slices.Clone(eqOps), existsOps...), str: localeText(func(m LocaleMetadata) *string { return m.Alt })},
	"title":      {ops: append(slices.Clone(eqOps), existsOps...), str: localeText(func(m LocaleMetadata) *string { return m.Title })},
	"tags":       {ops: listOps, list: func(u *uploadRecord) []string { return u.Tags }},
	"smart_tags": {ops: listOps, list: func(u *uploadRecord) []string { return u.SmartTags }},
	"size":       {ops: numOps, num: func(u *uploadRecord) (float64, bool) { return float64(u.Size), true }},
	"width":      {ops: numOps, num: intOf(func(u *uploadRecord) *int { return u.Width })},
	"height":     {ops: numOps, num: intOf(func(u *uploadRecord) *int { return u.Height })},
	// CDA InUseFilter: whether any record references the upload.
	"in_use": {ops: []string{"eq"}, flag: func(a listArgs, u *uploadRecord) bool { return len(a.e.refs[u.ID]) > 0 }},
}

// uploadTypes are the CDA upload types (the UploadType enum): the only values the type
// filter takes. An upload of none of these kinds (uploadType answers "other") is found
// only by excluding them all (not_in).
var uploadTypes = []string{"image", "audio", "video", "richtext", "presentation", "spreadsheet", "pdfdocument", "archive"}

// typeByFormat classifies documents by extension, the way the Media Area
// groups them.
var typeByFormat = map[string]string{
	"pdf": "pdfdocument",
	"doc": "richtext", "docx": "richtext", "odt": "richtext", "rtf": "richtext",
	"ppt": "presentation", "pptx": "presentation", "odp": "presentation", "key": "presentation",
	"xls": "spreadsheet", "xlsx": "spreadsheet", "ods": "spreadsheet", "csv": "spreadsheet", "numbers": "spreadsheet",
	"zip": "archive", "rar": "archive", "tar": "archive", "gz": "archive", "tgz": "archive", "7z": "archive", "bz2": "archive",
}

// uploadType classifies an upload like the CDA "type" filter.
func uploadType(u Upload) string {
	mt := deref(u.MimeType)
	switch {
	case u.IsImage:
		return "image"
	case strings.HasPrefix(mt, "video/"):
		return "video"
	case strings.HasPrefix(mt, "audio/"):
		return "audio"
	case mt == "application/pdf":
		return "pdfdocument"
	case mt == "text/csv":
		return "spreadsheet"
	}
	if t, ok := typeByFormat[strings.ToLower(deref(u.Format))]; ok {
		return t
	}
	return "other"
}

// textMatch is a StringMatchesFilter.
type textMatch struct {
	pattern                     string
	caseSensitive, regexp       bool
	caseSensitiveSet, regexpSet bool           // given explicitly (required)
	re                          *regexp.Regexp // compiled pattern when regexp is set
}

func (m *textMatch) test(s string) bool {
	if m.regexp {
		return m.re.MatchString(s)
	}
	if m.caseSensitive {
		return strings.Contains(s, m.pattern)
	}
	return strings.Contains(strings.ToLower(s), strings.ToLower(m.pattern))
}

// condition is one filter[fields][field][op].
type condition struct {
	field  uploadField
	op     string
	values []string // one for the scalar operators
	match  *textMatch
}

func (c *condition) test(a listArgs, u *uploadRecord) bool {
	f := c.field
	switch {
	case f.flag != nil:
		return f.flag(a, u) == (c.values[0] == "true")
	case f.list != nil:
		return listTest(c.op, f.list(u), c.values)
	case f.num != nil:
		v, ok := f.num(u)
		want, _ := strconv.ParseFloat(c.values[0], 64)
		return ok && numTest(c.op, v, want)
	}
	v := f.str(a, u)
	switch c.op {
	case "matches":
		return c.match.test(v)
	case "not_matches":
		return !c.match.test(v)
	case "exists":
		return (v != "") == (c.values[0] == "true")
	}
	in := slices.ContainsFunc(c.values, func(w string) bool { return v == w || (!f.exact && strings.EqualFold(v, w)) })
	return in == (c.op == "eq" || c.op == "in")
}

func listTest(op string, have, want []string) bool {
	has := func(w string) bool { return slices.Contains(have, w) }
	switch op {
	case "contains", "all_in":
		return !slices.ContainsFunc(want, func(w string) bool { return !has(w) })
	case "any_in":
		return slices.ContainsFunc(want, has)
	case "not_in":
		return !slices.ContainsFunc(want, has)
	default: // eq: the same tags, in any order
		a, b := slices.Sorted(slices.Values(have)), slices.Sorted(slices.Values(want))
		return slices.Equal(slices.Compact(a), slices.Compact(b))
	}
}

func numTest(op string, v, want float64) bool {
	switch op {
	case "eq":
		return v == want
	case "neq":
		return v != want
	case "gt":
		return v > want
	case "gte":
		return v >= want
	case "lt":
		return v < want
	default: // lte
		return v <= want
	}
}

// bracketSegments splits "filter[fields][tags][any_in][]" after prefix
// "filter[fields]" into ["tags", "any_in", ""].
func bracketSegments(key, prefix string) ([]string, bool) {
	rest, ok := strings.CutPrefix(key, prefix)
	var segs []string
	for ok && rest != "" {
		end := strings.IndexByte(rest, ']')
		if rest[0] != '[' || end < 0 {
			return nil, false
		}
		segs, rest = append(segs, rest[1:end]), rest[end+1:]
	}
	return segs, ok
}

func errFilter(key string) *apiError {
	return errUnprocessable("INVALID_FILTER_FIELDS_PARAM", map[string]any{"field": key})
}

// parseConditions reads every filter[fields] key of q.
func parseConditions(q url.Values) ([]condition, *apiError) {
	type fieldOp struct{ field, op string }
	conds := map[fieldOp]*condition{}
	var order []fieldOp
	for _, key := range slices.Sorted(maps.Keys(q)) {
		if !strings.HasPrefix(key, "filter[fields]") {
			continue
		}
		segs, ok := bracketSegments(key, "filter[fields]")
		if !ok || len(segs) < 2 || len(segs) > 3 {
			return nil, errFilter(key)
		}
		f, known := uploadFields[segs[0]]
		if !known || !slices.Contains(f.ops, segs[1]) {
			return nil, errFilter(key)
		}
		fo := fieldOp{segs[0], segs[1]}
		c := conds[fo]
		if c == nil {
			c = &condition{field: f, op: segs[1]}
			conds[fo], order = c, append(order, fo)
		}
		if err := c.add(key, segs, q[key]); err != nil {
			return nil, err
		}
	}
	out := make([]condition, 0, len(order))
	for _, fo := range order {
		c := conds[fo]
		if err := c.finish("filter[fields][" + fo.field + "][" + fo.op + "]"); err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// add takes the values of one query key into c.
func (c *condition) add(key string, segs []string, vals []string) *apiError {
	if c.op == "matches" || c.op == "not_matches" {
		if len(segs) != 3 || len(vals) != 1 {
			return errFilter(key)
		}
		if c.match == nil {
			c.match = &textMatch{}
		}
		switch segs[2] {
		case "pattern":
			c.match.pattern = vals[0]
		case "case_sensitive":
			c.match.caseSensitive, c.match.caseSensitiveSet = vals[0] == "true", vals[0] == "true" || vals[0] == "false"
		case "regexp":
			c.match.regexp, c.match.regexpSet = vals[0] == "true", vals[0] == "true" || vals[0] == "false"
		default:
			return errFilter(key)
		}
		return nil
	}
	if len(segs) == 3 && segs[2] != "" { // only a list may end in []
		return errFilter(key)
	}
	for _, v := range vals {
		if len(segs) == 2 && (slices.Contains([]string{"in", "not_in", "all_in", "any_in"}, c.op) || (c.op == "eq" && c.field.list != nil)) {
			c.values = append(c.values, strings.Split(v, ",")...)
		} else {
			c.values = append(c.values, v)
		}
	}
	return nil
}

// finish checks that c is complete and its values valid.
func (c *condition) finish(name string) *apiError {
	if c.match != nil {
		switch {
		case c.match.pattern == "":
			return errFilter(name + "[pattern]")
		case !c.match.caseSensitiveSet:
			return errFilter(name + "[case_sensitive]")
		case !c.match.regexpSet:
			return errFilter(name + "[regexp]")
		}
		if c.match.regexp {
			expr := c.match.pattern
			if !c.match.caseSensitive {
				expr = "(?i)" + expr
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return errFilter(name + "[pattern]")
			}
			c.match.re = re
		}
		return nil
	}
	scalar := c.op == "contains" || (c.field.list == nil && slices.Contains([]string{"eq", "neq", "gt", "gte", "lt", "lte", "exists"}, c.op))
	if len(c.values) == 0 || (scalar && len(c.values) != 1) || slices.Contains(c.values, "") {
		return errFilter(name)
	}
	for _, v := range c.values {
		_, numErr := strconv.ParseFloat(v, 64)
		switch {
		case c.field.values != nil && !slices.Contains(c.field.values, v),
			c.field.num != nil && numErr != nil,
			(c.field.flag != nil || c.op == "exists") && v != "true" && v != "false":
			return errFilter(name)
		}
	}
	return nil
}

// uploadOrders are the order_by fields (the CDA's UploadOrderBy, snake_case).
var uploadOrders = map[string]func(a, b *uploadRecord) int{
	"_created_at": func(a, b *uploadRecord) int { return a.CreatedAt.Compare(b.CreatedAt) },
	"_updated_at": func(a, b *uploadRecord) int { return a.UpdatedAt.Compare(b.UpdatedAt) },
	"id":          func(a, b *uploadRecord) int { return strings.Compare(a.ID, b.ID) },
	"size":        func(a, b *uploadRecord) int { return cmp.Compare(a.Size, b.Size) },
	"filename":    func(a, b *uploadRecord) int { return strings.Compare(a.Filename, b.Filename) },
	"basename":    func(a, b *uploadRecord) int { return strings.Compare(a.Basename, b.Basename) },
	"format":      func(a, b *uploadRecord) int { return strings.Compare(deref(a.Format), deref(b.Format)) },
	"mime_type":   func(a, b *uploadRecord) int { return strings.Compare(deref(a.MimeType), deref(b.MimeType)) },
}

// parseOrder reads order_by: comma-separated <field>_ASC|DESC rules. The
// list always ends with creation order and id, so pages never shuffle.
func parseOrder(v string) ([]func(a, b *uploadRecord) int, *apiError) {
	var out []func(a, b *uploadRecord) int
	for rule := range strings.SplitSeq(v, ",") {
		if v == "" {
			break
		}
		field, desc := strings.CutSuffix(rule, "_DESC")
		if !desc {
			var asc bool
			if field, asc = strings.CutSuffix(rule, "_ASC"); !asc {
				return nil, errUnprocessable("INVALID_ORDERING", map[string]any{"field": "order_by", "value": rule})
			}
		}
		by, ok := uploadOrders[field]
		if !ok {
			return nil, errUnprocessable("INVALID_ORDERING", map[string]any{"field": "order_by", "value": rule})
		}
		if desc {
			out = append(out, func(a, b *uploadRecord) int { return by(b, a) })
		} else {
			out = append(out, by)
		}
	}
	return append(out, uploadOrders["_created_at"], uploadOrders["id"]), nil
}

// handleListUploads is GET /uploads with the filters, ordering and paging
// of API §6.7.
func handleListUploads(c *call) (int, any, error) {
	q := c.r.URL.Query()
	for key := range q {
		if strings.HasPrefix(key, "filter[") && !strings.HasPrefix(key, "filter[fields]") && key != "filter[ids]" && key != "filter[query]" {
			return 0, nil, errUnprocessable("INVALID_PARAMS", map[string]any{"field": key})
		}
	}
	conds, err := parseConditions(q)
	if err != nil {
		return 0, nil, err
	}
	order, err := parseOrder(q.Get("order_by"))
	if err != nil {
		return 0, nil, err
	}
	offset, limit, err := pageParams(q, 30, 500)
	if err != nil {
		return 0, nil, err
	}
	// filter[query] and filter[fields] read alt and title in locale, by
	// default the environment's main (first) locale.
	args := listArgs{e: c.env, locale: c.s.cfg.locales[0]}
	if l := q.Get("locale"); l != "" {
		if !slices.Contains(c.s.cfg.locales, l) {
			return 0, nil, errUnprocessable("INVALID_PARAMS", map[string]any{"field": "locale"})
		}
		args.locale = l
	}
	var ids []string
	if v := q.Get("filter[ids]"); v != "" {
		ids = strings.Split(v, ",")
	}
	needle := strings.ToLower(q.Get("filter[query]"))

	s := c.s
	s.lock()
	defer s.mu.Unlock()
	if s.behaviour.UnknownIDs == "reject" {
		for _, id := range ids {
			if c.env.uploads[id] == nil {
				return 0, nil, errUnprocessable("INVALID_PARAMS", map[string]any{"field": "filter[ids]", "value": id})
			}
		}
	}
	var matches []*uploadRecord
	for _, rec := range c.env.uploads {
		if (ids == nil || slices.Contains(ids, rec.ID)) && (needle == "" || matchesQuery(rec, args.locale, needle)) &&
			!slices.ContainsFunc(conds, func(cd condition) bool { return !cd.test(args, rec) }) {
			matches = append(matches, rec)
		}
	}
	slices.SortFunc(matches, func(a, b *uploadRecord) int {
		for _, by := range order {
			if r := by(a, b); r != 0 {
				return r
			}
		}
		return 0
	})
	data := []jsonUpload{}
	for _, rec := range page(matches, offset, limit) {
		data = append(data, s.renderUpload(rec.Upload, c.env, c.base()))
	}
	return http.StatusOK, map[string]any{"data": data, "meta": map[string]any{"total_count": len(matches)}}, nil
}

// matchesQuery is filter[query]: a case-insensitive substring of the file
// name, the credits and notes, or the alt or title in locale.
func matchesQuery(u *uploadRecord, locale, needle string) bool {
	m := u.Metadata[locale]
	for _, h := range []string{u.Filename, u.Basename, deref(u.Author), deref(u.Notes), deref(u.Copyright), deref(m.Alt), deref(m.Title)} {
		if strings.Contains(strings.ToLower(h), needle) {
			return true
		}
	}
	return false
}
