package provider

import (
	"context"
	"encoding/json"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// Private state of datocms_upload: what the provider must remember about an upload that is
// neither configuration nor a value DatoCMS returns. Each key holds one JSON document.
const (
	// privateFileKey records the local file as last hashed (fileRecord).
	privateFileKey = "file"
	// privateLegacySeenFileKey is the record of versions before 0.1.0; it is dropped on write.
	privateLegacySeenFileKey = "seen_file"
)

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// fileRecord is a local file as the provider last hashed it: the plan trusts it, without
// reading the file, while the file's stat still shows that version.
type fileRecord struct {
	Path  string    `json:"path"` // absolute
	Facts fileFacts `json:"facts"`
}

func newFileRecord(name string, facts fileFacts) fileRecord {
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	return fileRecord{Path: abs, Facts: facts}
}

func readFileRecord(ctx context.Context, private privateGetter) *fileRecord {
	var rec fileRecord
	if !readPrivate(ctx, private, privateFileKey, &rec) || rec.Facts.MD5 == "" {
		return nil
	}
	return &rec
}

// writeFileRecord stores (or, with nil, forgets) the file record.
func writeFileRecord(ctx context.Context, private privateSetter, rec *fileRecord) diag.Diagnostics {
	diags := private.SetKey(ctx, privateLegacySeenFileKey, nil)
	diags.Append(writePrivate(ctx, private, privateFileKey, rec)...)
	return diags
}

// readPrivate decodes key into v and reports whether there was a usable value.
func readPrivate(ctx context.Context, private privateGetter, key string, v any) bool {
	if private == nil {
		return false
	}
	raw, diags := private.GetKey(ctx, key)
	if diags.HasError() || len(raw) == 0 {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

// writePrivate stores v under key; a nil pointer removes the key.
func writePrivate[T any](ctx context.Context, private privateSetter, key string, v *T) diag.Diagnostics {
	if v == nil {
		return private.SetKey(ctx, key, nil)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Error recording private state", err.Error())
		return diags
	}
	return private.SetKey(ctx, key, raw)
}
