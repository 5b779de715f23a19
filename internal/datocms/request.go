package datocms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// maxResponseBytes bounds a CMA response body. The largest legitimate one is a page of 500
// uploads, far below this; the bound only protects against a misbehaving proxy.
const maxResponseBytes = 64 << 20

// call describes one logical CMA request.
type call struct {
	method string
	path   string     // API path with escaped segments, e.g. "/uploads/abc"
	query  url.Values // nil = none
	body   any        // JSON-encoded when non-nil
	// noJob marks endpoints whose 2xx body is always the resource itself. POST
	// /upload-requests is documented with 200, 201 and 202 but is never a job (API §10.1).
	noJob bool
}

// do sends cl with retries, waits for the job when the API answers with one (any call may,
// API §3.1.5), and decodes the final document into out when out is non-nil.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	res, err := c.send(ctx, cl)
	if err != nil {
		return err
	}
	body := res.body
	if !cl.noJob {
		if jobID, ok := jobReference(res); ok {
			if body, err = c.waitJob(ctx, jobID, cl); err != nil {
				return err
			}
		}
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 || string(body) == "null" {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("DatoCMS API %s %s: decoding response: %w", cl.method, cl.path, err)
	}
	return nil
}

// jobReference reports whether res announces an async job. The current official client
// looks at the 202 status, the 2022 one at data.type == "job" (API §3.1.6): accept either.
func jobReference(res *response) (id string, ok bool) {
	var doc struct {
		Data struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"data"`
	}
	// A body whose data is not an object (a list, or no body on a 204) is not a job.
	if json.Unmarshal(res.body, &doc) != nil {
		return "", false
	}
	if doc.Data.ID == "" {
		return "", false
	}
	if doc.Data.Type == "job" || (res.status == http.StatusAccepted && doc.Data.Type == "") {
		return doc.Data.ID, true
	}
	return "", false
}

// send performs one logical request, retrying what the API says may be retried (API §4.2).
// It returns a 2xx JSON response, or an error: *APIError for an API failure, or a wrapped
// transport or context error.
func (c *Client) send(ctx context.Context, cl call) (*response, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("DatoCMS API %s %s: encoding request: %w", cl.method, cl.path, err)
		}
	}
	// Masking is a backstop: the token is never put in a message or field on purpose.
	logCtx := tflog.MaskFieldValuesWithFieldKeys(ctx, "authorization")
	logCtx = tflog.MaskAllFieldValuesStrings(logCtx, c.cfg.Token)
	logCtx = tflog.MaskMessageStrings(logCtx, c.cfg.Token)

	for attempt := 1; ; attempt++ {
		res, err := c.attempt(ctx, logCtx, cl, payload, attempt)
		wait, retry := c.retryAfter(cl.method, res, err, attempt)
		if !retry || attempt > c.cfg.MaxRetries || ctx.Err() != nil {
			if err == nil && res.err != nil {
				err = res.err
			}
			if err != nil {
				return nil, err
			}
			return res, nil
		}
		tflog.Debug(logCtx, "retrying DatoCMS API request", map[string]any{
			"method": cl.method, "path": cl.path, "attempt": attempt, "wait_ms": wait.Milliseconds(),
		})
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("DatoCMS API %s %s: %w", cl.method, cl.path, err)
		}
	}
}

// response is one HTTP exchange with the CMA, its body read.
type response struct {
	status    int
	header    http.Header
	requestID string
	body      []byte
	jsonBody  bool      // the body is JSON, or empty
	err       *APIError // set for any non-2xx or non-JSON response
}

// attempt sends one HTTP request. A non-nil error means no response (network or context).
func (c *Client) attempt(ctx, logCtx context.Context, cl call, payload []byte, n int) (*response, error) {
	if c.limiter != nil {
		if err := c.limiter.wait(ctx); err != nil {
			return nil, fmt.Errorf("DatoCMS API %s %s: waiting for the rate limiter: %w", cl.method, cl.path, err)
		}
	}
	target := c.baseURL + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("DatoCMS API %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("X-Api-Version", "3")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	if c.cfg.Environment != "" {
		req.Header.Set("X-Environment", c.cfg.Environment)
	}

	start := time.Now()
	resp, err := c.httpClient.Do(req)
	fields := map[string]any{"method": cl.method, "path": cl.path, "attempt": n}
	if err != nil {
		fields["duration_ms"] = time.Since(start).Milliseconds()
		fields["error"] = err.Error()
		tflog.Debug(logCtx, "DatoCMS API request failed", fields)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("DatoCMS API %s %s: %w", cl.method, cl.path, ctxErr)
		}
		return nil, fmt.Errorf("DatoCMS API %s %s: %w", cl.method, cl.path, unwrapURLError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	res := &response{
		status:    resp.StatusCode,
		header:    resp.Header,
		requestID: resp.Header.Get("X-Request-Id"),
		body:      raw,
		jsonBody:  len(bytes.TrimSpace(raw)) == 0 || isJSON(resp.Header.Get("Content-Type")),
	}
	fields["status"] = res.status
	fields["request_id"] = res.requestID
	fields["duration_ms"] = time.Since(start).Milliseconds()
	tflog.Debug(logCtx, "DatoCMS API request", fields)
	if err != nil {
		// A body cut short is a network failure: the status alone is not trustworthy.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("DatoCMS API %s %s: %w", cl.method, cl.path, ctxErr)
		}
		return nil, fmt.Errorf("DatoCMS API %s %s: reading response: %w", cl.method, cl.path, err)
	}
	if res.status < 200 || res.status > 299 || !res.jsonBody {
		res.err = &APIError{Status: res.status, Method: cl.method, Path: cl.path, RequestID: res.requestID}
		res.err.fillFromBody(raw)
	}
	return res, nil
}

// retryAfter decides whether the outcome of attempt n may be retried and after how long
// (API §4.2). Writes are resent only when the API says the request was rejected (429 with
// a JSON body, or an error flagged transient): after a network error or a non-JSON answer
// the write may have happened, so resending it could apply it twice.
func (c *Client) retryAfter(method string, res *response, err error, n int) (time.Duration, bool) {
	backoff := c.cfg.RetryBase * time.Duration(n)
	idempotent := method == http.MethodGet
	switch {
	case err != nil:
		return backoff, idempotent
	case res.err == nil:
		return 0, false
	case res.status == http.StatusTooManyRequests && (res.jsonBody || idempotent):
		if reset, convErr := strconv.Atoi(res.header.Get("X-RateLimit-Reset")); convErr == nil && reset > 0 {
			return time.Duration(reset) * time.Second, true
		}
		return backoff, true
	case !res.jsonBody:
		return backoff, idempotent
	case res.err.transient():
		return backoff, true
	case res.status >= 500:
		return backoff, idempotent
	}
	return 0, false
}

// isJSON reports whether a Content-Type names JSON (application/json, application/*+json).
func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mediaType == "application/json" || (strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"))
}

// unwrapURLError drops the *url.Error wrapper, whose message repeats the full URL. For CMA
// calls that is harmless, but storage URLs carry a signature in their query string.
func unwrapURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// limiter is a token bucket of capacity tokens, refilled at capacity per window. Waiters
// reserve a token up front (the balance may go negative) so they are served in order of
// arrival rather than racing each other on every refill.
type limiter struct {
	mu       sync.Mutex
	capacity float64
	perToken time.Duration // time to refill one token
	tokens   float64
	last     time.Time
}

func newLimiter(capacity int, window time.Duration) *limiter {
	return &limiter{
		capacity: float64(capacity),
		perToken: window / time.Duration(capacity),
		tokens:   float64(capacity),
		last:     time.Now(),
	}
}

// wait takes one token, waiting for it while honouring ctx.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	l.tokens = min(l.capacity, l.tokens+float64(now.Sub(l.last))/float64(l.perToken))
	l.last = now
	l.tokens--
	deficit := -l.tokens
	l.mu.Unlock()
	if deficit <= 0 {
		return nil
	}
	if err := sleep(ctx, time.Duration(deficit*float64(l.perToken))); err != nil {
		// Give the reservation back so a cancelled caller does not slow the others down.
		l.mu.Lock()
		l.tokens++
		l.mu.Unlock()
		return err
	}
	return nil
}
