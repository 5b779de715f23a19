//go:build !unix

package provider

// processAlive cannot be answered here: every process counts as alive, so uploads left by
// a crashed apply are never adopted automatically (the plan still warns about them).
func processAlive(int) bool { return true }
