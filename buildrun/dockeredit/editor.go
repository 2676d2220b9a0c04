package dockeredit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
