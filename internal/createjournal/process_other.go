//go:build !linux

package createjournal

// processOf knows only the PID on platforms without /proc.
func processOf(pid int) Process { return Process{PID: pid} }
