package datocms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
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
	// resendable marks a write that may be sent again when its outcome is unknown (no
	// answer, a timeout, a 5xx or a non-JSON answer), as reads are: POST /upload-requests
	// only reserves a storage slot, a repeated DELETE answers 404 (which callers treat as
	// done), and POST /uploads carries a client-chosen id, so a repeat of an applied create
	// is refused as a duplicate instead of creating a second upload (API §1.3, §4.2).
	resendable bool
	// onJob, when set, is called with the job id when the API answers with a job.
	onJob func(jobID string)
	// anyEnvironment sends no X-Environment header: for calls that must work even when the
	// configured environment does not exist (listing the environments).
	anyEnvironment bool
}

// safeToResend reports whether cl may be sent again after an attempt whose outcome is unknown.
func (cl call) safeToResend() bool { return cl.method == http.MethodGet || cl.resendable }

// do sends cl with retries, waits for the job when the API answers with one (any call may,
// API §3.1.5), and decodes the final document into out when out is non-nil.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	_, err := c.doTracked(ctx, cl, out)
	return err
}

// callTrace is what a caller may need to find out what became of a call that failed.
type callTrace struct {
	jobID     string // the job DatoCMS started for the call, if it answered with one
	uncertain bool   // an attempt whose outcome is unknown came before the answer used
}

