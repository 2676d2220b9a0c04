package history

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/buildscope/buildscope/model"
)

// Doctor writes the damaged records of h to w and, with fix, removes
// them; it returns how many were damaged (and are left, without fix).
// Records of a newer schema are named, and never removed: they are not
// damaged. Besides records it finds damaged event logs (truncated, or
// not regular files: a FIFO, a link to a device), whose records are kept
// when they are fixed, and event logs no record names.
func (h History) Doctor(w io.Writer, fix bool) (int, error) {
	good, all, err := h.Scan()
	if err != nil {
		return 0, err
	}
	var damaged []*DamagedRecord
	for _, d := range all {
		if d.Newer() {
			fmt.Fprintf(w, "newer: %s (%s)\n", d.ID, d.Err)
			continue
		}
		damaged = append(damaged, d)
	}
	for _, d := range damaged {
		if !fix {
			fmt.Fprintf(w, "damaged: %s (%s: %v)\n", model.Printable(d.ID), model.Printable(d.Path), d.Err)
			continue
		}
		if _, err := h.Remove(d.ID); err != nil {
			return len(damaged), err
		}
		fmt.Fprintf(w, "removed damaged record %s (%v)\n", model.Printable(d.ID), d.Err)
	}
	logs, err := h.eventProblems(good)
	if err != nil {
		return len(damaged), err
	}
	for _, p := range logs {
		if !fix {
			fmt.Fprintf(w, "damaged: %s\n", p.what)
			continue
		}
		if err := os.Remove(p.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return len(damaged) + len(logs), fmt.Errorf("removing %s: %w", p.path, err)
		}
		fmt.Fprintf(w, "removed %s\n", p.what)
	}
	fmt.Fprintf(w, "%d records readable, %d damaged", len(good), len(damaged))
	if n := len(all) - len(damaged); n > 0 {
		fmt.Fprintf(w, ", %d of a newer schema", n)
	}
	if len(logs) > 0 {
		fmt.Fprintf(w, ", %d event logs damaged or orphaned", len(logs))
	}
	fmt.Fprintln(w)
	return len(damaged) + len(logs), nil
}

// eventProblem is an event log doctor reports: its path and what is wrong.
type eventProblem struct{ path, what string }

// eventsSuffix ends the name of every event log.
const eventsSuffix = ".events.jsonl.gz"

// eventProblems reads the event log of every readable record to its end,
// and lists the logs no record names (older than staleTempAge: a build
// renames its log into place just before it saves its record).
func (h History) eventProblems(good []*model.Build) ([]eventProblem, error) {
	var out []eventProblem
	for _, b := range good {
		if _, err := h.Events(b.ID); err != nil {
			var d *DamagedEvents
			if !errors.As(err, &d) {
				return nil, err
			}
			out = append(out, eventProblem{d.Path, fmt.Sprintf("event log of build %s (%s: %v; the record is intact)", b.ID, d.Path, d.Err)})
		}
	}
	ents, err := os.ReadDir(h.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading history %s: %w", h.Dir, err)
	}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), eventsSuffix)
		if !ok || strings.HasPrefix(id, ".") {
			continue
		}
		if _, err := os.Lstat(h.path(id)); !errors.Is(err, os.ErrNotExist) {
			continue // a record, readable or not, names it
		}
		if fi, err := e.Info(); err != nil || time.Since(fi.ModTime()) < staleTempAge {
			continue
		}
		p := filepath.Join(h.Dir, e.Name())
		out = append(out, eventProblem{p, fmt.Sprintf("event log %s that no record names (orphaned)", model.Printable(p))})
	}
	return out, nil
}
