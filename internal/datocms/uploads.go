package datocms

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	AntivirusStatus                        string
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
}

// IsEmpty reports whether the input would change nothing.
func (in UpdateUploadInput) IsEmpty() bool {
	return in.Path == nil && in.Basename == nil && !in.Author.IsSet() && !in.Copyright.IsSet() &&
		!in.Notes.IsSet() && in.Tags == nil && in.DefaultFieldMetadata == nil && !in.UploadCollectionID.IsSet()
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
	Attributes    map[string]any           `json:"attributes,omitempty"`
	Relationships map[string]*relationship `json:"relationships,omitempty"`
}

func collectionRelationship(id *string) *relationship {
	if id == nil {
		return &relationship{} // {"data": null}
	}
	return &relationship{Data: &resourceRef{Type: "upload_collection", ID: *id}}
}

// CreateUpload creates an upload from a file already PUT to storage (see UploadFile) and
// waits for the job. If the caller needs the id even when the job fails or times out, it
// sets in.ID itself (NewUploadID).
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
	return c.uploadCall(ctx, call{method: http.MethodPost, path: "/uploads", body: writeDocument{Data: res}})
}

// GetUpload reads one upload. A missing upload is an error for which IsNotFound is true.
func (c *Client) GetUpload(ctx context.Context, id string) (*Upload, error) {
	return c.uploadCall(ctx, call{method: http.MethodGet, path: uploadPath(id)})
}

// UpdateUpload patches an upload and waits for the job (or takes the synchronous answer).
// An empty input sends nothing and returns the current upload.
func (c *Client) UpdateUpload(ctx context.Context, id string, in UpdateUploadInput) (*Upload, error) {
	if in.IsEmpty() {
		return c.GetUpload(ctx, id)
	}
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
	if in.DefaultFieldMetadata != nil {
		site, err := c.Site(ctx)
		if err != nil {
			return nil, err
		}
		attrs["default_field_metadata"] = encodeFieldMetadata(*in.DefaultFieldMetadata, site)
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
func (c *Client) DeleteUpload(ctx context.Context, id string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: uploadPath(id)}, nil)
}

// UploadReferences returns the number of records that link to the upload.
func (c *Client) UploadReferences(ctx context.Context, id string) (int, error) {
	var doc struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: uploadPath(id) + "/references"}, &doc); err != nil {
		return 0, err
	}
	return len(doc.Data), nil
}

// ListUploadsOptions filters GET /uploads (API §6.7).
type ListUploadsOptions struct {
	IDs      []string
	MD5      string
	Path     string
	Query    string
	PageSize int // default 100, max 500
}

const (
	defaultPageSize = 100
	maxPageSize     = 500 // the API rejects larger pages (API §6.7)
)

// ListUploads iterates over every matching upload, one offset page at a time. Iteration
// stops at the first error, which is yielded with a nil upload.
func (c *Client) ListUploads(ctx context.Context, opts ListUploadsOptions) iter.Seq2[*Upload, error] {
	limit := opts.PageSize
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	query := url.Values{"page[limit]": {strconv.Itoa(limit)}}
	if len(opts.IDs) > 0 {
		query.Set("filter[ids]", strings.Join(opts.IDs, ","))
	}
	if opts.MD5 != "" {
		query.Set("filter[fields][md5][eq]", opts.MD5)
	}
	if opts.Path != "" {
		query.Set("filter[fields][path][eq]", opts.Path)
	}
	if opts.Query != "" {
		query.Set("filter[query]", opts.Query)
	}
	return func(yield func(*Upload, error) bool) {
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
	if doc.Data.ID == "" {
		return nil, fmt.Errorf("DatoCMS API %s %s: response holds no upload", cl.method, cl.path)
	}
	return doc.Data.toUpload()
}

func uploadPath(id string) string { return "/uploads/" + url.PathEscape(id) }
