package launch

import (
	"fmt"
	"io"
	"os"

	"github.com/muesli/cancelreader"
	"golang.org/x/term"

	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/editstep"
	"github.com/buildscope/buildscope/tui/failedstep"
)

// holdFailedStep makes p's build run through the gateway (debug.Holder)
// so that a failed RUN step stays open for a shell while the build UI
// shows it: the UI gets it on the returned channel, and o says so. A
// build that already has a solver (debug's) is left as it is.
func holdFailedStep(p *build.Prepared, o *buildui.Options) {
	if p.Solver != nil {
		return
	}
	ch := make(chan failedstep.Held, 1)
	var h *debug.Holder
	h = debug.NewHolder(func(d *debug.Held) {
		select {
		case ch <- forUI(h, d):
		default: // the UI takes one; a second failure of the same build has no UI to go to
		}
	})
	h.Dockerfile = p.DockerfileAbs // where e's edit is written back (w)
	p.Solver, o.Held = h, ch
}

// forUI is a held step as the build UI shows it.
func forUI(h *debug.Holder, d *debug.Held) failedstep.Held {
	u := failedstep.Held{Digest: d.Digest, Cwd: d.Cwd, User: d.User, Why: d.Why, Wrote: d.Wrote, WroteUnknown: d.WroteUnknown, Release: h.Release}
	if d.Why == "" {
		u.Step = d.StepLine()
		u.Shell = &shellCommand{held: d}
		u.Edit = &editstep.Edit{Instruction: d.Instruction, NoEdit: d.NoEdit, ReRun: d.ReRun, WriteBack: d.WriteBack}
	}
	return u
}

// shellCommand is a tea.ExecCommand: an interactive shell in a held
// failed step, on the terminal the UI gives up while it runs.
type shellCommand struct {
	held           *debug.Held
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (c *shellCommand) SetStdin(r io.Reader)  { c.stdin = r }
func (c *shellCommand) SetStdout(w io.Writer) { c.stdout = w }
func (c *shellCommand) SetStderr(w io.Writer) { c.stderr = w }

// Run runs the shell until it exits. On a terminal, the shell has it raw
// and follows its size; its input is read through a reader cancelled
// when the shell ends, so that no keystroke meant for the UI is taken by
// the gateway's copy of stdin afterwards.
func (c *shellCommand) Run() error {
	in, tty := c.stdin, (*os.File)(nil)
	if f, ok := c.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		cr, err := cancelreader.NewReader(f)
		if err != nil {
			return fmt.Errorf("reading the terminal for the shell: %w", err)
		}
		defer cr.Cancel()
		in, tty = cr, f
	}
	stderr := c.stderr
	if stderr == nil {
		stderr = c.stdout
	}
	_, err := c.held.Shell(in, c.stdout, stderr, tty)
	return err
}
