package datocmstest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return b
}

// newEntityID returns an id in the format of new DatoCMS projects: an RFC 4122
// v4 UUID in URL-safe base64 without padding, 22 characters (API §1.3).
func newEntityID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return base64.RawURLEncoding.EncodeToString(b)
}

// newJobID returns 24 hex digits, the format seen in real traffic.
func newJobID() string { return hex.EncodeToString(randomBytes(12)) }

// newPlaybackID returns an ID shaped like Mux's public playback IDs: 44 letters and digits.
func newPlaybackID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := randomBytes(44)
	for i, x := range b {
		b[i] = alphabet[int(x)%len(alphabet)]
	}
	return string(b)
}

func newErrorID() string { return hex.EncodeToString(randomBytes(4)) }

func newRequestID() string {
	b := randomBytes(16)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// maxNumericID is 2^48-1, the largest integer id the official client accepts.
const maxNumericID = 1<<48 - 1

// validEntityID mirrors the official client's id validator (API §1.3): a
// base64url-encoded 16-byte UUID, or a decimal integer up to 2^48-1.
func validEntityID(id string) bool {
	if len(id) == 22 {
		if b, err := base64.RawURLEncoding.DecodeString(id); err == nil && len(b) == 16 {
			return true
		}
	}
	if id == "" || strings.TrimLeft(id, "0123456789") != "" {
		return false
	}
	n, err := strconv.ParseUint(id, 10, 64)
	return err == nil && n <= maxNumericID
}

// slug sanitises a file name the way storage paths look in real traffic:
// lowercase, every run of characters outside [a-z0-9._-] becomes one "-",
// no leading or trailing "-". The extension survives because "." is kept.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "file"
	}
	return s
}

// splitName splits "photo.large.png" into "photo.large" and ".png". A name
// that is only an extension (".env") has no extension, so the basename is
// never empty.
func splitName(filename string) (base, ext string) {
	i := strings.LastIndexByte(filename, '.')
	if i <= 0 {
		return filename, ""
	}
	return filename[:i], filename[i:]
}

// validBasename is our answer to open question §10.9 (basename rules): the
// real rules are undocumented, and only slugified names (lowercase letters,
// digits and dashes) were ever observed, so the server is strict: it accepts
// only those and rejects the rest with a 422 instead of silently rewriting it,
// so a client never relies on a name DatoCMS may change.
func validBasename(b string) bool {
	if b == "" || b[0] == '-' {
		return false
	}
	for _, r := range b {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}
