package planreview

import (
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// maxEmbedBytes bounds the local files an HTML review embeds, so that the page stays quick
// to open: 4 MiB.
const maxEmbedBytes = 4 << 20

//go:embed review.html.tmpl
var htmlSource string

// htmlTemplate is parsed once; HTML binds its "picture" function to the module directory.
var htmlTemplate = template.Must(template.New("review").Funcs(template.FuncMap{"picture": func(Image) htmlPicture { return htmlPicture{} }}).Parse(htmlSource))

// htmlPicture is an Image made ready for an <img>: a URL from the plan (which html/template
// checks), or the data: URI of a local file (built here, so trusted), or a note.
type htmlPicture struct {
	URL  string
	Data template.URL
	Note string
}

// HTML renders the review as a self-contained page that shows each upload before and
// after. The new files of the plan are read from dir, the root module directory that the
// plan's source paths are relative to, and embedded.
func (r *Review) HTML(w io.Writer, dir string) error {
	t, err := htmlTemplate.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{"picture": func(img Image) htmlPicture { return picture(img, dir) }})
	return t.Execute(w, r)
}

// picture resolves an Image: a local file becomes a data: URI when it is an image small
// enough to embed, and a note otherwise.
func picture(img Image, dir string) htmlPicture {
	if img.File == "" {
		return htmlPicture{URL: img.URL, Note: img.Note}
	}
	path := img.File
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return htmlPicture{Note: "not shown: " + err.Error()}
	case info.Size() > maxEmbedBytes:
		return htmlPicture{Note: fmt.Sprintf("not shown: %s is larger than the %s an HTML review embeds",
			humanBytes(info.Size()), humanBytes(maxEmbedBytes))}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return htmlPicture{Note: "not shown: " + err.Error()}
	}
	mime := http.DetectContentType(data)
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		mime = "image/svg+xml" // the sniffer calls SVG text; an <img> never runs its scripts
	}
	if !strings.HasPrefix(mime, "image/") {
		return htmlPicture{Note: "not shown: not an image (" + mime + ")"}
	}
	return htmlPicture{Data: template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data))} //nolint:gosec // G203: built here from the file's bytes, base64-encoded
}
