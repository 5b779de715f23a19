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
	Position int     // ordering index among the collections with the same parent
	ParentID *string // nil = top level
	ChildIDs []string
}

// collectionResource is the wire shape of an upload_collection.
type collectionResource struct {
	ID         string `json:"id"`
	Attributes struct {
		Label    string `json:"label"`
		Position int    `json:"position"`
	} `json:"attributes"`
	Relationships struct {
		Parent   *relationship `json:"parent"`
		Children *struct {
			Data []resourceRef `json:"data"`
		} `json:"children"`
	} `json:"relationships"`
}

func (r collectionResource) toCollection() UploadCollection {
	uc := UploadCollection{ID: r.ID, Label: r.Attributes.Label, Position: r.Attributes.Position, ChildIDs: []string{}}
	if p := r.Relationships.Parent; p != nil && p.Data != nil {
		uc.ParentID = &p.Data.ID
	}
	if ch := r.Relationships.Children; ch != nil {
		for _, ref := range ch.Data {
			uc.ChildIDs = append(uc.ChildIDs, ref.ID)
		}
	}
	return uc
}

// CreateUploadCollectionInput is the body of POST /upload-collections.
type CreateUploadCollectionInput struct {
	// ID is the new collection's id; CreateUploadCollectionWith fills it with NewUploadID
	// when empty. Choosing it client-side makes the create safe to resend (API §1.3).
	ID       string
	Label    string
	Position int     // 0 = let DatoCMS place it (last among its siblings)
	ParentID *string // nil = top level
}

// UpdateUploadCollectionInput is the body of PUT /upload-collections/:id: only what is set
// is sent.
type UpdateUploadCollectionInput struct {
	Label    *string
	Position int           // 0 = unchanged (after a move: let DatoCMS place it)
	ParentID Field[string] // Null = move to the top level
}

// IsEmpty reports whether the input would change nothing.
func (in UpdateUploadCollectionInput) IsEmpty() bool {
	return in.Label == nil && in.Position == 0 && !in.ParentID.IsSet()
}

// CreateUploadCollection creates a top-level collection, placed by DatoCMS.
func (c *Client) CreateUploadCollection(ctx context.Context, label string) (*UploadCollection, error) {
	return c.CreateUploadCollectionWith(ctx, CreateUploadCollectionInput{Label: label})
}

// CreateUploadCollectionWith creates a collection under a parent and/or at a position. The
// id is chosen client-side, so a create whose answer was lost is sent again, and a repeat
// that DatoCMS refuses because the id is taken means the first attempt was applied.
func (c *Client) CreateUploadCollectionWith(ctx context.Context, in CreateUploadCollectionInput) (*UploadCollection, error) {
	if in.ID == "" {
		in.ID = NewUploadID()
	}
	attrs := map[string]any{"label": in.Label}
	if in.Position > 0 {
		attrs["position"] = in.Position
	}
	res := writeResource{Type: "upload_collection", ID: in.ID, Attributes: attrs}
	if in.ParentID != nil {
		res.Relationships = map[string]*relationship{"parent": parentRelationship(in.ParentID)}
	}
	cl := call{method: http.MethodPost, path: "/upload-collections", body: writeDocument{Data: res}, resendable: true}
	var doc struct {
		Data collectionResource `json:"data"`
	}
	trace, err := c.doTracked(ctx, cl, &doc)
	switch {
	case err == nil:
		uc := doc.Data.toCollection()
		c.knownCollections.Store(uc.ID, true)
		return &uc, nil
	case trace.uncertain && isDuplicateID(err):
		return c.GetUploadCollection(ctx, in.ID)
	}
	return nil, err
}

// UpdateUploadCollection renames, moves (under another parent, or to the top level) and/or
// reorders a collection. An empty input sends nothing and returns the current collection.
func (c *Client) UpdateUploadCollection(ctx context.Context, id string, in UpdateUploadCollectionInput) (*UploadCollection, error) {
	if in.IsEmpty() {
		return c.GetUploadCollection(ctx, id)
	}
	attrs := map[string]any{}
	if in.Label != nil {
		attrs["label"] = *in.Label
	}
	if in.Position > 0 {
		attrs["position"] = in.Position
	}
	res := writeResource{Type: "upload_collection", ID: id, Attributes: attrs}
	if in.ParentID.IsSet() {
		res.Relationships = map[string]*relationship{"parent": parentRelationship(in.ParentID.Value())}
	}
	return c.collectionCall(ctx, call{method: http.MethodPut, path: collectionPath(id), body: writeDocument{Data: res}})
}

func parentRelationship(id *string) *relationship {
	if id == nil {
		return &relationship{} // {"data": null}
	}
	return &relationship{Data: &resourceRef{Type: "upload_collection", ID: *id}}
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

// DeleteUploadCollection deletes a collection. What DatoCMS does with a collection that
// still holds uploads or other collections is not documented (the local server refuses with
// DELETE_RESTRICTION): callers that must not move anyone's files check
// UploadCollectionContents first. A repeated DELETE answers 404, which callers treat as done.
func (c *Client) DeleteUploadCollection(ctx context.Context, id string) error {
	c.knownCollections.Delete(id)
	return c.do(ctx, call{method: http.MethodDelete, path: collectionPath(id), resendable: true}, nil)
}

// UploadCollectionContents is what a collection directly holds.
type UploadCollectionContents struct {
	Uploads   int      // uploads directly in the collection
	UploadIDs []string // the first of them, at most the limit asked for
	Children  []UploadCollection
}

// IsEmpty reports whether the collection holds neither uploads nor collections.
func (cc UploadCollectionContents) IsEmpty() bool { return cc.Uploads == 0 && len(cc.Children) == 0 }

// UploadCollectionContents counts the uploads directly in collection id and lists its child
// collections, keeping the ids of up to maxIDs uploads. IsNotFound is true when the
// collection does not exist. It reads afresh, never from the batched reads' listing: the API
// cannot filter by collection, so it lists the environment's uploads (one request per 500).
func (c *Client) UploadCollectionContents(ctx context.Context, id string, maxIDs int) (*UploadCollectionContents, error) {
	col, err := c.GetUploadCollection(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &UploadCollectionContents{Children: []UploadCollection{}}
	if len(col.ChildIDs) > 0 {
		all, err := c.ListUploadCollections(ctx)
		if err != nil {
			return nil, err
		}
		for _, other := range all {
			if other.ParentID != nil && *other.ParentID == id {
				out.Children = append(out.Children, other)
			}
		}
	}
	for up, err := range c.ListUploads(ctx, ListUploadsOptions{CollectionID: id, PageSize: maxPageSize}) {
		if err != nil {
			return nil, err
		}
		out.Uploads++
		if len(out.UploadIDs) < maxIDs {
			out.UploadIDs = append(out.UploadIDs, up.ID)
		}
	}
	return out, nil
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
