package planreview

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// Marker starts every Markdown review: a workflow finds the one comment it keeps up to date
// by it.
const Marker = "<!-- datocms-plan-review -->"

// DefaultMaxBytes keeps a Markdown review under GitHub's limit of 65,536 characters per
// comment (a character is at least a byte).
const DefaultMaxBytes = 65000

// maxCodeRunes clips long values (notes, custom data) in a comment.
const maxCodeRunes = 300

const driftIntro = "Found by the refresh: made in DatoCMS, or elsewhere, since the last apply."

// Markdown renders the review for a pull-request comment of at most maxBytes bytes: when
// the whole review is longer, asset blocks are left out from the end and a last line says
// how many.
func (r *Review) Markdown(maxBytes int) string {
	var head strings.Builder
	fmt.Fprintf(&head, "%s\n### DatoCMS assets\n\n**%s**\n", Marker, r.Summary())
	if d := r.DriftSummary(); d != "" {
		fmt.Fprintf(&head, "\n**%s**\n", d)
	}
	if len(r.Changes) == 0 && len(r.Drift) == 0 {
		head.WriteString("\nNo DatoCMS asset changes in this plan.\n")
	}
	// Blocks in order; the drift section's heading goes with its first block.
	var blocks []string
	for _, a := range r.Changes {
		blocks = append(blocks, mdAsset(a))
	}
	for i, a := range r.Drift {
		b := mdAsset(a)
		if i == 0 {
			b = "\n### Changed outside Terraform\n\n" + driftIntro + "\n" + b
		}
		blocks = append(blocks, b)
	}
	// trailer is the last line when the first n blocks are kept. Sizes are counted rather than
	// the document built for each n: a plan of a thousand assets would copy it a thousand times.
	trailer := func(n int) string {
		left := len(blocks) - n
		if left == 0 {
			return ""
		}
		return fmt.Sprintf("\n_%s left out: the whole review would be longer than %d bytes, the limit of a comment. "+
			"Run `datocms-plan-review -format html` on the plan to see every change._\n",
			count(left, "more resource is", "more resources are"), maxBytes)
	}
	n, size := len(blocks), head.Len()
	for _, b := range blocks {
		size += len(b)
	}
	for n > 0 && size+len(trailer(n)) > maxBytes {
		n--
		size -= len(blocks[n])
	}
	return head.String() + strings.Join(blocks[:n], "") + trailer(n)
}

// mdAsset renders one asset: a heading, a list of rows, and the current picture.
func mdAsset(a Asset) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n#### %s: %s\n\n", mdCode(a.Address), mdEscape(a.Action))
	for _, r := range a.Rows {
		if r.Changes() {
			fmt.Fprintf(&b, "- **%s:** %s → %s\n", mdEscape(r.Label), mdText(r.Before), mdText(r.After))
		} else {
			fmt.Fprintf(&b, "- **%s:** %s\n", mdEscape(r.Label), mdText(r.Value()))
		}
	}
	if a.Before.URL != "" {
		fmt.Fprintf(&b, "\n<img src=\"%s\" alt=\"before\" title=\"before\">\n", html.EscapeString(a.Before.URL))
	}
	return b.String()
}

func mdText(t Text) string {
	var b strings.Builder
	for _, s := range t {
		if s.Code {
			b.WriteString(mdCode(s.S))
		} else {
			b.WriteString(mdEscape(s.S))
		}
	}
	return b.String()
}

// mdCode shows s verbatim as a code span, on one line and clipped: a fence longer than any
// run of backticks in s, padded when s starts or ends with one.
func mdCode(s string) string {
	s = newlines.Replace(s)
	if utf8.RuneCountInString(s) > maxCodeRunes {
		s = string([]rune(s)[:maxCodeRunes]) + "…"
	}
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// newlines keeps a code span on one line: a line break would end the list item it is in.
var newlines = strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎")

// mdEscaper escapes the characters that could start Markdown or HTML inside a line.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `|`, `\|`, `~`, `\~`, `&`, `\&`,
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }
