package buildrun

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/moby/buildkit/client"
)

// eventsPath is where a build's compressed status stream is kept, so the
// UI can replay it (history show).
func (h History) eventsPath(id string) string { return filepath.Join(h.Dir, id+".events.jsonl.gz") }

// eventWriter writes a build's (redacted) status stream as gzip'd JSON
// lines to a temp file, renamed into place when the build ends.
type eventWriter struct {
	f    *os.File
	gz   *gzip.Writer
	enc  *json.Encoder
	dest string
	err  error
}

func newEventWriter(h History, id string) (*eventWriter, error) {
	if err := ensurePrivateDir(h.Dir); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(h.Dir, "."+id+".events.tmp*")
	if err != nil {
		return nil, fmt.Errorf("recording build events: %w", err)
	}
	gz, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	return &eventWriter{f: f, gz: gz, enc: json.NewEncoder(gz), dest: h.eventsPath(id)}, nil
}

func (w *eventWriter) write(s *client.SolveStatus) {
	if w.err == nil {
		w.err = w.enc.Encode(s)
	}
}

// close finishes the file and renames it into place.
func (w *eventWriter) close() error {
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

// Events reads the recorded status stream of a build.
func (h History) Events(id string) ([]*client.SolveStatus, error) {
	f, err := os.Open(h.eventsPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading events of build %s: %w", id, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("reading events of build %s: %w", id, err)
	}
	dec := json.NewDecoder(gz)
	var out []*client.SolveStatus
	for {
		var s client.SolveStatus
		if err := dec.Decode(&s); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, fmt.Errorf("reading events of build %s: %w", id, err)
		}
		out = append(out, &s)
	}
}
