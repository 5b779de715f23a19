package createjournal

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// Owner is the configuration an upload belongs to: the root module directory (where
// terraform runs the provider), the workspace and the machine. Two configurations that
// upload the same file never share an entry.
type Owner struct {
	Dir       string `json:"dir"`
	Workspace string `json:"workspace"`
	Machine   string `json:"machine"`
}

// CurrentOwner is the owner of what this provider process creates.
func CurrentOwner() Owner {
	dir, err := os.Getwd()
	if err == nil {
		if resolved, err := filepath.EvalSymlinks(dir); err == nil {
			dir = resolved
		}
	}
	return Owner{Dir: dir, Workspace: workspace(), Machine: machine()}
}

// workspace is the Terraform workspace the provider runs for: TF_WORKSPACE, else the one
// terraform workspace select recorded in the data directory, else "default".
func workspace() string {
	if ws := os.Getenv("TF_WORKSPACE"); ws != "" {
		return ws
	}
	dataDir := os.Getenv("TF_DATA_DIR")
	if dataDir == "" {
		dataDir = ".terraform"
	}
	if raw, err := os.ReadFile(filepath.Join(dataDir, "environment")); err == nil { //nolint:gosec // Terraform's own file
		if ws := strings.TrimSpace(string(raw)); ws != "" {
			return ws
		}
	}
	return "default"
}

// machine identifies this machine across reboots (so a laptop that crashed mid-apply still
// recovers): its machine ID and host name, digested.
func machine() string {
	var id string
	for _, name := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if raw, err := os.ReadFile(name); err == nil {
			id = strings.TrimSpace(string(raw))
			break
		}
	}
	host, _ := os.Hostname()
	sum := sha256.Sum256([]byte(id + "\x00" + host))
	return hex.EncodeToString(sum[:12])
}
