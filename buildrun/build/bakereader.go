package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/buildscope/buildscope/buildrun/bakespec"
	"github.com/buildscope/buildscope/buildrun/state"
)

// BakeReaderName is the program that reads bake files for `buildscope
// bake` (cmd/buildscope-bake): buildx's parser, in a process of its own so
// that its package initialisers (~40 ms of CPU) are paid only by bake.
const BakeReaderName = "buildscope-bake"

// ReadBakeFiles runs buildscope-bake (BUILDSCOPE_BAKE, else next to this
// executable, else in PATH) on r, in the working directory and with this
// process's stdin (`-f -`), and reads the targets it resolved.
func ReadBakeFiles(ctx context.Context, r bakespec.Request) (*bakespec.Resolved, error) {
	bin, err := bakeReaderPath()
	if err != nil {
		return nil, err
	}
	req, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encoding the bake request: %w", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, string(req))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ee *exec.ExitError
		if msg := strings.TrimSpace(stderr.String()); errors.As(err, &ee) && ee.ExitCode() == 1 && msg != "" {
			return nil, errors.New(msg) // its own one-line account of the bad input
		}
		return nil, fmt.Errorf("running %s: %v: %s", bin, err, strings.TrimSpace(stderr.String()))
	}
	var res bakespec.Resolved
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("reading what %s resolved: %w (is it the one built with this buildscope? `make build` builds both)", bin, err)
	}
	return &res, nil
}

// bakeReaderPath finds buildscope-bake as the embedded builder's buildkitd
// is found: named by the environment, beside buildscope, or in PATH.
func bakeReaderPath() (string, error) {
	if p := os.Getenv("BUILDSCOPE_BAKE"); p != "" {
		return p, nil
	}
	if p := state.Program(BakeReaderName); p != "" {
		return p, nil
	}
	return "", errors.New("buildscope bake reads bake files with " + BakeReaderName + " (buildx's parser), which is not next to buildscope nor in PATH: run `make build` (it builds bin/" + BakeReaderName + "), or set BUILDSCOPE_BAKE to its path")
}
