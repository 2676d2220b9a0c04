package dockeredit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
)

func readDockerfile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The failed instruction is the whole one as written, whichever of its
// lines the location names: continuation lines (with a comment among
// them), a heredoc's body and terminator, another escape character (the
// parser directive), CRLF line endings and a last line with no newline.
// Replacing it changes those lines only, and the result parses with the
// edit in place.
func TestInstructionAtAndReplace(t *testing.T) {
	for _, c := range []struct {
		file       string
		line       int // a line inside the failed instruction
		start, end int
		text, edit string
		want       string // the Dockerfile after the edit
	}{
		{"continuation.Dockerfile", 5, 3, 6,
			"RUN mkdir -p /out \\\n    # a comment inside the instruction\n    && echo partial > /out/p \\\n    && exit 3",
			"RUN mkdir -p /out \\\n    && exit 0\n",
			"FROM 127.0.0.1:5015/buildscope/busybox\n# build the thing\nRUN mkdir -p /out \\\n    && exit 0\nRUN echo after\n"},
		{"heredoc.Dockerfile", 3, 2, 6, "RUN <<EOT\nset -e\nmkdir -p /out\nexit 3\nEOT",
			"RUN <<EOT\nset -e\nmkdir -p /out\nexit 0\nEOT\n\n",
			"FROM 127.0.0.1:5015/buildscope/busybox\nRUN <<EOT\nset -e\nmkdir -p /out\nexit 0\nEOT\nRUN echo after\n"},
		{"escape.Dockerfile", 4, 3, 4, "RUN echo a `\n    && exit 3", "RUN echo a `\n    && exit 0",
			"# escape=`\nFROM 127.0.0.1:5015/buildscope/busybox\nRUN echo a `\n    && exit 0\nRUN echo \"back\\slash\"\n"},
		{"crlf.Dockerfile", 2, 2, 3, "RUN echo a \\\r\n  && exit 3", "RUN echo a && exit 0\n",
			"FROM 127.0.0.1:5015/buildscope/busybox\r\nRUN echo a && exit 0\r\nRUN echo b"},
		{"crlf.Dockerfile", 4, 4, 4, "RUN echo b", "RUN echo c\n", // the last line, with no newline
			"FROM 127.0.0.1:5015/buildscope/busybox\r\nRUN echo a \\\r\n  && exit 3\r\nRUN echo c"},
	} {
		src := readDockerfile(t, c.file)
		in, err := InstructionAt(c.file, src, c.line)
		if err != nil {
			t.Fatalf("%s:%d: %v", c.file, c.line, err)
		}
		if in.Start != c.start || in.End != c.end || in.Text() != c.text {
			t.Errorf("%s:%d: lines %d-%d %q, want %d-%d %q", c.file, c.line, in.Start, in.End, in.Text(), c.start, c.end, c.text)
		}
		got, err := in.Replace(c.edit)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: replaced (%v):\n%q\nwant:\n%q", c.file, err, got, c.want)
			continue
		}
		again, err := InstructionAt(c.file, got, c.start) // the edited Dockerfile parses, the edit in place
		if err != nil {
			t.Errorf("%s: the edited Dockerfile: %v", c.file, err)
		} else if again.Text() != strings.TrimRight(c.edit, "\r\n") {
			t.Errorf("%s: the edited Dockerfile's instruction on line %d: %q", c.file, c.start, again.Text())
		}
	}
}

// An edit that leaves the instruction as it was, or empties it, is
// nothing to re-run; a line with no instruction is said.
func TestReplaceNothing(t *testing.T) {
	src := readDockerfile(t, "continuation.Dockerfile")
	in, err := InstructionAt("Dockerfile", src, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, edit := range []string{in.Text(), in.Text() + "\n", "", " \n\n"} {
		if _, err := in.Replace(edit); !errors.Is(err, ErrNothing) {
			t.Errorf("edit %q: %v, want ErrNothing", edit, err)
		}
	}
	if _, err := InstructionAt("Dockerfile", src, 2); err == nil { // a comment
		t.Error("line 2 (a comment) has an instruction")
	}
}

// The failed instruction comes from the Dockerfile source BuildKit
// attaches to a step's error (its location's first line), not from a
// guess; an error without one says it is unknown.
func TestFailedInstructionFromTheErrorsSource(t *testing.T) {
	src := readDockerfile(t, "heredoc.Dockerfile")
	err := errdefs.WithSource(errors.New("exit code: 3"), &errdefs.Source{
		Info:   &pb.SourceInfo{Filename: "heredoc.Dockerfile", Data: src, Language: "Dockerfile"},
		Ranges: []*pb.Range{{Start: &pb.Position{Line: 2}, End: &pb.Position{Line: 6}}},
	})
	in, ferr := FailedInstruction(err)
	if ferr != nil || in.Start != 2 || in.End != 6 || in.Name != "heredoc.Dockerfile" {
		t.Fatalf("FailedInstruction: %+v, %v", in, ferr)
	}
	if _, ferr := FailedInstruction(errors.New("exit code: 3")); ferr == nil {
		t.Error("an error without a source names an instruction")
	}
}

// The write-back replaces the file in its place with its mode kept, and
// is refused, the file untouched, when it changed on disk since the
// build read it.
func TestWriteBack(t *testing.T) {
	src := readDockerfile(t, "continuation.Dockerfile")
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := InstructionAt("Dockerfile", src, 3)
	edited, _ := in.Replace("RUN true")
	if err := in.WriteBack(path, edited); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(got) != string(edited) || fi.Mode().Perm() != 0o600 {
		t.Errorf("written back: mode %v:\n%s", fi.Mode(), got)
	}
	if err := in.WriteBack(path, edited); err == nil || !strings.Contains(err.Error(), "changed on disk since the build read it") {
		t.Errorf("a file changed since the build: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".Dockerfile.edit-*")); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
}
