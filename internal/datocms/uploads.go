package datocms

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Upload is a DatoCMS upload (asset) as the API returns it.
type Upload struct {
	ID, Path, Basename, Filename, URL, MD5 string
	Size                                   int64
	Width, Height                          *int64
	Format, MimeType                       *string
	IsImage                                bool
	Author, Copyright, Notes               *string
	Tags, SmartTags                        []string // never nil after decode
	DefaultFieldMetadata                   FieldMetadata
	Blurhash, Thumbhash                    *string
	CreatedAt, UpdatedAt                   string // as returned (RFC 3339)
	UploadCollectionID                     *string
	// What DatoCMS finds out after the upload (API §6.12): its antivirus scan (status
	// pending, clean, infected, failed or skipped; "" when the API says nothing), and for a
	// video what Mux reports once it has processed it (nil until then).
	AntivirusStatus              string
	AntivirusThreat              *string
	MuxPlaybackID, MuxHighestRes *string
	Duration, FrameRate          *float64
}

// Field is an optional patch value: unset fields are left out of the request, Null sends
// JSON null (clears the remote value), Set sends the value.
type Field[T any] struct {
	set   bool
	value *T
}

// Set returns a field that sends v.
func Set[T any](v T) Field[T] { return Field[T]{set: true, value: &v} }

// Null returns a field that sends JSON null.
func Null[T any]() Field[T] { return Field[T]{set: true} }

// IsSet reports whether the field is part of the request.
func (f Field[T]) IsSet() bool { return f.set }

// Value returns the value to send, nil for null (or unset).
func (f Field[T]) Value() (v *T) { return f.value }

// CreateUploadInput is the body of POST /uploads (API §6.3).
type CreateUploadInput struct {
	ID                       string // client-generated upload id; CreateUpload fills it with NewUploadID if empty
	Path                     string // upload-request id (never the URL)
	Author, Copyright, Notes *string
	Tags                     []string       // nil = omit
	DefaultFieldMetadata     *FieldMetadata // nil = omit; encoded to the environment's shape
	UploadCollectionID       *string
	// OnAccepted, when set, is called with the job id as soon as DatoCMS accepts the create,
	// so a caller can record what to ask about if it never sees the outcome.
	OnAccepted func(jobID string)
}

// UpdateUploadInput is the body of PUT /uploads/:id (API §6.5): only what is set is sent.
type UpdateUploadInput struct {
	Path                     *string // new file (upload-request id)
	ReplaceStrategy          string  // "", "create_new_url" or "keep_url"; sent only with Path
	Basename                 *string
	Author, Copyright, Notes Field[string]
	Tags                     *[]string
	DefaultFieldMetadata     *FieldMetadata // full desired state; see encodeFieldMetadata
	UploadCollectionID       Field[string]  // Null = remove from collection
	// PosterTime is a video's poster frame in seconds (Null: Mux's default, the middle). It
	// is part of default_field_metadata in the field-keyed shape only (API §6.12).
	PosterTime Field[float64]
}

// IsEmpty reports whether the input would change nothing.
func (in UpdateUploadInput) IsEmpty() bool {
	return in.Path == nil && in.Basename == nil && !in.Author.IsSet() && !in.Copyright.IsSet() &&
		!in.Notes.IsSet() && in.Tags == nil && in.DefaultFieldMetadata == nil && !in.UploadCollectionID.IsSet() &&
		!in.PosterTime.IsSet()
}

// NewUploadID returns a fresh upload id in the format of new projects: a random RFC 4122
// version 4 UUID, base64url-encoded without padding (22 characters, API §1.3). Choosing
// the id client-side lets a retried or interrupted create find its upload again.
func NewUploadID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // crypto/rand.Read never fails (Go ≥ 1.24)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// writeDocument is a JSON:API single-resource request body (API §1.1).
type writeDocument struct {
	Data writeResource `json:"data"`
}

type writeResource struct {
	Type          string                   `json:"type"`
	ID            string                   `json:"id,omitempty"`
	Attributes    map[string]any           `json:"attributes"`
	Relationships map[string]*relationship `json:"relationships,omitempty"`
}

// MarshalJSON always sends attributes, as every documented request body has them ({} when
// nothing is set): the official client leaves an empty one out, but what DatoCMS makes of a
// body without it is not documented.
func (r writeResource) MarshalJSON() ([]byte, error) {
	type plain writeResource
	if r.Attributes == nil {
		r.Attributes = map[string]any{}
	}
	return json.Marshal(plain(r))
}

func collectionRelationship(id *string) *relationship {
	if id == nil {
		return &relationship{} // {"data": null}
	}
	return &relationship{Data: &resourceRef{Type: "upload_collection", ID: *id}}
}

