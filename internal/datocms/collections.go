package datocms

import (
	"context"
	"net/http"
	"net/url"
)

// UploadCollection is a folder of the media area (API §6.11).
type UploadCollection struct {
	ID       string
	Label    string
	Position int
	ParentID *string
}

// collectionResource is the wire shape of an upload_collection.
type collectionResource struct {
	ID         string `json:"id"`
	Attributes struct {
		Label    string `json:"label"`
		Position int    `json:"position"`
	} `json:"attributes"`
	Relationships struct {
		Parent *relationship `json:"parent"`
	} `json:"relationships"`
}

func (r collectionResource) toCollection() UploadCollection {
	uc := UploadCollection{ID: r.ID, Label: r.Attributes.Label, Position: r.Attributes.Position}
	if p := r.Relationships.Parent; p != nil && p.Data != nil {
		uc.ParentID = &p.Data.ID
	}
	return uc
}

// CreateUploadCollection creates a top-level collection.
func (c *Client) CreateUploadCollection(ctx context.Context, label string) (*UploadCollection, error) {
	body := writeDocument{Data: writeResource{Type: "upload_collection", Attributes: map[string]any{"label": label}}}
	return c.collectionCall(ctx, call{method: http.MethodPost, path: "/upload-collections", body: body})
}

// UploadCollectionExists reports whether collection id exists. A collection found once is
// remembered for the life of the client (a plan checks the same collection for every upload
// in it); one not found is asked about again, since it may be created meanwhile.
func (c *Client) UploadCollectionExists(ctx context.Context, id string) (bool, error) {
	if _, ok := c.knownCollections.Load(id); ok {
		return true, nil
	}
	_, err := c.GetUploadCollection(ctx, id)
	switch {
	case err == nil:
		c.knownCollections.Store(id, true)
		return true, nil
	case IsNotFound(err):
		return false, nil
	}
	return false, err
}

// GetUploadCollection reads one collection; IsNotFound is true when it does not exist.
func (c *Client) GetUploadCollection(ctx context.Context, id string) (*UploadCollection, error) {
	return c.collectionCall(ctx, call{method: http.MethodGet, path: collectionPath(id)})
}

// ListUploadCollections returns every collection (the endpoint is not paginated).
func (c *Client) ListUploadCollections(ctx context.Context) ([]UploadCollection, error) {
	var doc struct {
		Data []collectionResource `json:"data"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/upload-collections"}, &doc); err != nil {
		return nil, err
	}
	out := make([]UploadCollection, 0, len(doc.Data))
	for _, r := range doc.Data {
		out = append(out, r.toCollection())
	}
	return out, nil
}

// DeleteUploadCollection deletes a collection; its uploads leave it.
func (c *Client) DeleteUploadCollection(ctx context.Context, id string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: collectionPath(id)}, nil)
}

func (c *Client) collectionCall(ctx context.Context, cl call) (*UploadCollection, error) {
	var doc struct {
		Data collectionResource `json:"data"`
	}
	if err := c.do(ctx, cl, &doc); err != nil {
		return nil, err
	}
	uc := doc.Data.toCollection()
	return &uc, nil
}

func collectionPath(id string) string { return "/upload-collections/" + url.PathEscape(id) }
