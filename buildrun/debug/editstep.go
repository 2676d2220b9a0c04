package debug

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildscope/buildscope/buildrun/dockeredit"
)

// editStep is --edit in a failed build: the editor (s.EditWith) opens on
// the failed instruction as written, the build is re-run with it edited
// (ReRun: only the edited step and those after it run), the edited
// step's log and result are printed, and the edit is written to the
// Dockerfile only with --write-back.
func (s *Session) editStep(r *rerunner) {
	if r.in == nil {
		fmt.Fprintf(s.Stderr, "debug: --edit: %s\n", r.noEdit)
		return
	}
	fmt.Fprintf(s.Stderr, "debug: editing the failed instruction (%s line %d) with `%s`:\n%s\n", r.in.Name, r.in.Start, s.EditWith, indent(r.in.Text()))
	o, err := r.edit(s.EditWith, s.Stdin, s.Stdout, s.Stderr)
	switch {
	case errors.Is(err, dockeredit.ErrNothing):
		fmt.Fprintf(s.Stderr, "debug: %v: no step re-run\n", err)
		return
	case err != nil:
		fmt.Fprintf(s.Stderr, "debug: --edit: %v\n", err)
		return
	}
	s.Edited = o
	fmt.Fprintf(s.Stderr, "debug: re-ran with line %d edited to:\n%s\n", o.Line, indent(o.Text))
	_, _ = s.Stdout.Write(o.Log)
	fmt.Fprintf(s.Stderr, "debug: %s\n", o.Result())
	if !s.WriteBack {
		fmt.Fprintf(s.Stderr, "debug: %s is unchanged (--write-back writes the edit to it)\n", r.in.Name)
		return
	}
	if err := r.in.WriteBack(s.Dockerfile, o.Edited); err != nil {
		fmt.Fprintf(s.Stderr, "debug: --write-back: %v\n", err)
		return
	}
	s.WroteBack = true
	fmt.Fprintf(s.Stderr, "debug: wrote the edit to %s\n", s.Dockerfile)
}

// Redact takes the build's secrets out of what an edited re-run prints
// (its log); the build calls it before Solve.
func (s *Session) Redact(f func([]byte) []byte) { s.redact = f }

// indent is text with each line indented two spaces.
func indent(text string) string { return "  " + strings.ReplaceAll(text, "\n", "\n  ") }

// editNote is what the record says of the edit and its re-run ("": none).
func (s *Session) editNote() string {
	switch {
	case s.Edited == nil:
		return ""
	case s.WroteBack:
		return s.Edited.Note() + "; written back to the Dockerfile"
	}
	return s.Edited.Note()
}

// editStatus is the status debug exits with after an edit's re-run: 0
// when the edited build passed, else the edited step's exit code (1
// when that is unknown).
func (o *Outcome) status() int {
	switch {
	case o.Passed && o.Err == "":
		return 0
	case !o.Passed && o.ExitCode > 0:
		return o.ExitCode
	}
	return 1
}

// Flags are `buildscope debug`'s own flags, as the command line gave them.
type Flags struct {
	// On, Invoke and Break are --on, --invoke and --break.
	On, Invoke, Break string
	// Edit is --edit; EditWith --edit-with CMD; WriteBack --write-back.
	Edit      bool
	EditWith  string
	WriteBack bool
	// Dockerfile is -f ("": Context's Dockerfile); Context is PATH.
	Dockerfile, Context string
}

// NewCLISession is the session of `buildscope debug` with flags f
// (NewSession, Break, and --edit's editor: --edit-with's CMD, else
// $EDITOR, else vi, said so).
func NewCLISession(f Flags, stdin *os.File, stdout, stderr io.Writer) (*Session, error) {
	s, err := NewSession(f.On, f.Invoke, stdin, stdout, stderr)
	if err != nil {
		return nil, err
	}
	if err := s.Break(f.Break); err != nil {
		return nil, err
	}
	switch {
	case f.EditWith != "":
		s.EditWith = f.EditWith
	case f.Edit:
		var fallback bool
		if s.EditWith, fallback = dockeredit.Editor(); fallback {
			fmt.Fprintln(stderr, "debug: --edit: $EDITOR is not set: the edit opens in vi")
		}
	case f.WriteBack:
		return nil, errors.New("--write-back writes an edit: give --edit (or --edit-with CMD) too")
	}
	s.WriteBack, s.Dockerfile = f.WriteBack, f.Dockerfile
	if s.Dockerfile == "" {
		s.Dockerfile = filepath.Join(f.Context, "Dockerfile")
	}
	return s, nil
}
