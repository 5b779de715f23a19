package provider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"maps"
	"math/big"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
)

// A refresh that finds an upload as it was when its state was last built can keep that state
// as it is: mapping the same upload onto a state built from it gives that state again (the
// second plan of every test is empty). refreshRecord remembers, in private state, which
// upload (as DatoCMS returned it, to this build of the provider) gave which state; the
// server's ReadResource compares both before it skips the mapping (readUnchanged).

// privateRefreshKey holds the refreshRecord of the state it is stored with.
const privateRefreshKey = "refresh"

type refreshRecord struct {
	Upload string `json:"upload"` // uploadDigest of the upload the state was built from
	State  string `json:"state"`  // stateDigest of that state
}

func readRefreshRecord(ctx context.Context, private privateGetter) *refreshRecord {
	var rec refreshRecord
	if !readPrivate(ctx, private, privateRefreshKey, &rec) || rec.Upload == "" || rec.State == "" {
		return nil
	}
	return &rec
}

// recordRefresh records that state was built from up by this build; with a nil up (a state
// that is not exactly the mapping of an upload) it forgets the record.
func recordRefresh(ctx context.Context, private privateSetter, up *datocms.Upload, state tftypes.Value) diag.Diagnostics {
	var rec *refreshRecord
	if up != nil && buildKey() != "" {
		rec = &refreshRecord{Upload: uploadDigest(up), State: stateDigest(state)}
	}
	return writePrivate(ctx, private, privateRefreshKey, rec)
}

// buildKey identifies this build of the provider (its executable's path, size and
// modification time): the mapping from upload to state may differ in another build, so
// records of another build are not trusted. "" when unknown: nothing is then recorded.
var buildKey = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	info, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return exe + "\x00" + strconv.FormatInt(info.Size(), 10) + "\x00" + strconv.FormatInt(info.ModTime().UnixNano(), 10)
})

// uploadDigest digests an upload as DatoCMS returned it (every field, updated_at included)
// together with the build that reads it.
func uploadDigest(up *datocms.Upload) string {
	raw, err := json.Marshal(up)
	if err != nil {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(buildKey()))
	h.Write([]byte{0})
	h.Write(raw)
	return shortDigest(h.Sum(nil))
}

// stateDigest digests a state value in a canonical form: object and map keys sorted, set
// elements sorted, numbers in their shortest exact form. Terraform stores state as JSON and
// sends it back re-encoded (sets in its own order), so the bytes it sends cannot be compared.
func stateDigest(v tftypes.Value) string {
	var buf bytes.Buffer
	writeCanonical(&buf, v)
	sum := sha256.Sum256(buf.Bytes())
	return shortDigest(sum[:])
}

// shortDigest keeps 128 bits of a digest, base64url: private state is copied for every
// instance by Terraform, so its size counts.
func shortDigest(sum []byte) string {
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// writeCanonical writes v to buf as tagged, length-prefixed fields.
func writeCanonical(buf *bytes.Buffer, v tftypes.Value) {
	field := func(tag byte, s string) {
		buf.WriteByte(tag)
		buf.Write(binary.AppendUvarint(nil, uint64(len(s))))
		buf.WriteString(s)
	}
	switch {
	case !v.IsKnown():
		field('?', "")
		return
	case v.IsNull():
		field('n', "")
		return
	}
	switch typ := v.Type(); {
	case typ.Is(tftypes.String):
		var s string
		_ = v.As(&s)
		field('s', s)
	case typ.Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		field('d', f.Text('g', -1))
	case typ.Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		field('b', strconv.FormatBool(b))
	case typ.Is(tftypes.Object{}) || typ.Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		field('o', strconv.Itoa(len(m)))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			field('k', k)
			writeCanonical(buf, m[k])
		}
	case typ.Is(tftypes.Set{}):
		var elems []tftypes.Value
		_ = v.As(&elems)
		encoded := make([]string, len(elems))
		for i, e := range elems {
			var eb bytes.Buffer
			writeCanonical(&eb, e)
			encoded[i] = eb.String()
		}
		slices.Sort(encoded)
		field('e', strconv.Itoa(len(encoded)))
		for _, e := range encoded {
			buf.WriteString(e)
		}
	default: // lists and tuples, in order
		var elems []tftypes.Value
		_ = v.As(&elems)
		field('l', strconv.Itoa(len(elems)))
		for _, e := range elems {
			writeCanonical(buf, e)
		}
	}
}
