// Package state is where buildscope keeps its state and how it writes
// there: the XDG directories (Paths), files written whole (temp and
// rename), flock locks and directories only the user can read.
package state

import (
	"fmt"
	"os"
	"path/filepath"
)

// Paths are the directories buildscope keeps its state in, following the
// XDG base directory spec.
type Paths struct {
	// State holds build records, results and the embedded builder's state.
	State string
	// Runtime holds the embedded builder's socket.
	Runtime string
	// Builder, when set, holds the embedded builder's root, config and
	// log instead of State/buildkitd: state dirs that name the same
	// Builder and Runtime share one builder, each with its own history
	// and results.
	Builder string
}

// DefaultPaths returns the paths from XDG_STATE_HOME / XDG_RUNTIME_DIR,
// falling back to ~/.local/state/buildscope and the state dir, and the
// embedded builder's directory from BUILDSCOPE_BUILDER_DIR when set.
func DefaultPaths() (Paths, error) {
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return Paths{}, fmt.Errorf("finding the state directory: set XDG_STATE_HOME or HOME: %w", err)
		}
		state = filepath.Join(home, ".local", "state")
	}
	p := Paths{State: filepath.Join(state, "buildscope")}
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		p.Runtime = filepath.Join(rt, "buildscope")
	} else {
		p.Runtime = filepath.Join(p.State, "run")
	}
	p.Builder = os.Getenv("BUILDSCOPE_BUILDER_DIR")
	return p, nil
}

// History is the directory of build records.
func (p Paths) History() string { return filepath.Join(p.State, "history") }

// Results is the OCI layout that holds every build's image.
func (p Paths) Results() string { return filepath.Join(p.State, "results") }

// BuilderDir holds the embedded buildkitd's root, config and log.
func (p Paths) BuilderDir() string {
	if p.Builder != "" {
		return p.Builder
	}
	return filepath.Join(p.State, "buildkitd")
}

// Socket is the embedded buildkitd's unix socket.
func (p Paths) Socket() string { return filepath.Join(p.Runtime, "buildkitd.sock") }

// EnsurePrivateDir creates dir readable by the user only.
func EnsurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restricting %s to its owner: %w", dir, err)
	}
	return nil
}
