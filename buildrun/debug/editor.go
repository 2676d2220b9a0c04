package debug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/buildrun/dockeredit"
)

// rerunner is what re-running a failed build with one instruction edited
// needs: the build's client, its solve options and frontend, and the
// failed instruction.
type rerunner struct {
	ctx      context.Context
	c        *client.Client
	opt      client.SolveOpt
	frontend string
	in       *dockeredit.Instruction
	before   *doneSteps
	noEdit   string // why the instruction cannot be edited ("" it can)
	redact   func([]byte) []byte
}

// run re-runs the build with the instruction edited to text, the
// secrets of the build redacted from what the outcome says.
func (r *rerunner) run(text string) (*Outcome, error) {
	o, err := ReRun(r.ctx, r.c, r.opt, r.frontend, r.in, text, r.before)
	if o != nil && r.redact != nil {
		o.Log, o.Err = r.redact(o.Log), string(r.redact([]byte(o.Err)))
	}
	return o, err
}

// newRerunner is the re-runner of the build opt describes, whose step
// failed with err (before: what it completed; redact takes the build's
// secrets out of what is shown, nil: none; dockerfile is its path, ""
// when unknown).
func newRerunner(ctx context.Context, c *client.Client, opt client.SolveOpt, frontend string, before *doneSteps, redact func([]byte) []byte, dockerfile string, err error) *rerunner {
	r := &rerunner{ctx: ctx, c: c, opt: opt, frontend: frontend, before: before, redact: redact}
	var ierr error
	if r.in, ierr = dockeredit.FailedInstruction(err); ierr != nil {
		r.noEdit = ierr.Error()
		return r
	}
	if dockerfile != "" { // its own ignore file, as the frontend read it beside the Dockerfile
		if b, err := os.ReadFile(dockerfile + ".dockerignore"); err == nil {
			r.in.Ignore = b
		}
	}
	return r
}

// edit runs the editor cmdline on the failed instruction (with the
// given streams), then re-runs the build with the instruction as edited.
func (r *rerunner) edit(cmdline string, stdin io.Reader, stdout, stderr io.Writer) (*Outcome, error) {
	if r.in == nil {
		return nil, errors.New(r.noEdit)
	}
	file, err := dockeredit.EditFile(r.in)
	if err != nil {
		return nil, err
	}
	cmd := dockeredit.EditCommand(cmdline, file)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		os.Remove(file)
		return nil, fmt.Errorf("the editor `%s` on %s: %w (nothing re-run)", cmdline, file, err)
	}
	text, err := dockeredit.ReadEdit(file)
	if err != nil {
		return nil, err
	}
	return r.run(text)
}
