package createjournal

import "os"

// Process identifies a terraform process beyond its PID, which another process may reuse
// after it ends: the boot it ran in and its start time, where the platform tells them.
type Process struct {
	Boot  string `json:"boot,omitempty"`
	PID   int    `json:"pid"`
	Start uint64 `json:"start,omitempty"` // in the platform's units (clock ticks since boot on Linux)
}

// Terraform is the terraform process that runs this provider (its parent).
func Terraform() Process { return processOf(os.Getppid()) }

// Gone reports whether the process has ended: it ran in another boot, or no process has its
// PID now, or the one that has it started at another time. Where that cannot be told (a
// platform without process information), it is not gone: the journal then only warns, it
// never adopts on a guess.
func (p Process) Gone() bool {
	if p.PID <= 0 {
		return false
	}
	now := processOf(p.PID)
	switch {
	case p.Boot != "" && now.Boot != "" && p.Boot != now.Boot:
		return true
	case !alive(p.PID):
		return true
	case p.Start != 0 && now.Start != 0 && p.Start != now.Start:
		return true
	}
	return false
}
