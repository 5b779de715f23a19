package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"-help"}, &stdout, &stderr); err != nil {
		t.Fatalf("-help: %v", err)
	}
	for _, want := range []string{"internal/datocmstest/README.md", "/_local/", "-seed", "-fault-rules", "-storage-status", "-max-upload-size", "-storage-headers", "-rate-limit", "-listen",
		"-antivirus-delay", "-mux-delay", "-track-delay", "-sync-tracks", "-sandbox-tracks"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stderr.String())
		}
	}
	if err := run(t.Context(), []string{"-no-such-flag"}, &stdout, io.Discard); err == nil {
		t.Error("an unknown flag was accepted")
	}
	if err := run(t.Context(), []string{"extra"}, &stdout, io.Discard); err == nil {
		t.Error("a stray argument was accepted")
	}
	if err := run(t.Context(), []string{"-storage-status", "204"}, &stdout, io.Discard); err == nil {
		t.Error("storage status 204 was accepted")
	}
	if err := run(t.Context(), []string{"-mux-delay", "-1s"}, &stdout, io.Discard); err == nil {
		t.Error("a negative Mux delay was accepted")
	}
	if err := run(t.Context(), []string{"-sandbox-tracks", "maybe"}, &stdout, io.Discard); err == nil {
		t.Error("an unknown -sandbox-tracks value was accepted")
	}
}

func TestFaultRulesFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"rules":[{"action":"delay"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"-fault-rules", bad}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "rules[0].ms") {
		t.Errorf("invalid rules file: %v", err)
	}
	if err := os.WriteFile(bad, []byte(`{"rules":[{"action":"reset","typo":1}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"-fault-rules", bad}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "typo") {
		t.Errorf("unknown field in the rules file: %v", err)
	}
	if err := run(t.Context(), []string{"-fault-rules", filepath.Join(dir, "missing.json")}, io.Discard, io.Discard); err == nil {
		t.Error("a missing rules file was accepted")
	}
}

// syncBuffer is a bytes.Buffer safe for the server's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun starts the launcher with the new flags, checks they reach the
// server through the admin API, and stops it by ending its context.
func TestRun(t *testing.T) {
	t.Parallel()
	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`{"seed": 99, "rules": [{"path": "/site", "action": "status", "status": 503, "times": 1}, {"path": "/uploads", "action": "stall"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-fault-rules", rules, "-storage-status", "201",
			"-storage-headers", "x-acl=private", "-max-upload-size", "5", "-rate-limit", "0", "-sandbox-tracks", "allow"}, pw, &stderr)
		pw.Close()
	}()
	base, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no base URL: %v (stderr: %s)", err, stderr.String())
	}
	base = strings.TrimSpace(base)
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	hc := &http.Client{Timeout: 5 * time.Second}
	call := func(method, path string, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("X-Api-Version", "3")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	var faults struct {
		Seed  uint64           `json:"seed"`
		Rules []map[string]any `json:"rules"`
	}
	_, b := call("GET", "/_local/faults", "")
	if err := json.Unmarshal(b, &faults); err != nil || faults.Seed != 99 || len(faults.Rules) != 2 {
		t.Errorf("faults %s (%v)", b, err)
	}
	if _, b := call("GET", "/_local/behaviour", ""); !strings.Contains(string(b), `"sandbox_tracks": "allow"`) {
		t.Errorf("behaviour %s", b)
	}
	if status, _ := call("GET", "/site", ""); status != 503 {
		t.Errorf("rule from the file: %d", status)
	}
	_, b = call("POST", "/upload-requests", `{"data":{"type":"upload_request","attributes":{}}}`)
	var ureq struct {
		Data struct {
			Attributes struct {
				URL            string            `json:"url"`
				RequestHeaders map[string]string `json:"request_headers"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &ureq); err != nil || ureq.Data.Attributes.RequestHeaders["x-acl"] != "private" {
		t.Fatalf("upload request %s", b)
	}
	put := func(body string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "PUT", ureq.Data.Attributes.URL, strings.NewReader(body))
		req.Header.Set("x-acl", "private")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := put("12345"); st != 201 {
		t.Errorf("storage PUT: %d, want 201", st)
	}
	if st := put("123456"); st != 400 {
		t.Errorf("storage PUT over the limit: %d, want 400", st)
	}

	// A stalled request must not hold the shutdown up.
	go func() {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", base+"/uploads", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(4 * time.Second):
		t.Fatal("run did not stop")
	}
	log := stderr.String()
	for _, want := range []string{"fault seed 99", "GET /site 503", "PUT /storage/"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "Bearer") || strings.Contains(log, "signature") {
		t.Errorf("stderr leaks a credential:\n%s", log)
	}
}
