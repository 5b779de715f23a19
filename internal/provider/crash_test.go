package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

// crashConfig writes n uploads of distinct small files into ws and returns the configuration.
func crashConfig(t *testing.T, ws *scenario.Workspace, n int) {
	t.Helper()
	config := "terraform {\n  required_providers {\n    datocms = { source = \"assetform/datocms\" }\n  }\n}\n\nprovider \"datocms\" {}\n"
	for i := range n {
		name := fmt.Sprintf("files/asset-%02d.txt", i)
		if err := ws.Write(name, []byte(fmt.Sprintf("asset %d\n", i))); err != nil {
			t.Fatal(err)
		}
		config += fmt.Sprintf("\nresource \"datocms_upload\" \"a%02d\" {\n  source = \"${path.module}/%s\"\n  tags   = [\"crash-test\"]\n}\n", i, name)
	}
	if err := ws.Write("main.tf", []byte(config)); err != nil {
		t.Fatal(err)
	}
}

// acceptedCreates counts the creates DatoCMS accepted (POST /uploads answered 202).
func acceptedCreates(srv *datocmstest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == "POST" && r.Path == "/uploads" && r.Status == 202 {
			n++
		}
	}
	return n
}

// providerPIDs returns the running terraform-provider-datocms processes whose parent is pid.
func providerPIDs(t *testing.T, parent int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc to find the provider process: %v", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm is at most 15 characters.
		s := string(stat)
		open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || closing < open {
			continue
		}
		fields := strings.Fields(s[closing+1:])
		if len(fields) > 1 && strings.HasPrefix(s[open+1:closing], "terraform-provi") && fields[1] == strconv.Itoa(parent) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestCrashRecovery kills a real `terraform apply` of 20 uploads (2 s jobs) with SIGKILL
// once DatoCMS has accepted 10 creates, at a moment when Terraform has recorded none of
// them, then applies again: the uploads the killed run created are adopted, none is
// uploaded twice, the state holds exactly what the server holds, and the next plan is
// empty. The same holds when the provider process is killed instead of terraform.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	providerDir := providerBinary(t)
	for _, victim := range []string{"terraform", "provider"} {
		t.Run("kill -9 "+victim, func(t *testing.T) {
			t.Parallel()
			const uploads, killAfter = 20, 10
			srv := newTestServer(t, datocmstest.WithJobDelay(2*time.Second), datocmstest.WithRateLimit(0))
			ws, err := scenario.NewWorkspace(t.TempDir(), providerDir, srv.URL(), testToken)
			if err != nil {
				t.Fatal(err)
			}
			crashConfig(t, ws, uploads)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()

			apply := ws.Command(ctx, "apply", "-auto-approve", "-input=false")
			if err := apply.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { scenario.KillGroup(apply) }) // the providers a killed terraform leaves behind
			deadline := time.Now().Add(time.Minute)
			for acceptedCreates(srv) < killAfter {
				if time.Now().After(deadline) {
					t.Fatalf("only %d creates accepted after a minute", acceptedCreates(srv))
				}
				time.Sleep(5 * time.Millisecond)
			}
			switch victim {
			case "terraform":
				if err := apply.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				_ = apply.Wait()
			case "provider":
				pids := providerPIDs(t, apply.Process.Pid)
				if len(pids) == 0 {
					t.Fatal("no provider process found under terraform")
				}
				for _, pid := range pids {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
				_ = apply.Wait() // terraform reports the crash and exits
			}
			accepted := acceptedCreates(srv)
			if state, _ := ws.StateIDs(ctx, "datocms_upload"); len(state) >= accepted {
				t.Fatalf("the killed apply recorded %d of its %d accepted creates: the crash came too late to test anything", len(state), accepted)
			}
			time.Sleep(2500 * time.Millisecond) // the killed run's jobs finish on the server

			res, err := ws.Apply(ctx)
			if err != nil || res.ExitCode != 0 {
				t.Fatalf("apply after the crash: %v\n%s", err, res)
			}
			if !strings.Contains(res.Stdout+res.Stderr, "Adopted an upload left by an interrupted apply") {
				t.Errorf("the apply after the crash adopted nothing:\n%s", res)
			}
			state, err := ws.StateIDs(ctx, "datocms_upload")
			if err != nil {
				t.Fatal(err)
			}
			var onServer, inState []string
			for _, up := range srv.Uploads("") {
				onServer = append(onServer, up.ID)
			}
			for _, id := range state {
				inState = append(inState, id)
			}
			slices.Sort(onServer)
			slices.Sort(inState)
			if len(onServer) != uploads || !slices.Equal(onServer, inState) {
				t.Errorf("after recovery: %d uploads on the server, %d in state (want %d, the same ones)\nserver %v\nstate  %v",
					len(onServer), len(inState), uploads, onServer, inState)
			}
			if empty, res, err := ws.PlanIsEmpty(ctx); err != nil || !empty {
				t.Errorf("plan after recovery is not empty (%v):\n%s", err, res)
			}
			t.Logf("%d creates accepted before the kill; %d uploads on the server and in state after one more apply", accepted, len(onServer))
		})
	}
}
