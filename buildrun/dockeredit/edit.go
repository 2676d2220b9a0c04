// Package dockeredit finds one Dockerfile instruction as written (from the
// source map BuildKit attaches to a step's error, and BuildKit's parser),
// hands it to an editor, puts the edited text in its place and writes the
// Dockerfile back when asked: the edit of buildscope debug --edit and the
// build UI's e.
package dockeredit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
)

// Instruction is one Dockerfile instruction as written, found through the
// source map BuildKit attached to a step's error and BuildKit's parser:
// the Dockerfile as the build read it, and the lines the instruction
// spans (continuation lines and heredoc bodies included).
type Instruction struct {
	// Name is the Dockerfile's name as the frontend read it.
	Name string
	// Source is the Dockerfile's bytes as the build read them.
	Source []byte
	// Start and End are the instruction's first and last lines (1-based,
	// inclusive).
	Start, End int
	// Ignore is the Dockerfile's own ignore file (NAME.dockerignore
	// beside it), which the frontend reads in place of the context's
	// .dockerignore; nil when there is none.
	Ignore []byte
}

// ErrNothing says an edit leaves nothing to re-run: the instruction is
// unchanged, or the edit is empty.
var ErrNothing = errors.New("nothing to re-run")

// FailedInstruction is the instruction of the step that failed with err,
// from the Dockerfile source BuildKit attached to the error; an error
// says why it is unknown (a builder or frontend that sends no source).
func FailedInstruction(err error) (*Instruction, error) {
	for _, s := range errdefs.Sources(err) { // the innermost first: the step's own
		if s.Info == nil || len(s.Ranges) == 0 || s.Ranges[0].Start == nil || !IsDockerfile(s.Info) {
			continue
		}
		return InstructionAt(s.Info.Filename, s.Info.Data, int(s.Ranges[0].Start.Line))
	}
	return nil, errors.New("the builder sent no Dockerfile location with the step's error: the failed instruction is unknown")
}

// InstructionAt is the instruction of the Dockerfile src (named name)
// that spans line, as BuildKit's parser reads it (parser directives and
// the escape character honoured).
func InstructionAt(name string, src []byte, line int) (*Instruction, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("parsing %s as the build read it: %w", name, err)
	}
	for _, n := range res.AST.Children {
		if n.StartLine <= line && line <= n.EndLine {
			return &Instruction{Name: name, Source: src, Start: n.StartLine, End: n.EndLine}, nil
		}
	}
	return nil, fmt.Errorf("%s has no instruction on line %d", name, line)
}

// lines are src's lines, each with its newline.
func lines(src []byte) []string { return strings.SplitAfter(string(src), "\n") }

// Text is the instruction as written: its lines, without the last newline.
func (in *Instruction) Text() string {
	ls := lines(in.Source)
	return strings.TrimRight(strings.Join(ls[in.Start-1:in.End], ""), "\r\n")
}

// Replace is the Dockerfile with the instruction's lines replaced by
// text (its trailing newlines dropped; the line ending kept as the
// instruction had it). ErrNothing when text is empty or the same.
func (in *Instruction) Replace(text string) ([]byte, error) {
	text = strings.TrimRight(text, "\r\n")
	switch {
	case strings.TrimSpace(text) == "":
		return nil, fmt.Errorf("the edit is empty: %w", ErrNothing)
	case text == in.Text():
		return nil, fmt.Errorf("the instruction is unchanged: %w", ErrNothing)
	}
	ls := lines(in.Source)
	last := ls[in.End-1]
	end := last[len(strings.TrimRight(last, "\r\n")):] // "\n", "\r\n", or "" at the end of the file
	var b strings.Builder
	b.WriteString(strings.Join(ls[:in.Start-1], ""))
	b.WriteString(text)
	b.WriteString(end)
	b.WriteString(strings.Join(ls[in.End:], ""))
	return []byte(b.String()), nil
}

// WriteBack writes edited over the Dockerfile at path, in its place
// (a temp file beside it, renamed over it, the file's mode kept), only
// when the file still holds what the build read (in.Source): a file
// changed on disk since is refused, unchanged.
func (in *Instruction) WriteBack(path string, edited []byte) error {
	now, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s to write the edit back: %w", path, err)
	}
	if !bytes.Equal(now, in.Source) {
		return fmt.Errorf("%s changed on disk since the build read it: the edit is not written back (make it by hand, or build again)", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading %s's mode: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".edit-*")
	if err != nil {
		return fmt.Errorf("writing the edit beside %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // gone once renamed; removed on every other path
	if _, err = tmp.Write(edited); err == nil {
		err = tmp.Chmod(fi.Mode().Perm())
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing the edit to %s: %w", path, err)
	}
	return nil
}

// IsDockerfile says a source map's file is a Dockerfile (BuildKit's
// Dockerfile frontend names the language, or leaves it empty).
func IsDockerfile(si *pb.SourceInfo) bool {
	return si.Language == "Dockerfile" || si.Language == ""
}
