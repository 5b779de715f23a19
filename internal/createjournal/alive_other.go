//go:build !unix

package createjournal

// alive cannot tell on this platform: the process is taken to be running, so nothing is
// adopted on a guess.
func alive(int) bool { return true }