// CreateUpload creates an upload from a file already PUT to storage (see UploadFile) and
// waits for the job. It fills in.ID with NewUploadID when empty; a caller that must be able
// to find the upload after a failure sets it itself.
//
// The client-chosen id makes the create safe to resend: when an attempt's answer is lost,
// the create is sent again, and if DatoCMS refuses the repeat because the id is taken, the
// first attempt was applied and its upload is followed instead. When the outcome cannot be
// known before ctx ends, the error is a *PendingCreateError.
func (c *Client) CreateUpload(ctx context.Context, in CreateUploadInput) (*Upload, error) {
	if in.ID == "" {
		in.ID = NewUploadID()
	}
	attrs := map[string]any{"path": in.Path}
	for key, v := range map[string]*string{"author": in.Author, "copyright": in.Copyright, "notes": in.Notes} {
		if v != nil {
			attrs[key] = *v
		}
	}
	if in.Tags != nil {
		attrs["tags"] = in.Tags
	}
	if in.DefaultFieldMetadata != nil {
		site, err := c.Site(ctx)
		if err != nil {
			return nil, err
		}
		attrs["default_field_metadata"] = encodeFieldMetadata(*in.DefaultFieldMetadata, site)
	}
	res := writeResource{Type: "upload", ID: in.ID, Attributes: attrs}
	if in.UploadCollectionID != nil {
		res.Relationships = map[string]*relationship{"upload_collection": collectionRelationship(in.UploadCollectionID)}
	}
	cl := createCall(writeDocument{Data: res})
	cl.onJob = in.OnAccepted
	var doc uploadDocument
	trace, err := c.doTracked(ctx, cl, &doc)
	switch {
	case err == nil:
		return doc.toUpload(cl)
	case trace.uncertain && isDuplicateID(err):
		return c.FollowCreate(ctx, in.ID, "")
	case trace.uncertain, trace.jobID != "" && !IsJobFailure(err), trace.jobID == "" && !isRejection(err):
		// Accepted (its job still runs), or possibly accepted (no usable answer came back).
		return nil, &PendingCreateError{UploadID: in.ID, JobID: trace.jobID, Err: err}
	}
	return nil, err
}

func createCall(body any) call {
	return call{method: http.MethodPost, path: "/uploads", body: body, resendable: true}
}

// FollowCreate finds out what became of a create whose outcome was unknown: it returns the
// upload once it exists, waiting for job jobID ("" when the create's answer was lost)
// within ctx. A failed job returns its *APIError (nothing was created, unless DatoCMS
// reports the upload anyway, in which case both are returned); a job still running when
// ctx ends returns a *PendingCreateError.
func (c *Client) FollowCreate(ctx context.Context, uploadID, jobID string) (*Upload, error) {
	if up, err := c.getUploadDirect(ctx, uploadID); err == nil || !IsNotFound(err) {
		return up, err
	}
	pending := func(err error) error { return &PendingCreateError{UploadID: uploadID, JobID: jobID, Err: err} }
	if jobID != "" {
		var doc uploadDocument
		body, err := c.waitJob(ctx, jobID, createCall(nil), time.Now())
		switch {
		case err == nil && json.Unmarshal(body, &doc) == nil && doc.Data.ID != "":
			return doc.toUpload(createCall(nil))
		case err == nil:
			return c.getUploadDirect(ctx, uploadID)
		case IsJobFailure(err):
			if up, getErr := c.getUploadDirect(ctx, uploadID); getErr == nil {
				return up, err
			}
			return nil, err
		}
		return nil, pending(err)
	}
	// No job to ask: the upload appearing is the only sign that the create finished.
	w := c.pacer.start(jobKind(createCall(nil)), time.Now())
	defer w.stop()
	for {
		if err := sleep(ctx, time.Until(w.next)); err != nil {
			return nil, pending(err)
		}
		w.polling()
		up, err := c.getUploadDirect(ctx, uploadID)
		switch {
		case err == nil:
			w.done()
			return up, nil
		case !IsNotFound(err):
			return nil, pending(err)
		}
		w.pending()
	}
}

// PendingCreateError means DatoCMS accepted a create, or may have, but its outcome is not
// known yet: its job was still running when the context ended, or no usable answer came
// back. UploadID is the id the upload has if the create succeeds; JobID is the job to ask
// about it, "" when the answer that would have named it was lost.
type PendingCreateError struct {
	UploadID, JobID string
	Err             error
}

func (e *PendingCreateError) Error() string {
	if e.JobID == "" {
		return fmt.Sprintf("the outcome of creating upload %s is unknown: %v", e.UploadID, e.Err)
	}
	return fmt.Sprintf("DatoCMS job %s creating upload %s had not finished: %v", e.JobID, e.UploadID, e.Err)
}

func (e *PendingCreateError) Unwrap() error { return e.Err }

