package debug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/client"
)

// Editor is the command line that edits the failed instruction: $EDITOR,
// else vi (fallback says so, for the line that tells the user).
func Editor() (cmdline string, fallback bool) {
	if e := strings.TrimSpace(os.Getenv("EDITOR")); e != "" {
		return e, false
	}
	return "vi", true
}

// EditFile writes the instruction as written to a temp file named after
// the Dockerfile and its line (so an editor knows the language); the
// caller reads it back with ReadEdit, which removes it.
func EditFile(in *Instruction) (string, error) {
	f, err := os.CreateTemp("", fmt.Sprintf("buildscope-line%d-*.%s", in.Start, safeName(filepath.Base(in.Name))))
	if err != nil {
		return "", fmt.Errorf("writing the instruction to edit: %w", err)
	}
	_, err = f.WriteString(in.Text() + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing the instruction to edit: %w", err)
	}
	return f.Name(), nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '*' || r == os.PathSeparator {
			return '_'
		}
		return r
	}, s)
}

// EditCommand is the process that runs cmdline (a shell command line:
// $EDITOR, or --edit-with's CMD) on file, as `CMDLINE "FILE"`.
func EditCommand(cmdline, file string) *exec.Cmd {
	return exec.Command("/bin/sh", "-c", cmdline+` "$1"`, "sh", file)
}

// ReadEdit reads the edited file back and removes it.
func ReadEdit(file string) (string, error) {
	defer os.Remove(file)
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("reading the edited instruction back: %w", err)
	}
	return string(b), nil
}

// rerunner is what re-running a failed build with one instruction edited
// needs: the build's client, its solve options and frontend, and the
// failed instruction.
type rerunner struct {
	ctx      context.Context
	c        *client.Client
	opt      client.SolveOpt
	frontend string
	in       *Instruction
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
	if r.in, ierr = FailedInstruction(err); ierr != nil {
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
	file, err := EditFile(r.in)
	if err != nil {
		return nil, err
	}
	cmd := EditCommand(cmdline, file)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		os.Remove(file)
		return nil, fmt.Errorf("the editor `%s` on %s: %w (nothing re-run)", cmdline, file, err)
	}
	text, err := ReadEdit(file)
	if err != nil {
		return nil, err
	}
	return r.run(text)
}
