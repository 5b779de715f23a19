//go:build unix

package provider

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this PID exists. A PID reused by another
// process reads as alive: the caller then only gives up an adoption, never makes a wrong one.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