// doTracked is do that also reports the job it waited for and whether a resent attempt
// may have been preceded by one DatoCMS applied.
func (c *Client) doTracked(ctx context.Context, cl call, out any) (callTrace, error) {
	res, uncertain, err := c.sendTracked(ctx, cl)
	trace := callTrace{uncertain: uncertain}
	if err != nil {
		return trace, err
	}
	accepted := time.Now()
	body := res.body
	if !cl.noJob {
		if jobID, ok := jobReference(res); ok {
			trace.jobID = jobID
			if cl.onJob != nil {
				cl.onJob(jobID)
			}
			if body, err = c.waitJob(ctx, jobID, cl, accepted); err != nil {
				return trace, err
			}
		}
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 || string(body) == "null" {
		return trace, nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return trace, fmt.Errorf("DatoCMS API %s %s: decoding response: %w", cl.method, cl.path, err)
	}
	return trace, nil
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
// It returns a 2xx JSON response, or an error: *APIError for an API failure, *ConnectError
// when the API was never reached, or a wrapped transport or context error.
func (c *Client) send(ctx context.Context, cl call) (*response, error) {
	res, _, err := c.sendTracked(ctx, cl)
	return res, err
}

// sendTracked is send that also reports whether an earlier attempt may have reached DatoCMS
// (its outcome was unknown) before the one whose answer it returns.
func (c *Client) sendTracked(ctx context.Context, cl call) (res *response, uncertain bool, err error) {
	var payload []byte
	if cl.body != nil {
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, false, fmt.Errorf("DatoCMS API %s %s: encoding request: %w", cl.method, cl.path, err)
		}
	}
	retries, rateLimited := 0, 0
	for attempt := 1; ; attempt++ {
		res, err = c.attempt(ctx, cl, payload, attempt)
		d := c.retryAfter(cl, res, err, retries+1, rateLimited+1)
		if d.rateLimited {
			// Pause everyone: the window is full, whoever else tries now gets a 429 too.
			c.limiter.pause(d.wait, quotaUsedUp(res))
		}
		switch {
		case !d.retry, ctx.Err() != nil, !d.rateLimited && retries >= c.cfg.MaxRetries:
			if err == nil && res.err != nil {
				err = res.err
			}
			if err != nil {
				return nil, uncertain, err
			}
			return res, uncertain, nil
		case d.rateLimited:
			// A 429 never fails a call on its own: the call's context (the operation's
			// timeout) bounds how long it keeps trying, as the official client does.
			rateLimited++
		default:
			retries++
		}
		uncertain = uncertain || d.outcomeUnknown
		c.log.DebugContext(ctx, "retrying DatoCMS API request",
			"method", cl.method, "path", cl.path, "attempt", attempt, "wait_ms", d.wait.Milliseconds())
		if !d.rateLimited { // the limiter already holds everyone back after a 429
			if err := sleep(ctx, d.wait); err != nil {
				return nil, uncertain, fmt.Errorf("DatoCMS API %s %s: %w", cl.method, cl.path, err)
			}
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
func (c *Client) attempt(ctx context.Context, cl call, payload []byte, n int) (*response, error) {
	if err := c.limiter.acquire(ctx); err != nil {
		return nil, fmt.Errorf("DatoCMS API %s %s: waiting for the rate limiter: %w", cl.method, cl.path, err)
	}
	defer c.limiter.release()
	target := c.baseURL + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	// Each attempt has its own deadline, so one request that never answers cannot use up
	// the whole operation's timeout.
	reqCtx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, cl.method, target, body)
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
	if c.cfg.Environment != "" && !cl.anyEnvironment {
		req.Header.Set("X-Environment", c.cfg.Environment)
	}

	start := time.Now()
	failed := func(err error) (*response, error) {
		c.log.DebugContext(ctx, "DatoCMS API request failed", "method", cl.method, "path", cl.path, "attempt", n,
			"duration_ms", time.Since(start).Milliseconds(), "error", err.Error())
		switch {
		case ctx.Err() != nil:
			err = ctx.Err()
		case reqCtx.Err() != nil:
			err = fmt.Errorf("%w after %s", errRequestTimeout, c.cfg.RequestTimeout)
		case isConnectError(err) && !c.reached.Load():
			// Nothing has ever answered at this address: retrying for half a minute would
			// only delay the message the user needs (check base_url).
			return nil, &ConnectError{BaseURL: c.baseURL, Err: unwrapURLError(err)}
		}
		return nil, fmt.Errorf("DatoCMS API %s %s: %w", cl.method, cl.path, unwrapURLError(err))
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return failed(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		// A body cut short is a network failure: the status alone is not trustworthy.
		return failed(fmt.Errorf("reading response: %w", err))
	}
	c.reached.Store(true)
	res := &response{
		status:    resp.StatusCode,
		header:    resp.Header,
		requestID: resp.Header.Get("X-Request-Id"),
		body:      raw,
		jsonBody:  len(bytes.TrimSpace(raw)) == 0 || isJSON(resp.Header.Get("Content-Type")),
	}
	c.log.DebugContext(ctx, "DatoCMS API request", "method", cl.method, "path", cl.path, "attempt", n,
		"status", res.status, "request_id", res.requestID, "duration_ms", time.Since(start).Milliseconds())
	if res.status < 200 || res.status > 299 || !res.jsonBody {
		res.err = &APIError{Status: res.status, Method: cl.method, Path: cl.path, RequestID: res.requestID}
		res.err.fillFromBody(raw)
	}
	return res, nil
}

// errRequestTimeout is a single request that got no complete answer within RequestTimeout.
var errRequestTimeout = errors.New("no answer from DatoCMS")

// ConnectError means that no connection could be made to the API: DatoCMS was never reached
// at this address (connection refused, unknown host), so nothing was read or changed.
type ConnectError struct {
	BaseURL string
	Err     error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("cannot connect to the DatoCMS API at %s: %v", e.BaseURL, e.Err)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// isConnectError reports whether err happened while dialling, before any byte was sent.
func isConnectError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// retryDecision is what retryAfter decided about one attempt.
type retryDecision struct {
	retry          bool
	wait           time.Duration
	rateLimited    bool // a 429: the wait is X-RateLimit-Reset, and it does not count as a retry
	outcomeUnknown bool // the request may have been applied although no usable answer came back
}

// retryAfter decides whether the outcome of an attempt may be retried and after how long
// (API §4.2). n counts the retries of this call so far plus one, n429 its 429s plus one.
// Writes are resent only when the API says the request was rejected (429 with a JSON body,
// or an error flagged transient), unless the call is marked resendable: after a network
// error or a non-JSON answer a write may have happened, so resending it could apply it twice.
func (c *Client) retryAfter(cl call, res *response, err error, n, n429 int) retryDecision {
	safe := cl.safeToResend()
	backoff := time.Duration(0)
	if safe {
		backoff = c.cfg.RetryBase * time.Duration(n)
	}
	var (
		connErr     *ConnectError
		redirectErr *RedirectError
	)
	switch {
	case errors.As(err, &connErr), errors.As(err, &redirectErr):
		return retryDecision{}
	case err != nil:
		return retryDecision{retry: safe, wait: backoff, outcomeUnknown: true}
	case res.err == nil:
		return retryDecision{}
	case res.status == http.StatusTooManyRequests && (res.jsonBody || safe):
		if reset, convErr := strconv.Atoi(res.header.Get("X-RateLimit-Reset")); convErr == nil && reset > 0 {
			return retryDecision{retry: true, wait: time.Duration(reset) * time.Second, rateLimited: true}
		}
		return retryDecision{retry: true, wait: min(c.cfg.RetryBase*time.Duration(n429), maxRateLimitBackoff), rateLimited: true}
	case !res.jsonBody:
		return retryDecision{retry: safe, wait: backoff, outcomeUnknown: true}
	case res.err.transient():
		return retryDecision{retry: true, wait: c.cfg.RetryBase * time.Duration(n)}
	case res.status >= 500:
		return retryDecision{retry: safe, wait: backoff, outcomeUnknown: true}
	}
	return retryDecision{}
}

// quotaUsedUp reports whether a 429 says the project's window is full (X-RateLimit-Remaining
// is 0, or absent): other clients are using the quota, so this one should take less of it.
// A 429 with requests remaining is DatoCMS under load (API §4.1), not a full window.
func quotaUsedUp(res *response) bool {
	if res == nil {
		return false
	}
	remaining, err := strconv.Atoi(res.header.Get("X-RateLimit-Remaining"))
	return err != nil || remaining <= 0
}

// maxRateLimitBackoff caps the wait after a 429 that carries no X-RateLimit-Reset.
const maxRateLimitBackoff = 10 * time.Second

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
