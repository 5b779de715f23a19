package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/assetform/terraform-provider-datocms/internal/localfile"
)

// Private state of datocms_upload: what the provider must remember about an upload that is
// neither configuration nor a value DatoCMS returns. Each key holds one JSON document.
const (
	// privateFileKey records the local file as last hashed (localfile.Record).
	privateFileKey = "file"
	// privateLegacySeenFileKey is the record of versions before 0.1.0; it is dropped on write.
	privateLegacySeenFileKey = "seen_file"
	// privatePendingKey marks an upload whose create DatoCMS accepted (or may have) but whose
	// outcome the provider has not seen yet (pendingCreate).
	privatePendingKey = "pending_create"
	// privateUnconfirmedKey marks an upload whose create DatoCMS refused (or whose job
	// failed) when the read that should confirm that nothing was made failed too
	// (unconfirmedCreate). Unlike a pending create, it does not hold up later operations.
	privateUnconfirmedKey = "unconfirmed_create"
	// privateProjectKey records where the upload lives (projectRecord), so that a 404 from
	// a DatoCMS that is not the same project is never taken for a deleted upload.
	privateProjectKey = "project"
)

// pendingCreate is a create that DatoCMS accepted, or may have, before the provider saw its
// outcome (a timeout, a lost answer). The upload ID is the resource's id.
type pendingCreate struct {
	JobID      string    `json:"job_id,omitempty"` // "" when the answer naming it was lost
	AcceptedAt time.Time `json:"accepted_at"`
}

func readPendingCreate(ctx context.Context, private privateGetter) *pendingCreate {
	var p pendingCreate
	if !readPrivate(ctx, private, privatePendingKey, &p) || p.AcceptedAt.IsZero() {
		return nil
	}
	return &p
}

// unconfirmedCreate is a refused create whose outcome could not be confirmed.
type unconfirmedCreate struct {
	RefusedAt time.Time `json:"refused_at"`
}

// projectRecord is the DatoCMS site and environment an upload was created or last read in.
type projectRecord struct {
	SiteID      string `json:"site_id"`
	Environment string `json:"environment"` // "" is the primary environment
}

func readProjectRecord(ctx context.Context, private privateGetter) *projectRecord {
	var p projectRecord
	if !readPrivate(ctx, private, privateProjectKey, &p) || p.SiteID == "" {
		return nil
	}
	return &p
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// The file record (privateFileKey) is a localfile.Record: the local file as last hashed,
// which the plan trusts, without reading the file, while the file's stat still shows that
// version.

func readFileRecord(ctx context.Context, private privateGetter) *localfile.Record {
	var rec localfile.Record
	if !readPrivate(ctx, private, privateFileKey, &rec) || rec.Facts.MD5 == "" {
		return nil
	}
	return &rec
}

// writeFileRecord stores (or, with nil, forgets) the file record.
func writeFileRecord(ctx context.Context, private privateSetter, rec *localfile.Record) diag.Diagnostics {
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
