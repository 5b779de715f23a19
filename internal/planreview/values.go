package planreview

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

// side is one side of a change: its values, and the marks the plan keeps beside them
// (after_unknown, before_sensitive, after_sensitive), which have the values' shape with
// true where a value is unknown or sensitive.
type side struct {
	values, unknown, sensitive any
}

// field is the value at one path of a side.
type field struct {
	v         any // decoded JSON; nil when null or absent
	unknown   bool
	sensitive bool
}

// get returns the value at path, a list of attribute names and map keys.
func (s side) get(path ...string) field {
	v := s.values
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k] // nil for a missing key or a value that is not an object
	}
	return field{v: v, unknown: marked(s.unknown, path), sensitive: marked(s.sensitive, path)}
}

// marked reports whether marks flag the value at path, the object it is in, or anything
// inside it: a list with one unknown element is, for a reviewer, not known yet.
func marked(marks any, path []string) bool {
	node, above := descend(marks, path)
	return above || anyTrue(node)
}

// whole reports whether the value at path is unknown, or sensitive, as a whole: its parts
// cannot be shown one by one.
func (s side) whole(path ...string) (unknown, sensitive bool) {
	u, aboveU := descend(s.unknown, path)
	v, aboveS := descend(s.sensitive, path)
	isTrue := func(m any) bool { b, _ := m.(bool); return b }
	return aboveU || isTrue(u), aboveS || isTrue(v)
}

// descend returns the marks at path, and whether a mark above it already flags it.
func descend(marks any, path []string) (node any, above bool) {
	for _, k := range path {
		if b, _ := marks.(bool); b {
			return nil, true
		}
		m, _ := marks.(map[string]any)
		marks = m[k]
	}
	return marks, false
}

func anyTrue(marks any) bool {
	switch m := marks.(type) {
	case bool:
		return m
	case map[string]any:
		for _, v := range m {
			if anyTrue(v) {
				return true
			}
		}
	case []any:
		for _, v := range m {
			if anyTrue(v) {
				return true
			}
		}
	}
	return false
}

// same reports whether two values are known, equally sensitive and equal.
func (f field) same(g field) bool {
	return !f.unknown && !g.unknown && f.sensitive == g.sensitive && reflect.DeepEqual(f.v, g.v)
}

// set reports whether the value is unknown or not null: something a new resource sets.
func (f field) set() bool { return f.unknown || f.v != nil }

// text shows the value with show, unless it is unknown, sensitive or null. A sensitive
// value is never passed to show.
func (f field) text(show func(any) Text) Text {
	switch {
	case f.sensitive:
		return plain("(sensitive)")
	case f.unknown:
		return plain("(known after apply)")
	case f.v == nil:
		return plain("(none)")
	}
	return show(f.v)
}

// str shows a value from the plan verbatim, as code.
func str(v any) Text {
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if s == "" {
		return plain("(empty)")
	}
	return code(s)
}

// tagList shows a set of strings as a list of code, or "(none)".
func tagList(v any) Text {
	if t := codeList(stringList(v)); len(t) > 0 {
		return t
	}
	return plain("(none)")
}

// codeList shows strings from the plan as code, separated by commas: a list of tags, whole
// or the ones added or removed.
func codeList(list []string) Text {
	var t Text
	for i, s := range list {
		if i > 0 {
			t = append(t, Span{S: ", "})
		}
		t = append(t, Span{S: s, Code: true})
	}
	return t
}

// words shows a value the review computed itself (a size, dimensions) as plain text.
func words(v any) Text { return plain(fmt.Sprint(v)) }

// number shows a JSON number without a decimal point when it has none.
func number(v any) Text {
	if f, ok := v.(float64); ok {
		return plain(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return str(v)
}

// bytesText shows a size in bytes in binary units: 512 B, 3.7 KiB, 12.0 MiB.
func bytesText(v any) Text {
	f, ok := v.(float64)
	if !ok {
		return str(v)
	}
	return plain(humanBytes(int64(f)))
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// focalPoint shows a focal point object as "x 0.5, y 0.3".
func focalPoint(v any) Text {
	m, ok := v.(map[string]any)
	if !ok {
		return str(v)
	}
	return plain(fmt.Sprintf("x %s, y %s", number(m["x"])[0].S, number(m["y"])[0].S))
}

// dimensions is an image's width×height as one field: unknown when either is, null when
// both are (a file that is not an image).
func dimensions(s side) field {
	w, h := s.get("width"), s.get("height")
	f := field{unknown: w.unknown || h.unknown, sensitive: w.sensitive || h.sensitive}
	if w.v != nil || h.v != nil {
		f.v = number(w.v)[0].S + "×" + number(h.v)[0].S
	}
	return f
}
