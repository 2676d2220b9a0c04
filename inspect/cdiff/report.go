package cdiff

import (
	"fmt"
	"io"

	"github.com/buildscope/buildscope/model"
)

// Report is the JSON of `buildscope diff --json`.
type Report struct {
	Changes []Change `json:"changes"`
}

// WriteText writes changes as `docker container diff` does, each changed
// text file's unified diff (if any) after its line.
func WriteText(w io.Writer, changes []Change) error {
	for _, c := range changes {
		if _, err := fmt.Fprintln(w, c.String()); err != nil {
			return fmt.Errorf("writing the diff: %w", err)
		}
		if _, err := io.WriteString(w, c.Diff); err != nil {
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
