package scenario

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// meterSysProcAttr makes the metered provider die with the wrapper: if terraform kills the
// wrapper, it must not leave the real provider running.
func meterSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// procIO reads the io counters of a process, also of a zombie (which still holds the
// totals of all its threads).
func procIO(pid int) (procCounters, bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return procCounters{}, false
	}
	defer f.Close()
	var c procCounters
	seen := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if !ok || err != nil {
			continue
		}
		switch name {
		case "rchar":
			c.rchar, seen = n, seen+1
		case "wchar":
			c.wchar, seen = n, seen+1
		case "read_bytes":
			c.readBytes, seen = n, seen+1
		}
	}
	return c, sc.Err() == nil && seen == 3
}

// waitExited waits until the child pid has exited without reaping it (waitid with WNOWAIT),
// so that its /proc entry still holds its final counters.
func waitExited(pid int) error {
	const pPID = 1     // idtype_t P_PID
	var info [128]byte // siginfo_t
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])),
			syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		switch errno {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		}
		return errno
	}
}

// maxRSSKiB is the peak resident set size of an exited child (Linux reports KiB).
func maxRSSKiB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
