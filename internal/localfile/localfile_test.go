package localfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
)

func writeFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 1, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// modTime returns the file's modification time.
func modTime(t *testing.T, name string) time.Time {
	t.Helper()
	info, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return info.ModTime()
}

// filesAt is a Files whose clock reads at; each call moves it on by a nanosecond, so a
// second hash of the same file shows in HashedNS.
func filesAt(trustRecords bool, disk *hashCache, at time.Time) *Files {
	l := New(trustRecords, nil)
	l.disk = disk
	l.now = func() time.Time {
		at = at.Add(time.Nanosecond)
		return at
	}
	return l
}

// settled is a moment long enough after the file's last change for its hash to be trusted.
func settled(t *testing.T, name string) time.Time { return modTime(t, name).Add(time.Minute) }

// cacheRoot is a checked cache directory of the test's own.
func cacheRoot(t *testing.T) *cachedir.Root {
	t.Helper()
	base := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(base, 0o700); err != nil {
		t.Fatal(err)
	}
	root, err := cachedir.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestPredictContent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		head    string
		ext     string
		want    Facts
		comment string
	}{
		{string(pngBytes(t, 7, 3)), ".jpg", Facts{Format: "png", MimeType: "image/png", Kind: KindRaster, Width: 7, Height: 3}, "the content wins over a misleading extension"},
		{"GIF89a\x05\x00\x02\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff", ".gif", Facts{Format: "gif", MimeType: "image/gif", Kind: KindRaster, Width: 5, Height: 2}, ""},
		{"\x89PNG\r\n\x1a\n....", ".png", Facts{}, "an image signature whose header does not decode: nothing is certain"},
		{"\xFF\xD8\xFF\xE0", ".txt", Facts{}, "a JPEG signature is never taken for text"},
		{"hello", ".TXT", Facts{Format: "txt", MimeType: "text/plain", Kind: KindDocument}, "extensions are case-insensitive"},
		{"%PDF-1.7", ".pdf", Facts{Format: "pdf", MimeType: "application/pdf", Kind: KindDocument}, ""},
		{"<svg>", ".svg", Facts{}, "not predicted: left unknown in the plan"},
		{"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00", ".mp4", Facts{Kind: KindVideo}, "an MP4 is a video, whatever else DatoCMS reports"},
		{"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", ".mov", Facts{Kind: KindVideo}, "QuickTime"},
		{"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", ".webm", Facts{Kind: KindVideo}, "WebM"},
		{"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", ".heic", Facts{}, "a HEIF image shares the container: not a video"},
		{"\x00\x01", "", Facts{}, "no extension, no signature"},
	} {
		if got := predictContent([]byte(tc.head), tc.ext); got != tc.want {
			t.Errorf("predictContent(%.12q, %q) = %+v; want %+v (%s)", tc.head, tc.ext, got, tc.want, tc.comment)
		}
	}
}

func TestOfBytes(t *testing.T) {
	t.Parallel()
	got := OfBytes([]byte("hello"), ".txt")
	want := Facts{MD5: "5d41402abc4b2a76b9719d911017c592", Size: 5, Format: "txt", MimeType: "text/plain", Kind: KindDocument}
	if got != want {
		t.Errorf("OfBytes = %+v, want %+v", got, want)
	}
}