// isDuplicateID reports whether DatoCMS refused a create because its id is taken. The
// exact code is unverified (API §10.16): accept any refusal that names the id field.
func isDuplicateID(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.JobID == "" && apiErr.Status == http.StatusUnprocessableEntity &&
		(apiErr.Field() == "id" || HasCode(err, "VALIDATION_UNIQUENESS"))
}

// IsJobFailure reports whether err is a job that DatoCMS ran and reported failed.
func IsJobFailure(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.JobID != ""
}

// isRejection reports whether DatoCMS answered a request with a definite refusal (a 4xx
// other than 429), so that it certainly was not applied.
func isRejection(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.JobID == "" && apiErr.Status >= 400 && apiErr.Status < 500 &&
		apiErr.Status != http.StatusTooManyRequests && apiErr.Body == ""
}

// GetUpload reads one upload. Concurrent calls share requests (see uploadReads). A missing
// upload is an error for which IsNotFound is true, and only ever comes from a GET of that
// very upload.
func (c *Client) GetUpload(ctx context.Context, id string) (*Upload, error) {
	return c.reads.get(ctx, id)
}

// UploadsWithMD5 returns every upload whose file has this MD5 (hex). Like GetUpload, it is
// answered from the process's snapshot of the environment when there is one.
func (c *Client) UploadsWithMD5(ctx context.Context, md5 string) ([]*Upload, error) {
	return c.reads.withMD5(ctx, md5)
}

// getUploadDirect reads one upload with its own request.
func (c *Client) getUploadDirect(ctx context.Context, id string) (*Upload, error) {
	return c.uploadCall(ctx, call{method: http.MethodGet, path: uploadPath(id)})
}

// clone returns a copy that shares nothing mutable with u.
func (u *Upload) clone() *Upload {
	c := *u
	c.Tags, c.SmartTags = slices.Clone(u.Tags), slices.Clone(u.SmartTags)
	c.DefaultFieldMetadata.Locales = maps.Clone(u.DefaultFieldMetadata.Locales)
	return &c
}

// UpdateUpload patches an upload and waits for the job (or takes the synchronous answer).
// An empty input sends nothing and returns the current upload.
func (c *Client) UpdateUpload(ctx context.Context, id string, in UpdateUploadInput) (*Upload, error) {
	if in.IsEmpty() {
		return c.GetUpload(ctx, id)
	}
	c.reads.markWritten(id)
	attrs := map[string]any{}
	if in.Path != nil {
		attrs["path"] = *in.Path
	}
	if in.Basename != nil {
		attrs["basename"] = *in.Basename
	}
	for key, f := range map[string]Field[string]{"author": in.Author, "copyright": in.Copyright, "notes": in.Notes} {
		if f.IsSet() {
			attrs[key] = f.Value() // nil encodes as JSON null
		}
	}
	if in.Tags != nil {
		attrs["tags"] = nonNil(*in.Tags)
	}
	if in.DefaultFieldMetadata != nil || in.PosterTime.IsSet() {
		site, err := c.Site(ctx)
		if err != nil {
			return nil, err
		}
		dfm, err := metadataPatch(in.DefaultFieldMetadata, in.PosterTime, site)
		if err != nil {
			return nil, err
		}
		attrs["default_field_metadata"] = dfm
	}
	res := writeResource{Type: "upload", ID: id, Attributes: attrs}
	if in.UploadCollectionID.IsSet() {
		res.Relationships = map[string]*relationship{"upload_collection": collectionRelationship(in.UploadCollectionID.Value())}
	}
	cl := call{method: http.MethodPut, path: uploadPath(id), body: writeDocument{Data: res}}
	if in.Path != nil && in.ReplaceStrategy != "" {
		cl.query = url.Values{"replace_strategy": {in.ReplaceStrategy}}
	}
	return c.uploadCall(ctx, cl)
}

// DeleteUpload deletes an upload. The API answers 200 with the deleted upload today, but a
// 204 or a 202 + job are handled too (API §6.6).
// Deleting is resendable: a repeated DELETE of a deleted upload answers 404, which callers
// treat as done.
func (c *Client) DeleteUpload(ctx context.Context, id string) error {
	c.reads.markWritten(id)
	return c.do(ctx, call{method: http.MethodDelete, path: uploadPath(id), resendable: true}, nil)
}

// Reference is a record that links to an upload.
type Reference struct {
	RecordID string
	ModelID  string // the record's item type
	Model    string // the model's API key, "" when it could not be read
}

