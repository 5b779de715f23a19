package datocms

import (
	"context"
	"net/http"
	"net/url"
)

// Tracks of a video upload: subtitles or alternative audio (API §6.12). A track has no
// update and no client-chosen ID: it is created, read through its upload's list, and
// deleted.

// Track is an upload's track.
type Track struct {
	ID, UploadID       string
	Type               string // "subtitles" or "audio"
	Name, LanguageCode string
	ClosedCaptions     bool
	Status             string  // "preparing", "ready" or "errored"
	Error              *string // why it errored
}

// Track statuses.
const (
	TrackPreparing = "preparing"
	TrackReady     = "ready"
	TrackErrored   = "errored"
)

// CreateTrackInput is the body of POST /uploads/:id/tracks. Source is the id of an upload
// request whose file was PUT to storage (see UploadFile), or a URL DatoCMS fetches.
type CreateTrackInput struct {
	Type, Source, Name, LanguageCode string
	ClosedCaptions                   bool
}

type trackResource struct {
	ID         string `json:"id"`
	Attributes struct {
		Type           string  `json:"type"`
		Name           string  `json:"name"`
		LanguageCode   string  `json:"language_code"`
		ClosedCaptions bool    `json:"closed_captions"`
		Status         string  `json:"status"`
		Error          *string `json:"error"`
	} `json:"attributes"`
}

func (r trackResource) toTrack(uploadID string) Track {
	a := r.Attributes
	return Track{ID: r.ID, UploadID: uploadID, Type: a.Type, Name: a.Name, LanguageCode: a.LanguageCode,
		ClosedCaptions: a.ClosedCaptions, Status: a.Status, Error: a.Error}
}

func tracksPath(uploadID string) string { return uploadPath(uploadID) + "/tracks" }

// CreateTrack adds a track to a video upload and returns it as DatoCMS first reports it
// (usually preparing; see WaitTrack). It is never sent twice: without a client-chosen ID a
// repeat could add a second track, so an attempt whose outcome is unknown is an error, and
// the caller looks for the track in the upload's list (see ListTracks).
func (c *Client) CreateTrack(ctx context.Context, uploadID string, in CreateTrackInput) (*Track, error) {
	body := writeDocument{Data: writeResource{Type: "upload_track", Attributes: map[string]any{
		"type": in.Type, "url_or_upload_request_id": in.Source, "name": in.Name,
		"language_code": in.LanguageCode, "closed_captions": in.ClosedCaptions,
	}}}
	var doc struct {
		Data trackResource `json:"data"`
	}
	if err := c.do(ctx, call{method: http.MethodPost, path: tracksPath(uploadID), body: body}, &doc); err != nil {
		return nil, err
	}
	t := doc.Data.toTrack(uploadID)
	return &t, nil
}

// ListTracks returns the tracks of an upload.
func (c *Client) ListTracks(ctx context.Context, uploadID string) ([]Track, error) {
	var doc struct {
		Data []trackResource `json:"data"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: tracksPath(uploadID)}, &doc); err != nil {
		return nil, err
	}
	out := make([]Track, 0, len(doc.Data))
	for _, r := range doc.Data {
		out = append(out, r.toTrack(uploadID))
	}
	return out, nil
}

// GetTrack returns one track of an upload, read through the upload's list (the API has no
// endpoint for one track); an error for which IsNotFound holds when it is not there.
func (c *Client) GetTrack(ctx context.Context, uploadID, trackID string) (*Track, error) {
	tracks, err := c.ListTracks(ctx, uploadID)
	if err != nil {
		return nil, err
	}
	for _, t := range tracks {
		if t.ID == trackID {
			return &t, nil
		}
	}
	return nil, &APIError{Status: http.StatusNotFound, Method: http.MethodGet, Path: tracksPath(uploadID),
		Body: "no track " + trackID + " in the upload's list"}
}

// DeleteTrack deletes a track. Deleting is resendable: a repeat answers 404, which callers
// treat as done.
func (c *Client) DeleteTrack(ctx context.Context, uploadID, trackID string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: tracksPath(uploadID) + "/" + url.PathEscape(trackID), resendable: true}, nil)
}
