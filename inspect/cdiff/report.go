package cdiff

import (
	"fmt"
	"io"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// Report is the JSON of `buildscope diff --json`.
type Report struct {
	Changes []Change `json:"changes"`
}

// WriteText writes changes as `docker container diff` does, each changed
// text file's unified diff (if any) after its line. Names come from the
// container: they are escaped (model.Printable), so that a name holding
// ESC, BEL or invalid UTF-8 can neither drive the terminal nor forge a
// line; JSON keeps them exactly.
func WriteText(w io.Writer, changes []Change) error {
	for _, c := range changes {
		if _, err := fmt.Fprintln(w, c.Kind.String()+" "+model.Printable(c.Path)); err != nil {
			return fmt.Errorf("writing the diff: %w", err)
		}
		if _, err := io.WriteString(w, printableHeaders(c.Diff)); err != nil {
			return fmt.Errorf("writing the diff: %w", err)
		}
	}
	return nil
}

// Write prints changes as `buildscope diff` does: as a Report in JSON, or
// as `docker container diff` does (WriteText).
func Write(w io.Writer, changes []Change, asJSON bool) error {
	if asJSON {
		return model.WriteJSON(w, Report{Changes: changes})
	}
	return WriteText(w, changes)
}

// printableHeaders escapes the file names in a unified diff's "--- " and
// "+++ " lines, which udiff writes as they are (a name may hold a line
// break): the headers are what comes before the first hunk.
func printableHeaders(diff string) string {
	hunk := strings.Index(diff, "\n@@ ")
	if !strings.HasPrefix(diff, "--- ") || hunk < 0 {
		return diff
	}
	old, cur, ok := strings.Cut(diff[4:hunk], "\n+++ ")
	if !ok {
		return diff
	}
	return "--- " + model.Printable(old) + "\n+++ " + model.Printable(cur) + diff[hunk:]
}
