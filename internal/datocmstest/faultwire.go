package datocmstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// This file carries out the fault rules on the wire: it decides, for each
// request the rules matched, whether the normal handler runs and what of
// its answer reaches the client.

// respond serves a storage, asset or CMA request through the fault rules of
// plan. report records the status in the request log; it is called before
// anything reaches the client (0 when nothing will).
func (s *Server) respond(w http.ResponseWriter, r *http.Request, kind string, c *call, plan faultPlan, report func(status int)) {
	s.sleep(r.Context(), plan.delay)
	if plan.terminal == nil {
		s.handle(w, r, kind, c, plan.jobRules, report)
		return
	}
	switch plan.terminal.Action {
	case "status":
		s.answerFault(&statusRecorder{ResponseWriter: w, report: report}, r, kind, c, plan.terminal)
	case "reset":
		// A few bytes of a status line, then the end: the request never got
		// past whatever broke, so nothing is applied.
		cutConnection(w, []byte("HTTP/1.1 5"))
	case "stall":
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		cutConnection(w, nil) // returning normally would send an empty 200
	default: // drop_response, truncate: the request is applied, its answer cut
		cw := &cutWriter{w: w, header: http.Header{}, drop: plan.terminal.Action == "drop_response"}
		s.handle(cw, r, kind, c, plan.jobRules, report)
		cw.finish()
	}
}

// handle runs the normal handler of a request.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, kind string, c *call, jobRules []*activeRule, report func(int)) {
	rec := &statusRecorder{ResponseWriter: w, report: report}
	switch kind {
	case KindStorage:
		s.serveStorage(rec, r)
	case KindAsset:
		s.serveAsset(rec, r)
	default:
		c.w, c.jobRules = rec, jobRules
		s.serveCMA(c)
	}
	if rec.status == 0 { // nothing written: net/http answers 200
		report(http.StatusOK)
	}
}

// answerFault answers with the status a rule asks for; nothing is applied.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, kind string, c *call, rule *FaultRule) {
	if rule.RateLimitReset > 0 {
		w.Header().Set("X-RateLimit-Reset", strconv.Itoa(rule.RateLimitReset))
	}
	switch {
	case rule.HTML:
		// A page from a proxy or CDN in front of the API: not JSON, and the
		// API never saw the request, so it does not count against the limit.
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(rule.Status)
		fmt.Fprintf(w, "<html>%s</html>", http.StatusText(rule.Status))
	case kind == KindCMA:
		// The API itself refused: like any answer of the API, it counts.
		c.w = w
		c.rate, _ = s.limiter.take(s.now())
		c.rate.reset = rule.RateLimitReset
		c.writeError(rule.apiError())
	default:
		code := rule.Code
		if code == "" {
			code = storageErrorCode(rule.Status)
		}
		storageError(w, r, rule.Status, code)
	}
}

// storageErrorCode is the S3 error code a status usually comes with.
func storageErrorCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "BadRequest"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusNotFound:
		return "NoSuchKey"
	case http.StatusServiceUnavailable:
		return "SlowDown"
	}
	if status >= 500 {
		return "InternalError"
	}
	return "InvalidRequest"
}

// sleep waits for d, or less if the client goes away or the server closes.
// The request is still processed afterwards, as a real server would not
// notice the disconnect: that is how a timed-out write can still be applied.
func (s *Server) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-s.stop:
	}
}

// hijack takes the connection of w over. Only HTTP/1 connections can be
// taken over (the server and the launcher speak nothing else); elsewhere
// the response is aborted, which a client also sees as a broken answer.
func hijack(w http.ResponseWriter) net.Conn {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	return conn
}

// cutConnection takes the connection over, writes b and closes it: the
// client gets exactly b and then the end of the connection.
func cutConnection(w http.ResponseWriter, b []byte) {
	conn := hijack(w)
	_, _ = conn.Write(b)
	_ = conn.Close()
}

var errCut = errors.New("datocmstest: answer cut by a fault rule")

// cutWriter is the ResponseWriter of a request whose answer a fault cuts:
// drop_response sends nothing, truncate sends the head with the full
// Content-Length and half of the body (or half of the head when there is
// no body). Either way the connection is closed at the end. Writes past the
// cut fail, so a handler streaming a large file stops early.
type cutWriter struct {
	w         http.ResponseWriter // the connection's own writer
	header    http.Header
	drop      bool
	wrote     bool     // the head was sent or dropped
	hijacked  bool     // the connection was taken over
	conn      net.Conn // open while body bytes are still to be sent
	remaining int64
}

func (cw *cutWriter) Header() http.Header { return cw.header }

func (cw *cutWriter) WriteHeader(status int) {
	if cw.wrote {
		return
	}
	cw.wrote = true
	if cw.drop {
		return
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = cw.header.Write(&head)
	head.WriteString("\r\n")
	conn := hijack(cw.w)
	cw.hijacked = true
	size, err := strconv.ParseInt(cw.header.Get("Content-Length"), 10, 64)
	if err != nil || size <= 0 {
		_, _ = conn.Write(head.Bytes()[:head.Len()/2])
		_ = conn.Close()
		return
	}
	_, _ = conn.Write(head.Bytes())
	cw.conn, cw.remaining = conn, size/2
	if cw.remaining == 0 {
		cw.closeConn()
	}
}

func (cw *cutWriter) Write(b []byte) (int, error) {
	if !cw.wrote {
		cw.WriteHeader(http.StatusOK)
	}
	if cw.conn == nil {
		return 0, errCut
	}
	n := int(min(int64(len(b)), cw.remaining))
	_, _ = cw.conn.Write(b[:n])
	cw.remaining -= int64(n)
	if cw.remaining == 0 {
		cw.closeConn()
	}
	if n < len(b) {
		return n, errCut
	}
	return n, nil
}

func (cw *cutWriter) closeConn() {
	_ = cw.conn.Close()
	cw.conn = nil
}

// finish ends the answer once the handler returned.
func (cw *cutWriter) finish() {
	switch {
	case cw.conn != nil:
		cw.closeConn()
	case !cw.hijacked:
		cutConnection(cw.w, nil)
	}
}
