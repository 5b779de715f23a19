//go:build !linux

package scenario

import (
	"errors"
	"os"
	"syscall"
)

// Only Linux has the counters the meter reads: elsewhere the records hold wall and CPU
// times only.

func meterSysProcAttr() *syscall.SysProcAttr { return nil }

func procIO(int) (procCounters, bool) { return procCounters{}, false }

func waitExited(int) error { return errors.New("not supported on this platform") }

func maxRSSKiB(*os.ProcessState) int64 { return 0 }
