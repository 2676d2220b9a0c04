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

// MaxEventsBytes bounds a build's event log: its file on disk and what it
// holds decompressed. A build's log is its steps' status and output,
// megabytes for most builds (the UI keeps 256 KiB of output a step); a
// log over the bound is refused in one line, where reading it whole took
// 45 s and 4.1 GB for 2 GiB.
const MaxEventsBytes = 1 << 30

// maxEventsBytes is the bound on an events file h reads back.
func (h History) maxEventsBytes() int64 {
	if h.maxEvents > 0 {
		return h.maxEvents
	}
	return MaxEventsBytes
}

// Events reads the recorded status stream of a build: nil when it has
// none. A log that cannot be read to its end is a *DamagedEvents error,
// returned with the events read before the damage.
func (h History) Events(id string) ([]*client.SolveStatus, error) {
	var out []*client.SolveStatus
	err := readEvents(h, id, func(s *client.SolveStatus) { out = append(out, s) })
	return out, err
}

// vertexesOnly is a status event decoded for its vertices alone: the
// logs and statuses, most of a log's bytes, are skipped, not kept.
type vertexesOnly struct {
	Vertexes []*client.Vertex `json:"vertexes"`
}

// Vertexes reads the vertices of a build's recorded status stream, one
// event at a time, keeping nothing else: what a timeline needs. Damage is
// reported as Events reports it, with the vertices read before it.
func (h History) Vertexes(id string) ([]*client.SolveStatus, error) {
	var out []*client.SolveStatus
	err := readEvents(h, id, func(s *vertexesOnly) {
		if len(s.Vertexes) > 0 {
			out = append(out, &client.SolveStatus{Vertexes: s.Vertexes})
		}
	})
	return out, err
}

// readEvents decodes a build's event log one event at a time into fn,
// within MaxEventsBytes; no log is not an error (fn is never called). A
// log that cannot be read to its end is a *DamagedEvents error, after fn
// had the events before the damage.
func readEvents[T any](h History, id string, fn func(*T)) error {
	path := h.eventsPath(id)
	f, err := openRegular(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var nr *NotRegularError
	if errors.As(err, &nr) {
		return &DamagedEvents{ID: id, Path: path, Err: errors.New(nr.Kind + ", not a regular file")}
	}
	if err != nil {
		return fmt.Errorf("reading events of build %s: %w", id, err)
	}
	defer f.Close()
	maxEventsBytes := h.maxEventsBytes()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > maxEventsBytes {
		return tooLarge(id, path, fi.Size(), maxEventsBytes)
	}
	gz, err := gzip.NewReader(bufio.NewReader(io.LimitReader(f, maxEventsBytes+1)))
	if err != nil {
		return &DamagedEvents{ID: id, Path: path, Err: err}
	}
	lim := &limitedReader{r: gz, left: maxEventsBytes}
	dec := json.NewDecoder(lim)
	for n := 0; ; n++ {
		var s T
		if err := dec.Decode(&s); err == io.EOF {
			return nil
		} else if lim.over {
			return tooLarge(id, path, -1, maxEventsBytes)
		} else if err != nil {
			return &DamagedEvents{ID: id, Path: path, Read: n, Err: err}
		}
		fn(&s)
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

func tooLarge(id, path string, size, maxEventsBytes int64) error {
	what := fmt.Sprintf("holds over %d bytes decompressed", maxEventsBytes)
	if size >= 0 {
		what = fmt.Sprintf("is %d bytes", size)
	}
	return fmt.Errorf("reading events of build %s: %s %s, over the bound of %d bytes: not read (a build's events are megabytes; this log was not written by a build, or its steps printed over a GiB)", id, path, what, maxEventsBytes)
}

// limitedReader reads at most left bytes and then says it is over.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 && err != nil {
			return 0, err // the end, exactly at the bound
		}
		l.over = true
		return 0, errors.New("over the bound")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