// UploadReferences returns the records that link to the upload (GET /uploads/:id/references),
// in their current or their published version, with the API key of each record's model.
// Models are read once per client. (The API's default, the current version only, misses a
// published record whose draft dropped the upload: deleting it would break live content.)
func (c *Client) UploadReferences(ctx context.Context, id string) ([]Reference, error) {
	var doc struct {
		Data []struct {
			ID            string `json:"id"`
			Relationships struct {
				ItemType relationship `json:"item_type"`
			} `json:"relationships"`
		} `json:"data"`
	}
	query := url.Values{"version": {"published-or-current"}}
	if err := c.do(ctx, call{method: http.MethodGet, path: uploadPath(id) + "/references", query: query}, &doc); err != nil {
		return nil, err
	}
	refs := make([]Reference, 0, len(doc.Data))
	for _, d := range doc.Data {
		ref := Reference{RecordID: d.ID}
		if it := d.Relationships.ItemType.Data; it != nil {
			ref.ModelID = it.ID
			ref.Model = c.modelAPIKey(ctx, it.ID)
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// modelAPIKey returns the API key of item type id, or "" when it cannot be read (the
// references are worth reporting without it).
func (c *Client) modelAPIKey(ctx context.Context, id string) string {
	if key, ok := c.models.Load(id); ok {
		return key.(string) //nolint:forcetypeassert // only strings are stored
	}
	var doc struct {
		Data struct {
			Attributes struct {
				APIKey string `json:"api_key"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/item-types/" + url.PathEscape(id)}, &doc); err != nil {
		return ""
	}
	c.models.Store(id, doc.Data.Attributes.APIKey)
	return doc.Data.Attributes.APIKey
}

// ListUploadsOptions filters GET /uploads (API §6.7); every filter set must hold. See
// uploads_list.go for how each is sent.
type ListUploadsOptions struct {
	IDs    []string
	MD5    string
	Path   string
	Query  string   // free text: file name, credits, notes, alt and title in Locale
	Locale string   // locale of Query and of the alt/title filters; "" = the environment's main locale
	Tags   []string // uploads that carry every one of these tags
	Types  []string // CDA upload types (UploadTypes): uploads of any of them
	// ExcludeTypes keeps the uploads of none of these types (the type filter's not_in).
	ExcludeTypes []string
	// CollectionID keeps the uploads directly in this upload collection. The API has no
	// such filter (API §6.7): the whole listing is read and filtered here, 500 uploads per
	// request.
	CollectionID string
	// FilenameContains keeps the uploads whose filename contains this text (any case).
	FilenameContains string
	OrderBy          string // e.g. "_created_at_DESC,size_ASC"; "" = the API's default order
	PageSize         int    // default and max 500
}

const (
	defaultPageSize = maxPageSize // fewest requests: listing a large library stays within the rate limit
	maxPageSize     = 500         // the API rejects larger pages (API §6.7)
)

// ListUploads iterates over every matching upload, one offset page at a time. Iteration
// stops at the first error, which is yielded with a nil upload. The filters that can be
// checked on an upload (ids, md5, tags, collection, filename) are checked again on what
// comes back, so a filter the API ignored never lets other uploads through.
func (c *Client) ListUploads(ctx context.Context, opts ListUploadsOptions) iter.Seq2[*Upload, error] {
	limit := opts.PageSize
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	query := opts.query(limit)
	return func(yield func(*Upload, error) bool) {
		// Offset pages shift when uploads are created or deleted meanwhile: never yield one twice.
		seen := map[string]bool{}
		for offset := 0; ; {
			query.Set("page[offset]", strconv.Itoa(offset))
			var page struct {
				Data []uploadResource `json:"data"`
				Meta struct {
					TotalCount int `json:"total_count"`
				} `json:"meta"`
			}
			if err := c.do(ctx, call{method: http.MethodGet, path: "/uploads", query: query}, &page); err != nil {
				yield(nil, err)
				return
			}
			for i := range page.Data {
				up, err := page.Data[i].toUpload()
				if err == nil && (seen[up.ID] || !opts.admits(up)) {
					continue
				}
				if err == nil {
					seen[up.ID] = true
				}
				if !yield(up, err) || err != nil {
					return
				}
			}
			offset += len(page.Data)
			// An empty page ends the loop even if total_count is stale (uploads deleted meanwhile).
			if len(page.Data) == 0 || offset >= page.Meta.TotalCount {
				return
			}
		}
	}
}

// uploadCall performs cl and decodes the upload it returns.
func (c *Client) uploadCall(ctx context.Context, cl call) (*Upload, error) {
	var doc uploadDocument
	if err := c.do(ctx, cl, &doc); err != nil {
		return nil, err
	}
	return doc.toUpload(cl)
}

func (doc *uploadDocument) toUpload(cl call) (*Upload, error) {
	if doc.Data.ID == "" {
		return nil, fmt.Errorf("DatoCMS API %s %s: response holds no upload", cl.method, cl.path)
	}
	return doc.Data.toUpload()
}

func uploadPath(id string) string { return "/uploads/" + url.PathEscape(id) }
