package datocmstest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestListUploadsFilters(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	col := s.CreateUploadCollection("", "Folder")
	mk := func(name string, content []byte, attrs map[string]any) map[string]any {
		t.Helper()
		return c.createUpload(name, content, attrs)
	}
	ups := []map[string]any{
		mk("file0.txt", []byte("zero"), map[string]any{"author": "Ann Findme", "tags": []any{"a", "b"}}),
		mk("report.pdf", []byte("report"), map[string]any{"tags": []any{"b"}}),
		mk("pic.png", pngBytes(t, 2, 1), map[string]any{"tags": []any{"a", "b", "c"}, "default_field_metadata": map[string]any{
			"en": map[string]any{"alt": "Red fox"}, "it": map[string]any{"title": "Titolo Speciale"}}}),
		mk("archive.zip", []byte("zip bytes"), map[string]any{"notes": "old stuff"}),
		mk("Deck.PPTX", []byte("deck"), nil),
		mk("Sheet.xlsx", []byte("sheet, larger than the others"), nil),
	}
	attr := func(i int, name string) string { return fmt.Sprint(dig(ups[i], "attributes", name)) }
	id := func(i int) string { return ups[i]["id"].(string) }
	if err := s.EditUpload("", id(2), func(u *Upload) { u.UploadCollectionID = &col }); err != nil {
		t.Fatal(err)
	}
	if err := s.AddReference(Reference{UploadID: id(2), RecordID: "r1", ItemType: "article"}); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte("report"))
	md5Report := strings.ToUpper(hex.EncodeToString(sum[:]))
	q := url.QueryEscape

	tests := []struct {
		query string
		want  []int
	}{
		{"", []int{0, 1, 2, 3, 4, 5}},
		{"filter[ids]=" + id(4) + "," + id(1), []int{1, 4}},
		{"filter[query]=FINDME", []int{0}},
		{"filter[query]=red%20fox", []int{2}},          // alt, in the main locale
		{"filter[query]=speciale", nil},                // an Italian title ...
		{"filter[query]=speciale&locale=it", []int{2}}, // ... found in Italian
		{"filter[fields][type][eq]=image", []int{2}},
		{"filter[fields][type][neq]=image", []int{0, 1, 3, 4, 5}},
		{"filter[fields][type][in]=image,pdfdocument", []int{1, 2}},
		{"filter[fields][type][in][]=archive&filter[fields][type][in][]=presentation", []int{3, 4}},
		{"filter[fields][type][not_in]=image,archive,presentation,spreadsheet,pdfdocument,richtext,audio,video", []int{0}}, // of no documented type
		{"filter[fields][type][eq]=spreadsheet", []int{5}},
		{"filter[fields][md5][eq]=" + md5Report, []int{1}},
		{"filter[fields][md5][neq]=" + md5Report, []int{0, 2, 3, 4, 5}},
		{"filter[fields][md5][in]=" + md5Report + "," + attr(3, "md5"), []int{1, 3}},
		{"filter[fields][md5][not_in][]=" + md5Report, []int{0, 2, 3, 4, 5}},
		{"filter[fields][tags][contains]=a", []int{0, 2}},
		{"filter[fields][tags][all_in]=a,b", []int{0, 2}},
		{"filter[fields][tags][all_in]=a,c", []int{2}},
		{"filter[fields][tags][any_in]=c,b", []int{0, 1, 2}},
		{"filter[fields][tags][any_in][]=c&filter[fields][tags][any_in][]=zzz", []int{2}},
		{"filter[fields][tags][not_in]=a", []int{1, 3, 4, 5}},
		{"filter[fields][tags][eq]=b,a", []int{0}},
		{"filter[fields][smart_tags][any_in]=x", nil},
		{"filter[fields][filename][matches][pattern]=PIC&filter[fields][filename][matches][case_sensitive]=false&filter[fields][filename][matches][regexp]=false", []int{2}},
		{"filter[fields][filename][matches][pattern]=PIC&filter[fields][filename][matches][case_sensitive]=true&filter[fields][filename][matches][regexp]=false", nil},
		{"filter[fields][filename][matches][pattern]=" + q(`^(file0|report)\.`) + "&filter[fields][filename][matches][regexp]=true&filter[fields][filename][matches][case_sensitive]=false", []int{0, 1}},
		{"filter[fields][filename][not_matches][pattern]=.p&filter[fields][filename][not_matches][case_sensitive]=false&filter[fields][filename][not_matches][regexp]=false", []int{0, 3, 5}},
		{"filter[fields][basename][matches][pattern]=deck&filter[fields][basename][matches][case_sensitive]=false&filter[fields][basename][matches][regexp]=false", []int{4}},
		{"filter[fields][path][eq]=" + q(strings.ToUpper(attr(3, "path"))), []int{3}},
		{"filter[fields][path][in]=" + q(attr(0, "path")+","+attr(5, "path")), []int{0, 5}},
		{"filter[fields][path][neq]=" + q(attr(0, "path")), []int{1, 2, 3, 4, 5}},
		{"filter[fields][author][exists]=true", []int{0}},
		{"filter[fields][author][exists]=false", []int{1, 2, 3, 4, 5}},
		{"filter[fields][notes][matches][pattern]=old&filter[fields][notes][matches][case_sensitive]=false&filter[fields][notes][matches][regexp]=false", []int{3}},
		{"filter[fields][copyright][exists]=true", nil},
		{"filter[fields][alt][eq]=red%20FOX", []int{2}},
		{"filter[fields][alt][exists]=true", []int{2}},
		{"filter[fields][title][exists]=true", nil},
		{"filter[fields][title][exists]=true&locale=it", []int{2}},
		{"filter[fields][size][gt]=" + attr(3, "size"), []int{2, 5}},
		{"filter[fields][size][lte]=4", []int{0, 4}},
		{"filter[fields][width][gte]=2", []int{2}},
		{"filter[fields][height][eq]=1", []int{2}},
		{"filter[fields][width][lt]=100", []int{2}}, // files without a width never match
		{"filter[fields][in_use][eq]=true", []int{2}},
		{"filter[fields][in_use][eq]=false", []int{0, 1, 3, 4, 5}},
		{"filter[fields][mime_type][eq]=application/pdf", []int{1}},
		{"filter[fields][mime_type][matches][pattern]=image/&filter[fields][mime_type][matches][case_sensitive]=false&filter[fields][mime_type][matches][regexp]=false", []int{2}},
		{"filter[fields][format][eq]=PDF", []int{1}},
		{"filter[fields][id][eq]=" + id(3), []int{3}},
		{"filter[fields][type][eq]=image&filter[fields][tags][contains]=c", []int{2}},
		{"filter[fields][type][eq]=image&filter[fields][tags][contains]=zzz", nil},
		{"filter[fields][tags][contains]=b&filter[query]=report", []int{1}},
	}
	for _, tt := range tests {
		total, got := listIDs(t, c, "?"+tt.query)
		var want []string
		for _, i := range tt.want {
			want = append(want, id(i))
		}
		if total != len(want) || !slices.Equal(got, want) {
			t.Errorf("%s: %d %v, want %d %v", tt.query, total, got, len(want), want)
		}
	}

	for _, bad := range []string{
		"filter[fields][nope][eq]=1",
		"filter[fields][type][gt]=image",
		"filter[fields][type][eq]=banana",
		"filter[fields][type][eq]=image,video",
		"filter[fields][type][eq]=",
		"filter[fields][type]=image",
		"filter[fields][tags][eq][x]=a",
		"filter[fields][size][gt]=big",
		"filter[fields][in_use][eq]=yes",
		"filter[fields][author][exists]=1",
		"filter[fields][filename][matches]=pic",
		"filter[fields][filename][matches][case_sensitive]=true",
		"filter[fields][filename][matches][pattern]=(&filter[fields][filename][matches][regexp]=true",
		"filter[fields][filename][matches][flags]=x",
		"filter[fields][filename][eq]=pic.png",
		"filter[fields][upload_collection][eq]=" + col, // not a documented filter: clients filter collections themselves
		"filter[fields][type][eq]=other",               // not in the UploadType enum
		"filter[fields][type][not_in]=image,other",
		"filter[fields][filename][matches][pattern]=pic",                                                      // case_sensitive and regexp left out
		"filter[fields][filename][matches][pattern]=pic&filter[fields][filename][matches][regexp]=false",      // case_sensitive left out
		"filter[fields][filename][matches][pattern]=pic&filter[fields][filename][matches][case_sensitive]=no", // not a boolean
	} {
		c.do("GET", "/uploads?"+bad, nil).wantError(t, 422, "INVALID_FILTER_FIELDS_PARAM")
	}
	for _, bad := range []string{"filter[type]=image", "locale=fr", "page[limit]=501", "page[limit]=0", "page[offset]=-1", "page[limit]=x"} {
		c.do("GET", "/uploads?"+bad, nil).wantError(t, 422, "INVALID_PARAMS")
	}
	for _, bad := range []string{"size", "size_UP", "nope_ASC", "size_ASC,", "resolution_ASC"} {
		c.do("GET", "/uploads?order_by="+bad, nil).wantError(t, 422, "INVALID_ORDERING")
	}
}

