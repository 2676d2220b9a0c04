package cdiff

import (
	"context"
	"fmt"
	"io"

	"github.com/buildscope/buildscope/buildrun/engine"
)

// Report is the JSON of `buildscope diff --json`.
type Report struct {
	Changes []Change `json:"changes"`
}

// ContainerChanges diffs the Docker engine's container name (running or
// stopped) against its image; o.Method and o.Content apply.
func ContainerChanges(ctx context.Context, name string, o RunOptions) (*Result, error) {
	dc, err := engine.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer dc.Close()
	return (&EngineRunner{Docker: dc}).Changes(ctx, name, o)
}

// Select returns the changes under the glob patterns (all of them when
// there are none), with unified diffs of added and changed text files
// when content is set and the result still holds the two views.
func (r *Result) Select(patterns []string, content bool) []Change {
	changes := Filter(r.Changes, patterns)
	if content && r.Old != nil && r.New != nil {
		AddContentDiffs(r.Old, r.New, changes)
	}
	if changes == nil {
		changes = []Change{}
	}
	return changes
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
