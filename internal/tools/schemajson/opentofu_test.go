package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
)

// isOpenTofu reports whether the CLI at path is OpenTofu (make test-matrix runs the tests
// with OpenTofu as TF_ACC_TERRAFORM_PATH). Its `tofu providers schema -json` is not what
// schemajson reproduces: the format of Terraform's, which tfplugindocs reads.
func isOpenTofu(ctx context.Context, path string) bool {
	cmd := exec.CommandContext(ctx, path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "OpenTofu v") {
			return true
		}
	}
	return false
}
