package scenario

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// KillMidApply kills (SIGKILL) terraform, or the provider process under it, during an
// apply of 20 uploads with 2 s jobs once DatoCMS has accepted 10 creates, at a moment when
// Terraform has recorded none of them, then applies again: the uploads the killed run
// created must be adopted (the create journal), none uploaded twice.
func KillMidApply(victim string) Scenario {
	const uploads, killAfter = 20, 10
	return Scenario{
		Name: fmt.Sprintf("kill -9 %s during an apply of %d uploads (2 s jobs)", victim, uploads),
		// No rate limit, so the creates are accepted in a burst and the kill lands while their
		// jobs run: with it, the first creates may finish (and be recorded) before the tenth
		// is accepted, and the run would test less.
		Flags: []string{"-job-delay", "2s", "-rate-limit", "0"},
		Run: func(ctx context.Context, r *Run) error {
			if err := r.Configure(Uploads{N: uploads}); err != nil {
				return err
			}
			apply := r.Command(ctx, "apply", "-auto-approve", "-input=false")
			if err := apply.Start(); err != nil {
				return err
			}
			defer KillGroup(apply) // the providers a killed terraform leaves behind
			waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			if err := WaitFor(waitCtx, fmt.Sprintf("%d accepted creates", killAfter), func() (bool, error) {
				n, err := r.acceptedCreates(ctx)
				return n >= killAfter, err
			}); err != nil {
				return err
			}
			switch victim {
			case "terraform":
				if err := apply.Process.Signal(syscall.SIGKILL); err != nil {
					return err
				}
			default:
				pids, err := ProviderPIDs(apply.Process.Pid)
				if err != nil {
					return err
				}
				if len(pids) == 0 {
					return errors.New("no provider process found under terraform")
				}
				for _, pid := range pids {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			_ = apply.Wait() // a terraform whose provider died reports the crash and exits
			accepted, err := r.acceptedCreates(ctx)
			if err != nil {
				return err
			}
			recorded, err := r.StateIDs(ctx, "datocms_upload")
			if err != nil {
				return err
			}
			if len(recorded) >= accepted {
				return fmt.Errorf("the killed apply recorded %d of its %d accepted creates: the kill came too late to test anything", len(recorded), accepted)
			}
			// Let the killed run's jobs finish on the server, as they would at DatoCMS.
			if err := WaitFor(waitCtx, "the killed run's jobs", r.jobsDone(ctx)); err != nil {
				return err
			}
			res, err := r.MustApply(ctx)
			if err != nil {
				return err
			}
			if err := res.mustSay("Adopted an upload left by an interrupted apply"); err != nil {
				return err
			}
			r.Note("%d creates accepted before the kill, %d recorded; the next apply adopted the rest", accepted, len(recorded))
			return nil
		},
	}
}

// acceptedCreates counts the creates DatoCMS accepted (POST /uploads answered 202).
func (r *Run) acceptedCreates(ctx context.Context) (int, error) {
	reqs, err := r.Admin.Requests(ctx)
	n := 0
	for _, q := range reqs {
		if q.Method == "POST" && q.Path == "/uploads" && q.Status == 202 {
			n++
		}
	}
	return n, err
}

func (r *Run) jobsDone(ctx context.Context) func() (bool, error) {
	return func() (bool, error) {
		jobs, err := r.Admin.Jobs(ctx)
		for _, j := range jobs {
			if !j.Done && j.ReadyAt != nil {
				return false, err
			}
		}
		return true, err
	}
}

// ProviderPIDs returns the running terraform-provider-datocms processes whose parent is
// parent. It reads /proc, so it works on Linux only.
func ProviderPIDs(parent int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("no /proc to find the provider process: %w", err)
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
		// pid (comm) state ppid ...; comm is at most 15 characters and may hold spaces.
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
	return pids, nil
}