func TestFacts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "a.txt")
	writeFile(t, name, []byte("hello"))
	files := New(true, nil)

	f1, recorded, err := files.Facts(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f1.MD5 != "5d41402abc4b2a76b9719d911017c592" || f1.Size != 5 || f1.Format != "txt" || !f1.Stat.complete() || recorded {
		t.Fatalf("facts = %+v (recorded %v)", f1, recorded)
	}
	if f1.HashedNS == 0 {
		t.Errorf("the hash is not dated")
	}

	// A new version is hashed again, not served from the process's own hashes.
	writeFile(t, name, []byte("hello, world"))
	f2, _, err := files.Facts(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f2.MD5 == f1.MD5 || f2.Size != 12 {
		t.Fatalf("changed file not rehashed: %+v", f2)
	}

	if _, _, err := files.Facts(filepath.Join(dir, "missing.txt"), nil); !errors.Is(err, ErrMissing) {
		t.Errorf("missing file: err = %v, want ErrMissing", err)
	}
	if _, _, err := files.Facts(dir, nil); err == nil {
		t.Errorf("a directory was accepted as source")
	}
}

// TestFacts_TrustsRecordOfSameVersion: a record from an earlier process is used without
// reading the file while size, mtime, ctime, inode and device all match. The records below
// carry a made-up md5, so an answer with it proves the file was not read.
func TestFacts_TrustsRecordOfSameVersion(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "a.bin")
	writeFile(t, name, []byte("version one"))
	at := settled(t, name)
	hashed, _, err := filesAt(true, nil, at).Facts(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	recorded := NewRecord(name, hashed)
	recorded.Facts.MD5 = "recorded-not-read"

	if got, rec, _ := filesAt(true, nil, at).Facts(name, &recorded); got.MD5 != "recorded-not-read" || !rec {
		t.Errorf("same version: md5 %s (recorded %v), want the recorded one (no read)", got.MD5, rec)
	}
	if !filesAt(true, nil, at).StillRecorded(name, &recorded) {
		t.Errorf("StillRecorded: false for the recorded version")
	}
	if got, rec, _ := filesAt(false, nil, at).Facts(name, &recorded); got.MD5 != hashed.MD5 || rec {
		t.Errorf("records not trusted: md5 %s, want the file's %s", got.MD5, hashed.MD5)
	}
	if filesAt(false, nil, at).StillRecorded(name, &recorded) {
		t.Errorf("StillRecorded: true without trustRecords")
	}
	other := recorded
	other.Path += ".elsewhere"
	if got, _, _ := filesAt(true, nil, at).Facts(name, &other); got.MD5 != hashed.MD5 {
		t.Errorf("record of another path trusted: md5 %s", got.MD5)
	}

	// Same size, and the modification time set back: only the change time tells. It moves
	// on every write, and no user can set it back.
	mtime := modTime(t, name)
	time.Sleep(10 * time.Millisecond)
	writeFile(t, name, []byte("version two"))
	if err := os.Chtimes(name, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	got, _, err := filesAt(true, nil, settled(t, name)).Facts(name, &recorded)
	if err != nil {
		t.Fatal(err)
	}
	if got.MD5 == "recorded-not-read" || got.MD5 == hashed.MD5 || got.Stat.ModNS != hashed.Stat.ModNS {
		t.Errorf("edited file with its mtime set back: md5 %s (recorded %s, before %s)", got.MD5, recorded.Facts.MD5, hashed.MD5)
	}
}

// TestFacts_RacilyClean: a hash made within racyWindow of the file's last change may not
// stand for the version its stat shows (on a file system with 2 s timestamps, a second write
// in the same window keeps the stat), so it is never trusted: not from a record, not from the
// hash cache, not even by the process that made it. Once the file has been still long
// enough before a hash, that hash is trusted.
func TestFacts_RacilyClean(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "a.bin")
	writeFile(t, name, make([]byte, minCachedSize))
	mtime := modTime(t, name)
	cache := &hashCache{root: cacheRoot(t)}

	racy := filesAt(true, cache, mtime.Add(racyWindow/2)) // hashed right after the write
	first, _, err := racy.Facts(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := racy.Facts(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.HashedNS == first.HashedNS {
		t.Errorf("the process trusted its own racy hash")
	}
	if entries, _ := os.ReadDir(cache.root.Path(cacheDirName)); len(entries) != 0 {
		t.Errorf("a racy hash went to the cache (%d entries)", len(entries))
	}
	recorded := NewRecord(name, first)
	recorded.Facts.MD5 = "racy-record"
	for _, l := range []*Files{filesAt(true, nil, mtime.Add(time.Hour)), filesAt(true, nil, mtime.Add(racyWindow/2))} {
		if got, rec, _ := l.Facts(name, &recorded); got.MD5 == "racy-record" || rec {
			t.Errorf("a racy record was trusted: md5 %s", got.MD5)
		}
		if l.StillRecorded(name, &recorded) {
			t.Errorf("StillRecorded: true for a racy record")
		}
	}

	// Just outside the window, the same record is trusted.
	recorded.Facts.HashedNS = mtime.Add(racyWindow + time.Millisecond).UnixNano()
	if got, rec, _ := filesAt(true, nil, mtime.Add(time.Hour)).Facts(name, &recorded); got.MD5 != "racy-record" || !rec {
		t.Errorf("a settled record was not trusted: md5 %s", got.MD5)
	}
	// A record from before this field existed (no hashing time) is never trusted.
	recorded.Facts.HashedNS = 0
	if filesAt(true, nil, mtime.Add(time.Hour)).StillRecorded(name, &recorded) {
		t.Errorf("StillRecorded: true for a record with no hashing time")
	}
}

// TestFacts_DiskCacheHandsOverLargeFiles: the process that plans a new upload and the one
// that applies it share the hash through the cache on disk, for large files only.
func TestFacts_DiskCacheHandsOverLargeFiles(t *testing.T) {
	t.Parallel()
	root := cacheRoot(t)
	cacheDir := root.Path(cacheDirName)
	dir := t.TempDir()
	large, small := filepath.Join(dir, "large.bin"), filepath.Join(dir, "small.bin")
	writeFile(t, large, make([]byte, minCachedSize))
	writeFile(t, small, []byte("small"))
	at := settled(t, large)
	files := func(trust bool) *Files {
		l := New(trust, root)
		l.now = func() time.Time { return at }
		return l
	}
	if _, err := os.Stat(cacheDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the cache directory was made before anything was put in it: %v", err)
	}
	for _, name := range []string{large, small} {
		if _, _, err := files(true).Facts(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(cacheDir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache holds %d entries (%v), want one: the large file", len(entries), err)
	}
	// Tamper with the entry: a later process must take it as it is, without reading the file.
	entry := filepath.Join(cacheDir, entries[0].Name())
	raw, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, entry, []byte(strings.Replace(string(raw), `"md5":"`, `"md5":"cached-`, 1)))
	if got, rec, _ := files(true).Facts(large, nil); !strings.HasPrefix(got.MD5, "cached-") || !rec {
		t.Errorf("the next process hashed the file again: md5 %s", got.MD5)
	}
	if got, _, _ := files(false).Facts(large, nil); strings.HasPrefix(got.MD5, "cached-") {
		t.Errorf("the cache was used without trustRecords")
	}
	// An entry that another user could have written (planted) stands for nothing.
	if err := os.Chmod(entry, 0o666); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := files(true).Facts(large, nil); strings.HasPrefix(got.MD5, "cached-") {
		t.Errorf("an entry others could write was trusted")
	}
	if err := os.Chmod(entry, 0o600); err != nil {
		t.Fatal(err)
	}
	// A new version never matches the old entry.
	writeFile(t, large, append(make([]byte, minCachedSize), 1))
	at = settled(t, large)
	if got, _, _ := files(true).Facts(large, nil); strings.HasPrefix(got.MD5, "cached-") {
		t.Errorf("a new version was served from the cache")
	}
}

// jpegWith returns a 9×4 JPEG with the given segments inserted after its SOI marker.
func jpegWith(t *testing.T, segments ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 9, 4)), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	parts := append(append([][]byte{b[:2]}, segments...), b[2:])
	return slices.Concat(parts...)
}

// app1 is an APP1 segment holding payload.
func app1(payload []byte) []byte {
	return append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
}

// exif is an EXIF payload whose first directory holds an orientation tag of the given type
// (3 is SHORT), in the given byte order.
func exif(order binary.AppendByteOrder, mark string, tagType uint16, orientation uint16) []byte {
	b := []byte("Exif\x00\x00" + mark)
	b = order.AppendUint16(b, 42)
	b = order.AppendUint32(b, 8)
	b = order.AppendUint16(b, 1)
	b = order.AppendUint16(b, 0x0112)
	b = order.AppendUint16(b, tagType)
	b = order.AppendUint32(b, 1)
	b = order.AppendUint16(b, orientation)
	b = order.AppendUint16(b, 0)
	return order.AppendUint32(b, 0)
}

// TestPredictContent_jpegDimensions: a JPEG's frame size is planned only when no orientation
// can swap it.
func TestPredictContent_jpegDimensions(t *testing.T) {
	t.Parallel()
	known := Facts{Format: "jpg", MimeType: "image/jpeg", Kind: KindRaster, Width: 9, Height: 4}
	unknown := Facts{Format: "jpg", MimeType: "image/jpeg", Kind: KindRaster}
	for _, tc := range []struct {
		name string
		jpeg []byte
		want Facts
	}{
		{"no EXIF", jpegWith(t), known},
		{"orientation 1, little-endian", jpegWith(t, app1(exif(binary.LittleEndian, "II", 3, 1))), known},
		{"orientation 3 (180°), big-endian", jpegWith(t, app1(exif(binary.BigEndian, "MM", 3, 3))), known},
		{"orientation 6 (90°)", jpegWith(t, app1(exif(binary.BigEndian, "MM", 3, 6))), unknown},
		{"orientation 8 (270°)", jpegWith(t, app1(exif(binary.LittleEndian, "II", 3, 8))), unknown},
		{"orientation of the wrong type", jpegWith(t, app1(exif(binary.LittleEndian, "II", 4, 1))), unknown},
		{"orientation out of range", jpegWith(t, app1(exif(binary.LittleEndian, "II", 3, 9))), unknown},
		{"malformed EXIF", jpegWith(t, app1([]byte("Exif\x00\x00XX"))), unknown},
		{"XMP orientation", jpegWith(t, app1([]byte(`http://ns.adobe.com/xap/1.0/ <tiff:Orientation>6</tiff:Orientation>`))), unknown},
		{"a second EXIF that rotates", jpegWith(t, app1(exif(binary.BigEndian, "MM", 3, 1)), app1(exif(binary.BigEndian, "MM", 3, 5))), unknown},
	} {
		if got := predictContent(tc.jpeg, ".jpg"); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
