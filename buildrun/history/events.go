package history

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// eventsPath is where a build's compressed status stream is kept, so the
// UI can replay it (history show).
func (h History) eventsPath(id string) string { return filepath.Join(h.Dir, id+".events.jsonl.gz") }

// EventWriter writes a build's (redacted) status stream as gzip'd JSON
// lines to a temp file, renamed into place when the build ends.
type EventWriter struct {
	f    *os.File
	gz   *gzip.Writer
	enc  *json.Encoder
	dest string
	err  error
}

// NewEventWriter starts recording the events of build id into h, in a
// temporary file that Close moves into place.
func NewEventWriter(h History, id string) (*EventWriter, error) {
	if err := CheckID(id); err != nil {
		return nil, fmt.Errorf("recording build events: %w", err)
	}
	if err := state.EnsurePrivateDir(h.Dir); err != nil {
		return nil, err
	}
	h.cleanTemp()
	f, err := os.CreateTemp(h.Dir, fmt.Sprintf(".%s.events.tmp-pid%d-*", id, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("recording build events: %w", err)
	}
	gz, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	return &EventWriter{f: f, gz: gz, enc: json.NewEncoder(gz), dest: h.eventsPath(id)}, nil
}

// Write records one status event; the first error is kept for Close.
func (w *EventWriter) Write(s *client.SolveStatus) {
	if w.err == nil {
		w.err = w.enc.Encode(s)
	}
}

// Close finishes the file and renames it into place.
func (w *EventWriter) Close() error {
	defer os.Remove(w.f.Name())
	if err := w.gz.Close(); err != nil && w.err == nil {
		w.err = err
	}
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = err
	}
	if w.err != nil {
		return fmt.Errorf("recording build events: %w", w.err)
	}
	return os.Rename(w.f.Name(), w.dest)
}

// staleTempAge is how old a temp file whose writer is unknown must be
// before it is taken for a leftover: atomic writes live for milliseconds.
const staleTempAge = 10 * time.Minute

var tempPID = regexp.MustCompile(`\.tmp-pid([0-9]+)-`)

// cleanTemp removes the temp files of writers that no longer run: the
// events of a build that was killed, an atomic write cut short.
func (h History) cleanTemp() {
	ents, err := os.ReadDir(h.Dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		h.removeIfStale(e)
	}
}

// removeIfStale removes e if it is a temp file (".NAME.tmp…") left by a
// writer that is gone: the process its name records no longer exists, or,
// for names without a pid, it was last written staleTempAge ago. A live
// build's events are never removed.
func (h History) removeIfStale(e os.DirEntry) {
	name := e.Name()
	if !strings.HasPrefix(name, ".") || !strings.Contains(name, ".tmp") || !e.Type().IsRegular() {
		return
	}
	if m := tempPID.FindStringSubmatch(name); m != nil {
		pid, err := strconv.Atoi(m[1])
		if err != nil || pid <= 0 || processExists(pid) {
			return
		}
	} else if fi, err := e.Info(); err != nil || time.Since(fi.ModTime()) < staleTempAge {
		return
	}
	_ = os.Remove(filepath.Join(h.Dir, name))
}

// processExists says whether a process with this pid exists (possibly
// owned by another user).
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// DamagedEvents is an event log that cannot be read to its end:
// truncated by a full disk or a crash, edited, or not a regular file. The
// record itself may be intact: what reads the log keeps the events before
// the damage (Events) and says the log is damaged.
type DamagedEvents struct {
	ID   string
	Path string
	// Read is how many events were read before the damage.
	Read int
	Err  error
}

// Error names the build, the file and the damage.
func (d *DamagedEvents) Error() string {
	return fmt.Sprintf("the event log of build %s is damaged (%s: %v); %d events before the damage are kept", d.ID, d.Path, d.Err, d.Read)
}

// Unwrap is why the log could not be read.
func (d *DamagedEvents) Unwrap() error { return d.Err }

// Warning is what a command that opens the build says of its log.
func (d *DamagedEvents) Warning() model.Warning {
	return model.Warning{Short: fmt.Sprintf("its event log is damaged (%v): only the %d events before the damage are shown; `buildscope history doctor` lists it", d.Err, d.Read)}
}

// Events reads the recorded status stream of a build: nil when it has
// none. A log that cannot be read to its end is a *DamagedEvents error,
// returned with the events read before the damage.
func (h History) Events(id string) ([]*client.SolveStatus, error) {
	p := h.eventsPath(id)
	f, err := openRegular(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	var nr *NotRegularError
	if errors.As(err, &nr) {
		return nil, &DamagedEvents{ID: id, Path: p, Err: errors.New(nr.Kind + ", not a regular file")}
	}
	if err != nil {
		return nil, fmt.Errorf("reading events of build %s: %w", id, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, &DamagedEvents{ID: id, Path: p, Err: err}
	}
	dec := json.NewDecoder(gz)
	var out []*client.SolveStatus
	for {
		var s client.SolveStatus
		if err := dec.Decode(&s); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, &DamagedEvents{ID: id, Path: p, Read: len(out), Err: err}
		}
		out = append(out, &s)
	}
}

// Commit ends the recording of build b: its event log, then its record.
// A log that cannot be finished (a full disk) does not cost the record,
// which is saved with a warning saying the log is missing; a record that
// cannot be saved takes its log with it, so no log is left that no record
// names, and the error says the build was not recorded and why.
func (h History) Commit(b *model.Build, w *EventWriter) error {
	if err := w.Close(); err != nil {
		b.Warnings = append(b.Warnings, model.Warning{Short: fmt.Sprintf("its event log was not kept (%v): `history show` cannot replay it and `trace` cannot lay it out", err)})
	}
	if err := h.Save(b); err != nil {
		_ = os.Remove(h.eventsPath(b.ID))
		return fmt.Errorf("build %s was not recorded: %w", b.ID, err)
	}
	return nil
}
