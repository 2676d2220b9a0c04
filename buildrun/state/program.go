package state

import (
	"os"
	"os/exec"
	"path/filepath"
)

// Program finds a program that belongs with buildscope (buildkitd,
// buildscope-bake): beside this executable, as make build writes them,
// else in PATH; "" when neither has it.
func Program(name string) string {
	if self, err := os.Executable(); err == nil {
		cand := filepath.Join(filepath.Dir(self), name)
		if _, err := os.Stat(cand); err == nil {
			return cand
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return ""
}
