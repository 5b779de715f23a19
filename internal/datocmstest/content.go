package datocmstest

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"image"
	_ "image/gif" // registered for image.DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"strings"
)

// contentFacts are the attributes DatoCMS derives from a file's bytes and name.
type contentFacts struct {
	format, mimeType *string
	width, height    *int
	isImage          bool
	decoded          bool        // a real raster header was read; only then are there fake hashes
	video            *videoFacts // set for a video format, even when its header says nothing
	threat           string      // the antivirus verdict on the bytes: a threat name, "" = clean
}

// decodedFormats maps image.DecodeConfig format names to DatoCMS's format and mime type.
var decodedFormats = map[string][2]string{
	"png":  {"png", "image/png"},
	"jpeg": {"jpg", "image/jpeg"},
	"gif":  {"gif", "image/gif"},
}

// mimeByExt is the fixed table for files whose header is not a known raster image.
var mimeByExt = map[string]string{
	"txt":  "text/plain",
	"pdf":  "application/pdf",
	"svg":  "image/svg+xml",
	"json": "application/json",
	"mp4":  "video/mp4",
	"mov":  "video/quicktime",
	"webm": "video/webm",
	"webp": "image/webp",
	"csv":  "text/csv",
}

// videoFormats are the formats Mux processes. Only the ISO BMFF ones (mp4, mov) have a
// header readVideoFacts understands; a webm gets the fallback values.
var videoFormats = map[string]bool{"mp4": true, "mov": true, "webm": true}

// detectFacts reads only the header of the file at path (image.DecodeConfig
// stops after the dimensions, readVideoFacts seeks past media data), so large
// files are never loaded.
func detectFacts(path, filename string) (contentFacts, error) {
	f, err := os.Open(path)
	if err != nil {
		return contentFacts{}, err
	}
	defer f.Close()
	if cfg, name, err := image.DecodeConfig(bufio.NewReader(f)); err == nil {
		if fm, ok := decodedFormats[name]; ok {
			w, h := cfg.Width, cfg.Height
			return contentFacts{format: &fm[0], mimeType: &fm[1], width: &w, height: &h, isImage: true, decoded: true}, nil
		}
	}
	_, ext := splitName(filename)
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	mt, ok := mimeByExt[ext]
	if !ok {
		mt = "application/octet-stream"
	}
	facts := contentFacts{mimeType: &mt, isImage: ext == "svg" || ext == "webp"}
	if ext != "" {
		facts.format = &ext
	}
	if videoFormats[ext] {
		facts.video = &videoFacts{}
		if ext != "webm" {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return contentFacts{}, err
			}
			*facts.video = readVideoFacts(f)
		}
	}
	return facts, nil
}

// fakeHashes derives deterministic stand-ins for blurhash and thumbhash from
// the md5, so equal bytes give equal values and a new file gives new ones.
func fakeHashes(md5hex string) (blurhash, thumbhash string) {
	raw, _ := hex.DecodeString(md5hex)
	return "L" + md5hex[:20], base64.StdEncoding.EncodeToString(raw)
}
