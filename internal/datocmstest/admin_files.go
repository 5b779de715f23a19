package datocmstest

import (
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Files to download, for clients that take an upload's file from a URL: the admin API serves
// them under /_local/files/<name> and counts the downloads.
type downloadFiles struct {
	mu        sync.Mutex
	content   map[string][]byte
	downloads map[string]int
}

const filesPrefix = adminPrefix + "files/"

// PutFile makes content downloadable at FileURL(name).
func (s *Server) PutFile(name string, content []byte) {
	s.files.mu.Lock()
	defer s.files.mu.Unlock()
	if s.files.content == nil {
		s.files.content, s.files.downloads = map[string][]byte{}, map[string]int{}
	}
	s.files.content[name] = slices.Clone(content)
}

// FileURL is where the file put under name is served.
func (s *Server) FileURL(name string) string { return s.URL() + filesPrefix + name }

// Downloads reports how often the file put under name was downloaded.
func (s *Server) Downloads(name string) int {
	s.files.mu.Lock()
	defer s.files.mu.Unlock()
	return s.files.downloads[name]
}

// download returns the file put under name and counts the download.
func (d *downloadFiles) download(name string) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.content[name]
	if ok {
		d.downloads[name]++
	}
	return b, ok
}

// serveFiles is GET and PUT /_local/files/<name>, and GET /_local/files (the list).
func (s *Server) serveFiles(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, filesPrefix)
	switch {
	case r.URL.Path+"/" == filesPrefix && r.Method == http.MethodGet:
		s.files.mu.Lock()
		list := []map[string]any{}
		for _, n := range slices.Sorted(maps.Keys(s.files.content)) {
			list = append(list, map[string]any{"name": n, "size": len(s.files.content[n]), "downloads": s.files.downloads[n]})
		}
		s.files.mu.Unlock()
		adminJSON(w, http.StatusOK, map[string]any{"files": list})
	case name == "" || strings.Contains(name, "/"):
		adminError(w, http.StatusNotFound, "files are named /_local/files/<name>, one path segment")
	case r.Method == http.MethodPut:
		b, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.maxUploadSize+1))
		if err != nil {
			adminError(w, http.StatusBadRequest, "%v", err)
			return
		}
		s.PutFile(name, b)
		adminJSON(w, http.StatusOK, map[string]any{"name": name, "size": len(b), "url": s.FileURL(name)})
	case r.Method == http.MethodGet:
		b, ok := s.files.download(name)
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	default:
		w.Header().Set("Allow", "GET, PUT")
		adminError(w, http.StatusMethodNotAllowed, "%s does not take %s", r.URL.Path, r.Method)
	}
}
