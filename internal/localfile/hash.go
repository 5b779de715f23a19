package localfile

import (
	"bytes"
	"crypto/md5" //nolint:gosec // DatoCMS identifies file content by MD5; this is not a security use.
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registered for image.DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// OfBytes returns the facts of content held in memory (inline content), named with the
// extension ext (with its dot), as hashFile gives them for a file.
func OfBytes(b []byte, ext string) Facts {
	sum := md5.Sum(b) //nolint:gosec // content identity
	f := predictContent(b[:min(len(b), headSize)], ext)
	f.MD5, f.Size = hex.EncodeToString(sum[:]), int64(len(b))
	return f
}

// headSize is how much of a file is read to predict what DatoCMS derives from it. Image
// headers (and a JPEG's metadata before its frame header) almost always fit; when they do
// not, the dimensions stay unknown in the plan rather than guessed.
const headSize = 64 << 10

// hashFile streams the file once through MD5 (never holding it in memory) and predicts
// what DatoCMS derives from its first bytes and its extension.
func hashFile(name string) (Facts, error) {
	file, err := os.Open(name) //nolint:gosec // the path comes from the user's configuration
	if err != nil {
		return Facts{}, err
	}
	defer file.Close()

	head := make([]byte, headSize)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Facts{}, fmt.Errorf("reading %q: %w", name, err)
	}
	head = head[:n]
	h := md5.New() //nolint:gosec // content identity, not security
	h.Write(head)
	rest, err := io.Copy(h, file)
	if err != nil {
		return Facts{}, fmt.Errorf("reading %q: %w", name, err)
	}
	f := predictContent(head, filepath.Ext(name))
	f.MD5, f.Size = hex.EncodeToString(h.Sum(nil)), int64(n)+rest
	return f, nil
}

// predictContent predicts the format, mime_type and image facts DatoCMS computes for a file,
// so that a plan can show them. It answers only where the result is certain: raster images
// whose header decodes, and a few plain document types by extension. Anything else stays
// unknown in the plan (known after apply) rather than risk a plan that apply contradicts.
func predictContent(head []byte, ext string) Facts {
	rasters := map[string][2]string{"png": {"png", "image/png"}, "jpeg": {"jpg", "image/jpeg"}, "gif": {"gif", "image/gif"}}
	if cfg, name, err := image.DecodeConfig(bytes.NewReader(head)); err == nil {
		if r, ok := rasters[name]; ok && cfg.Width > 0 && cfg.Height > 0 {
			f := Facts{Format: r[0], MimeType: r[1], Kind: KindRaster, Width: int64(cfg.Width), Height: int64(cfg.Height)}
			if name == "jpeg" && !jpegKeepsFrameSize(head) {
				f.Width, f.Height = 0, 0 // an orientation may swap them: unknown
			}
			return f
		}
	}
	if looksLikeImage(head) {
		return Facts{} // an image signature whose header did not decode: nothing is certain
	}
	if looksLikeVideo(head) {
		return Facts{Kind: KindVideo}
	}
	documents := map[string]string{".txt": "text/plain", ".pdf": "application/pdf", ".csv": "text/csv", ".json": "application/json"}
	ext = strings.ToLower(ext)
	if mimeType, ok := documents[ext]; ok {
		return Facts{Format: strings.TrimPrefix(ext, "."), MimeType: mimeType, Kind: KindDocument}
	}
	return Facts{}
}

// looksLikeVideo reports whether head starts like a video container: an ISO base media
// file (MP4, QuickTime) whose brand is not an image one (HEIF, AVIF share the container),
// or an EBML document (WebM, Matroska).
func looksLikeVideo(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}) {
		return true
	}
	if len(head) < 12 || string(head[4:8]) != "ftyp" {
		return false
	}
	switch string(head[8:12]) {
	case "heic", "heix", "hevc", "hevx", "mif1", "msf1", "avif", "avis":
		return false
	}
	return true
}

// looksLikeImage reports whether head starts with a PNG, JPEG or GIF signature.
func looksLikeImage(head []byte) bool {
	for _, sig := range []string{"\x89PNG\r\n\x1a\n", "\xFF\xD8\xFF", "GIF87a", "GIF89a"} {
		if bytes.HasPrefix(head, []byte(sig)) {
			return true
		}
	}
	return false
}
