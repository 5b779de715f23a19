package createjournal

import (
	"os"
	"strconv"
	"strings"
)

// processOf reads the boot ID and the start time of a process from /proc.
func processOf(pid int) Process {
	p := Process{PID: pid}
	if raw, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil {
		p.Boot = strings.TrimSpace(string(raw))
	}
	if raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		// The command name (field 2) may hold spaces and parentheses: count from the last ')'.
		s := string(raw)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			fields := strings.Fields(s[i+1:])
			if len(fields) > 19 { // field 22, starttime, is the 20th after the name
				p.Start, _ = strconv.ParseUint(fields[19], 10, 64)
			}
		}
	}
	return p
}