// listIDs returns meta.total_count and the ids of one page of GET /uploads.
func listIDs(t *testing.T, c *client, query string) (int, []string) {
	t.Helper()
	r := c.do("GET", "/uploads"+query, nil)
	r.want(t, 200)
	var ids []string
	for _, u := range dig(r.doc, "data").([]any) {
		ids = append(ids, dig(u, "id").(string))
	}
	return int(dig(r.doc, "meta", "total_count").(float64)), ids
}

func TestListUploadsOrder(t *testing.T) {
	t.Parallel()
	s, c := newTestServer(t)
	for _, f := range []struct{ name, content string }{
		{"b.txt", "22"}, {"a.txt", "333"}, {"c.png", "1"}, {"d.txt", "22"},
	} {
		c.createUpload(f.name, []byte(f.content), nil)
	}
	ups := s.Uploads("") // in creation order
	name := func(ids []string) string {
		var out []string
		for _, id := range ids {
			u, _ := s.Upload("", id)
			out = append(out, u.Filename)
		}
		return strings.Join(out, " ")
	}
	for query, want := range map[string]string{
		"":                                                 "b.txt a.txt c.png d.txt",
		"?order_by=_created_at_DESC":                       "d.txt c.png a.txt b.txt",
		"?order_by=filename_ASC":                           "a.txt b.txt c.png d.txt",
		"?order_by=basename_DESC":                          "d.txt c.png b.txt a.txt",
		"?order_by=size_DESC":                              "a.txt b.txt d.txt c.png", // ties keep creation order
		"?order_by=size_ASC,_created_at_DESC":              "c.png d.txt b.txt a.txt",
		"?order_by=format_ASC,filename_DESC":               "c.png d.txt b.txt a.txt",
		"?order_by=mime_type_DESC,size_ASC":                "b.txt d.txt a.txt c.png",
		"?order_by=size_DESC&page[offset]=1&page[limit]=2": "b.txt d.txt",
		"?order_by=_updated_at_ASC":                        "b.txt a.txt c.png d.txt",
	} {
		total, ids := listIDs(t, c, query)
		if got := name(ids); total != len(ups) || got != want {
			t.Errorf("%s: %d %s, want %s", query, total, got, want)
		}
	}
	var byID []string
	for _, u := range ups {
		byID = append(byID, u.ID)
	}
	slices.Sort(byID)
	if _, got := listIDs(t, c, "?order_by=id_ASC"); !slices.Equal(got, byID) {
		t.Errorf("id_ASC: %v, want %v", got, byID)
	}
}

func TestUploadType(t *testing.T) {
	t.Parallel()
	for mime, want := range map[string]string{
		"video/mp4": "video", "audio/mpeg": "audio", "application/pdf": "pdfdocument",
		"text/csv": "spreadsheet", "text/plain": "other",
	} {
		if got := uploadType(Upload{MimeType: strp(mime)}); got != want {
			t.Errorf("uploadType(%s) = %s, want %s", mime, got, want)
		}
	}
	for format, want := range map[string]string{"docx": "richtext", "KEY": "presentation", "xlsx": "spreadsheet", "7z": "archive", "txt": "other"} {
		if got := uploadType(Upload{Format: strp(format), MimeType: strp("application/octet-stream")}); got != want {
			t.Errorf("uploadType(format %s) = %s, want %s", format, got, want)
		}
	}
	if got := uploadType(Upload{IsImage: true, MimeType: strp("image/svg+xml")}); got != "image" {
		t.Errorf("svg: %s", got)
	}
}
