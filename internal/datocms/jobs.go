package datocms

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// jobResultDocument is the wire shape of GET /job-results/:id once the job is done (API §3.1).
type jobResultDocument struct {
	Data struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Attributes struct {
			Status  int             `json:"status"`
			Payload json.RawMessage `json:"payload"`
		} `json:"attributes"`
	} `json:"data"`
}

// waitJob polls the result of job id, started by cl, until it is done or ctx ends.
// GET /job-results answers 404 while the job runs (API §3.1). The official client polls
// every n seconds with no bound (API §3.2); this one starts at PollInitial, grows ×1.3 up to
// PollMax, and is bounded by ctx, so a job that never finishes cannot hang an apply.
// A finished job returns the payload the synchronous call would have returned; a failed
// one becomes an *APIError carrying the inner status and the payload's error codes.
func (c *Client) waitJob(ctx context.Context, id string, cl call) (json.RawMessage, error) {
	poll := call{method: http.MethodGet, path: "/job-results/" + url.PathEscape(id)}
	delay := c.cfg.PollInitial
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for DatoCMS job %s: %w", id, ctx.Err())
		case <-timer.C:
		}
		res, err := c.send(ctx, poll)
		switch {
		case err == nil:
			return jobOutcome(res, id, cl)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("waiting for DatoCMS job %s: %w", id, ctx.Err())
		case !IsNotFound(err):
			return nil, fmt.Errorf("waiting for DatoCMS job %s: %w", id, err)
		}
		delay = min(time.Duration(float64(delay)*pollGrowth), c.cfg.PollMax)
		timer.Reset(delay)
	}
}

// jobOutcome turns a job_result document into the payload of the original call or an error.
func jobOutcome(res *response, id string, cl call) (json.RawMessage, error) {
	var doc jobResultDocument
	if err := json.Unmarshal(res.body, &doc); err != nil || doc.Data.Attributes.Status == 0 {
		return nil, &APIError{
			Status: res.status, Method: cl.method, Path: cl.path, RequestID: res.requestID, JobID: id,
			Body: "unexpected job result: " + snippet(res.body),
		}
	}
	status := doc.Data.Attributes.Status
	if status >= 200 && status <= 299 {
		return doc.Data.Attributes.Payload, nil
	}
	apiErr := &APIError{Status: status, Method: cl.method, Path: cl.path, RequestID: res.requestID, JobID: id}
	apiErr.fillFromBody(doc.Data.Attributes.Payload)
	return nil, apiErr
}
