package scenario

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// BuildLauncher builds the local API server (datocms-local) into dir and returns its path.
func BuildLauncher(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "datocms-local")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./internal/datocmstest/cmd/datocms-local")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build of datocms-local: %w\n%s", err, out)
	}
	return bin, nil
}

// Launcher is a running datocms-local.
type Launcher struct {
	URL   string
	Admin Admin
	cmd   *exec.Cmd
	log   *os.File
}

// StartLauncher runs bin with args (on 127.0.0.1 with a free port unless args say
// otherwise) and waits for the base URL it prints first. Its request log goes to logPath.
func StartLauncher(ctx context.Context, bin, logPath string, args ...string) (*Launcher, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"-listen", "127.0.0.1:0"}, args...)...) //nolint:gosec // G204: running the launcher is the point
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case url, ok := <-lines:
		if !ok || !strings.HasPrefix(url, "http") {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			logFile.Close()
			return nil, fmt.Errorf("datocms-local did not start (see %s)", logPath)
		}
		return &Launcher{URL: url, Admin: Admin{BaseURL: url}, cmd: cmd, log: logFile}, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		return nil, fmt.Errorf("datocms-local printed no base URL within 30s (see %s)", logPath)
	}
}

// Stop interrupts the launcher and waits for it.
func (l *Launcher) Stop() {
	_ = l.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = l.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = l.cmd.Process.Kill()
		<-done
	}
	l.log.Close()
}

// Admin talks to the test controls of a local API server (the /_local/ prefix; see
// internal/datocmstest/README.md). It needs no token and is not rate limited.
type Admin struct {
	BaseURL string
}

// FaultRule is one fault injection rule (PUT /_local/faults): the launcher's own type, whose
// JSON is the admin API's.
type FaultRule = datocmstest.FaultRule

// Request is one entry of the server's request log.
type Request struct {
	Time        time.Time           `json:"time"`
	Kind        string              `json:"kind"`
	Method      string              `json:"method"`
	Path        string              `json:"path"`
	Query       map[string][]string `json:"query"`
	Environment *string             `json:"environment"`
	Status      int                 `json:"status"`
	Fault       string              `json:"fault"`
	BodySize    int64               `json:"body_size"`
}

// Job is what the server knows about one async job.
type Job struct {
	ID               string     `json:"id"`
	Method           string     `json:"method"`
	Path             string     `json:"path"`
	CreatedAt        time.Time  `json:"created_at"`
	ReadyAt          *time.Time `json:"ready_at"`
	Done             bool       `json:"done"`
	Polls            int        `json:"polls"`
	PollsBeforeReady int        `json:"polls_before_ready"`
	FirstReadyPollAt *time.Time `json:"first_ready_poll_at"`
}

// Upload is an upload the server holds.
type Upload struct {
	Environment string   `json:"environment"`
	ID          string   `json:"id"`
	MD5         string   `json:"md5"`
	Size        int64    `json:"size"`
	Basename    string   `json:"basename"`
	Filename    string   `json:"filename"`
	Tags        []string `json:"tags"`
}

// SetFaults replaces the fault rules.
func (a Admin) SetFaults(ctx context.Context, rules ...FaultRule) error {
	if rules == nil {
		rules = []FaultRule{}
	}
	return a.call(ctx, http.MethodPut, "/_local/faults", map[string]any{"rules": rules}, nil)
}

// ClearFaults removes every fault rule.
func (a Admin) ClearFaults(ctx context.Context) error {
	return a.call(ctx, http.MethodDelete, "/_local/faults", nil, nil)
}

// Requests returns the request log.
func (a Admin) Requests(ctx context.Context) ([]Request, error) {
	var doc struct {
		Requests []Request `json:"requests"`
	}
	err := a.call(ctx, http.MethodGet, "/_local/requests", nil, &doc)
	return doc.Requests, err
}

// ClearRequests empties the request log.
func (a Admin) ClearRequests(ctx context.Context) error {
	return a.call(ctx, http.MethodDelete, "/_local/requests", nil, nil)
}

// Jobs returns the server's job statistics.
func (a Admin) Jobs(ctx context.Context) ([]Job, error) {
	var doc struct {
		Jobs []Job `json:"jobs"`
	}
	err := a.call(ctx, http.MethodGet, "/_local/jobs", nil, &doc)
	return doc.Jobs, err
}

// ClearJobs forgets the statistics of finished jobs.
func (a Admin) ClearJobs(ctx context.Context) error {
	return a.call(ctx, http.MethodDelete, "/_local/jobs", nil, nil)
}

// Uploads returns every upload of every environment.
func (a Admin) Uploads(ctx context.Context) ([]Upload, error) {
	var doc struct {
		Uploads []Upload `json:"uploads"`
	}
	err := a.call(ctx, http.MethodGet, "/_local/uploads", nil, &doc)
	return doc.Uploads, err
}

// AddReference makes a record reference an upload.
func (a Admin) AddReference(ctx context.Context, uploadID, recordID, itemType string) error {
	return a.call(ctx, http.MethodPost, "/_local/references",
		map[string]string{"upload_id": uploadID, "record_id": recordID, "item_type": itemType}, nil)
}

func (a Admin) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.BaseURL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
