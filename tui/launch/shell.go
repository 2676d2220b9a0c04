package launch

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/muesli/cancelreader"
	"golang.org/x/term"

	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/editstep"
	"github.com/buildscope/buildscope/tui/failedstep"
	"github.com/buildscope/buildscope/tui/stepshell"
)

// holdFailedStep makes p's build run through the gateway (debug.Holder)
// so that a failed RUN step stays open for a shell while the build UI
// shows it: the UI gets it on the returned channel, and o says so. With
// breaks (build --break, not --on-error), the build pauses at each line
// and the UI opens a shell there (o.Paused). A build that already has a
// solver (debug's) is left as it is.
func holdFailedStep(p *build.Prepared, o *buildui.Options, breaks *debug.Breaks) {
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
	if breaks != nil && !breaks.OnError && breaks.Any() {
		// one pause at a time (the build waits for the UI to continue it);
		// notes of breaks that did not pause are dropped past the buffer
		// rather than block the build once the UI is gone
		pauses := make(chan stepshell.Pause, 8)
		notes := &lineWriter{line: func(l string) {
			if strings.Contains(l, "not paused") {
				select {
				case pauses <- stepshell.Pause{Note: strings.TrimPrefix(l, "debug: ")}:
				default:
				}
			}
		}}
		h.Breaks = &debug.Session{Breaks: breaks.Before, After: breaks.After, Stderr: notes, OnPause: func(d *debug.Pause) {
			pauses <- stepshell.Pause{Where: d.Where(), Shell: &shellCommand{held: d}, Continue: d.Continue}
		}}
		o.Paused = pauses
	}
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
	held           shellOpener
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (c *shellCommand) SetStdin(r io.Reader)  { c.stdin = r }
func (c *shellCommand) SetStdout(w io.Writer) { c.stdout = w }
func (c *shellCommand) SetStderr(w io.Writer) { c.stderr = w }

// shellOpener is what a shell opens in: a held failed step, a pause.
type shellOpener interface {
	Shell(stdin io.Reader, stdout, stderr io.Writer, term *os.File) (*debug.Ran, error)
}

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

// lineWriter hands each whole line written to it to line.
type lineWriter struct {
	buf  []byte
	line func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.line(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}
