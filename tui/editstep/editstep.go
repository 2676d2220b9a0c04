// Package editstep is the build UI's edit and re-run of a failed RUN
// step the builder holds: e opens $EDITOR (else vi) on the failed
// instruction as written, through tea.Exec; on save the build is re-run
// with it edited (only the edited step and those after it run; nothing
// is exported), and the outcome — passed or failed with its exit code,
// how many steps ran, the step's log — is shown beside the error; w
// writes the edit into the Dockerfile, only when asked. failedstep
// routes its keys here; keyoffer decides where they work.
package editstep

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/buildrun/dockeredit"
	"github.com/buildscope/buildscope/model"
)

// Edit is what the held build offers to edit: the failed instruction,
// the re-run and the write-back (launch makes it from debug.Held).
type Edit struct {
	// Instruction is the failed instruction as written; nil when
	// unknown, NoEdit saying why.
	Instruction *dockeredit.Instruction
	NoEdit      string
	// ReRun re-runs the held build with the instruction edited to text.
	ReRun func(text string) (*debug.Outcome, error)
	// WriteBack writes an outcome's edit to the Dockerfile, and says
	// where.
	WriteBack func(*debug.Outcome) (string, error)
}

// Key is e: edit the failed instruction and re-run the step; WriteKey is
// w: write the edit shown to the Dockerfile.
var (
	Key      = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit & re-run step"))
	WriteKey = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write edit to Dockerfile"))
)

// State is the edit's progress in the UI.
type State struct {
	// Busy: the editor is open or the re-run is under way.
	Busy bool
	// Last is the last edited re-run; Written says its edit is in the
	// Dockerfile (at Path).
	Last    *debug.Outcome
	Written bool
	Path    string
}

// Msg is the editor's or the re-run's end, for Update.
type Msg struct {
	edited  bool // the editor exited: Text is what it saved
	Text    string
	Outcome *debug.Outcome
	Err     error
}

// Open is e: the terminal goes to the editor on the instruction (a Msg
// comes when it exits); note is the line the UI shows meanwhile.
func (s *State) Open(e *Edit) (tea.Cmd, string) {
	cmdline, fallback := dockeredit.Editor()
	note := fmt.Sprintf("e: editing line %d in `%s`; save and quit to re-run the step", e.Instruction.Start, cmdline)
	if fallback {
		note += " ($EDITOR is not set: vi)"
	}
	s.Busy = true
	c := &editorCommand{in: e.Instruction, cmdline: cmdline}
	return tea.Exec(c, func(err error) tea.Msg { return Msg{edited: true, Text: c.text, Err: err} }), note
}

// editorCommand is a tea.ExecCommand: the editor on a temp file holding
// the instruction, on the terminal the UI gives up while it runs; the
// file is made, read back and removed in Run.
type editorCommand struct {
	in             *dockeredit.Instruction
	cmdline, text  string
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (c *editorCommand) SetStdin(r io.Reader)  { c.stdin = r }
func (c *editorCommand) SetStdout(w io.Writer) { c.stdout = w }
func (c *editorCommand) SetStderr(w io.Writer) { c.stderr = w }

// Run runs the editor until it exits, and keeps what it saved.
func (c *editorCommand) Run() error {
	file, err := dockeredit.EditFile(c.in)
	if err != nil {
		return err
	}
	defer os.Remove(file)
	cmd := dockeredit.EditCommand(c.cmdline, file)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.stdin, c.stdout, c.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the editor `%s`: %w (nothing re-run)", c.cmdline, err)
	}
	c.text, err = dockeredit.ReadEdit(file)
	return err
}

// Update takes the editor's end (and starts the re-run) or the re-run's;
// it returns what to run next and the line the UI shows.
func (s *State) Update(e *Edit, msg Msg) (tea.Cmd, string) {
	switch {
	case msg.edited && msg.Err == nil:
		if _, err := e.Instruction.Replace(msg.Text); errors.Is(err, dockeredit.ErrNothing) {
			s.Busy = false
			return nil, "e: " + err.Error() + ": no step re-run"
		}
		text := msg.Text
		return func() tea.Msg {
			o, err := e.ReRun(text)
			return Msg{Outcome: o, Err: err}
		}, fmt.Sprintf("e: re-running the build with line %d edited (the steps before it are not run again)…", e.Instruction.Start)
	case msg.Err != nil:
		s.Busy = false
		return nil, "e: " + msg.Err.Error()
	}
	s.Busy, s.Last, s.Written = false, msg.Outcome, false
	return nil, "e: " + msg.Outcome.Result()
}

// Write is w: the last re-run's edit goes into the Dockerfile; it
// returns the line the UI shows.
func (s *State) Write(e *Edit) string {
	path, err := e.WriteBack(s.Last)
	if err != nil {
		return "w: " + err.Error()
	}
	s.Written, s.Path = true, path
	return "w: wrote the edit of line " + fmt.Sprint(s.Last.Line) + " to " + path
}

// maxLog is how many of the edited step's last log lines are shown.
const maxLog = 6

// Lines are the last re-run's outcome, shown beside the failed step's
// error: the result, the edit, the step's last log lines, and w.
func (s *State) Lines() []string {
	o := s.Last
	res := "passed"
	if !o.Passed {
		res = "failed"
		if o.ExitCode >= 0 {
			res = fmt.Sprintf("failed (exit code %d)", o.ExitCode)
		}
	} else if o.Err != "" {
		res = "passed (a later step failed)"
	}
	out := []string{
		fmt.Sprintf("edited line %d re-ran: %s", o.Line, res),
		fmt.Sprintf("  %s ran, %d reused", plural(o.Ran, "step"), o.Reused),
		"  " + model.Printable(strings.Join(strings.Fields(o.Text), " ")),
	}
	if log := strings.Split(strings.TrimRight(string(o.Log), "\n"), "\n"); len(o.Log) > 0 {
		out = append(out, "log:")
		for _, l := range log[max(0, len(log)-maxLog):] {
			out = append(out, "  "+model.PrintableTextLine(l))
		}
	}
	if s.Written {
		return append(out, "written to "+s.Path)
	}
	return append(out, "the Dockerfile is unchanged (w writes the edit)")
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}
