// Package history is buildscope's store of build records: the records,
// each build's events and its large file lists, and what is read from
// them (explain, timeline, doctor).
package history

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// History is the store of build records: one JSON file per build.
type History struct {
	Dir string
	// Warn reports the damaged records that List skips, each once however
	// often the history is listed; nil reports nothing. The caller gives
	// it (cmd: standard error), and copies of a History share it.
	Warn *Warner
	// ListSweepGrace is how old a file list no record names must be before
	// Remove sweeps it away; zero means DefaultListSweepGrace.
	ListSweepGrace time.Duration
	// maxEvents bounds an events file read back (0: MaxEventsBytes;
	// tests take a smaller one)
	maxEvents int64
}

// Warner writes one line per damaged record, once per record: a command
// that lists the history twice says so once.
type Warner struct {
	w    io.Writer
	mu   sync.Mutex
	seen map[string]bool
}

// NewWarner reports damaged records on w.
func NewWarner(w io.Writer) *Warner { return &Warner{w: w, seen: map[string]bool{}} }

// NewID returns a new build ID: 12 random hex digits.
func NewID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (h History) path(id string) string { return filepath.Join(h.Dir, id+".json") }

// Save writes a record atomically: its large file lists first, into the
// history's list store (each distinct list once), then the record, which
// names them. b itself keeps its lists, and takes the schema this
// buildscope writes, so that what is printed of it (--report) is the
// record as saved.
func (h History) Save(b *model.Build) error {
	if err := CheckID(b.ID); err != nil {
		return fmt.Errorf("saving build record: %w", err)
	}
	if err := state.EnsurePrivateDir(h.Dir); err != nil {
		return err
	}
	b.Schema = model.SchemaVersion          // the shape this buildscope writes
	split, lists := model.SplitFileLists(b) // a copy: b keeps its lists
	for _, l := range lists {
		if err := h.FileLists().put(l); err != nil {
			return fmt.Errorf("saving build record %s: %w", b.ID, err)
		}
	}
	data, err := json.MarshalIndent(split, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding build record %s: %w", b.ID, err)
	}
	if err := state.WriteFileAtomic(h.path(b.ID), append(data, '\n'), 0o600); err != nil {
		return err
	}
	if b.Internal != "" {
		return nil // not the user's: build:last stays theirs
	}
	return h.setLast(b)
}

// lastPath names the most recently started build, so that build:last
// does not read the whole history.
func (h History) lastPath() string { return filepath.Join(h.Dir, "last") }

func (h History) setLast(b *model.Build) error {
	unlock, err := state.LockFile(filepath.Join(h.Dir, ".last.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if _, started, err := h.lastID(); err == nil && started.After(b.Started) {
		return nil // a build that started later already recorded itself
	}
	return state.WriteFileAtomic(h.lastPath(), []byte(b.ID+" "+b.Started.Format(time.RFC3339Nano)), 0o600)
}

// lastID reads the pointer: the ID and start of the latest build.
func (h History) lastID() (string, time.Time, error) {
	data, err := readRegular(h.lastPath())
	if err != nil {
		return "", time.Time{}, err
	}
	id, ts, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	return id, t, err
}

func (h History) last() (*model.Build, error) {
	id, _, err := h.lastID()
	if err != nil {
		return nil, err
	}
	return h.read(id)
}

// List returns every readable record of the user's builds, oldest first:
// not those buildscope ran on their behalf (model.Build.Internal, see
// Internal). A damaged record, or one of a newer schema, is reported on
// Warn in one line and skipped, so one bad file does not hide the others.
func (h History) List() ([]*model.Build, error) {
	own, _, err := h.listSplit()
	return own, err
}

// Internal returns the readable records of the builds buildscope ran on
// the user's behalf (stage sizes), oldest first, which List leaves out.
func (h History) Internal() ([]*model.Build, error) {
	_, internal, err := h.listSplit()
	return internal, err
}

func (h History) listSplit() (own, internal []*model.Build, err error) {
	all, damaged, err := h.Scan()
	for _, d := range damaged {
		h.warn(d)
	}
	for _, b := range all {
		if b.Internal != "" {
			internal = append(internal, b)
		} else {
			own = append(own, b)
		}
	}
	return own, internal, err
}

// Scan returns every readable record, oldest first, and the damaged ones.
// It also removes temp files that builds which no longer run left behind.
func (h History) Scan() ([]*model.Build, []*DamagedRecord, error) {
	ids, err := h.ids()
	if err != nil {
		return nil, nil, err
	}
	var out []*model.Build
	var damaged []*DamagedRecord
	for _, id := range ids {
		b, err := h.read(id)
		var d *DamagedRecord
		switch {
		case errors.As(err, &d):
			damaged = append(damaged, d)
		case errors.Is(err, os.ErrNotExist):
			// removed since the directory was read
		case err != nil:
			return nil, nil, err
		default:
			out = append(out, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out, damaged, nil
}

// ids lists the IDs of the record files, cleaning stale temp files on the
// way.
func (h History) ids() ([]string, error) {
	ents, err := os.ReadDir(h.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading history %s: %w", h.Dir, err)
	}
	var ids []string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			h.removeIfStale(e)
			continue
		}
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		ids = append(ids, strings.TrimSuffix(name, ".json"))
	}
	return ids, nil
}

// DamagedRecord is a record file that cannot be decoded: truncated by a
// full disk or a crash, or edited by hand; or one a newer buildscope
// wrote, in a shape this one does not read (Newer), which is not damaged
// and is named as such.
type DamagedRecord struct {
	ID   string
	Path string
	Err  error
}

// Newer says the record is not damaged but of a newer schema: its Err is
// a *model.SchemaError.
func (d *DamagedRecord) Newer() bool {
	var se *model.SchemaError
	return errors.As(d.Err, &se)
}

// Error says which record is damaged, why, and how to remove it; for a
// newer record, model.CheckSchema's line.
func (d *DamagedRecord) Error() string {
	if d.Newer() {
		return d.Err.Error()
	}
	id := model.Printable(d.ID) // a file's name, which buildscope may not have written
	return fmt.Sprintf("build record %s is damaged (%s: %v): `buildscope history rm %s` removes it", id, model.Printable(d.Path), d.Err, id)
}

// Unwrap is why the record could not be read.
func (d *DamagedRecord) Unwrap() error { return d.Err }

// say writes one line on Warn, if it is set.
func (h History) say(format string, args ...any) {
	if wr := h.Warn; wr != nil {
		wr.mu.Lock()
		defer wr.mu.Unlock()
		fmt.Fprintf(wr.w, format+"\n", args...)
	}
}

func (h History) warn(d *DamagedRecord) {
	wr := h.Warn
	if wr == nil {
		return
	}
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if wr.seen[d.Path] {
		return
	}
	wr.seen[d.Path] = true
	fmt.Fprintf(wr.w, "buildscope: skipping %s\n", d.Error())
}

func (h History) read(id string) (*model.Build, error) {
	if err := CheckID(id); err != nil { // a file not written by buildscope
		return nil, &DamagedRecord{ID: id, Path: h.path(id), Err: err}
	}
	data, err := readRegular(h.path(id))
	var nr *NotRegularError
	if errors.As(err, &nr) || errors.Is(err, errTooLarge) {
		return nil, &DamagedRecord{ID: id, Path: h.path(id), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("reading build record %s: %w", id, err)
	}
	var b model.Build
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, &DamagedRecord{ID: id, Path: h.path(id), Err: err}
	}
	if b.ID != id {
		return nil, &DamagedRecord{ID: id, Path: h.path(id), Err: fmt.Errorf("it records build %q", b.ID)}
	}
	if err := model.CheckSchema(&b); err != nil {
		return nil, &DamagedRecord{ID: id, Path: h.path(id), Err: err}
	}
	return &b, nil
}

// Get returns the record with the given ID, unique ID prefix, or "last",
// with the file lists it keeps in the store. A damaged record named by
// its ID is an error saying how to remove it; "last" skips damaged
// records.
func (h History) Get(id string) (*model.Build, error) {
	b, err := h.get(id)
	if err != nil {
		return nil, err
	}
	if err := h.join(b); err != nil {
		return nil, err
	}
	return b, nil
}

func (h History) get(id string) (*model.Build, error) {
	if id != "" && id != "last" {
		full, err := h.resolve(id)
		if err != nil {
			return nil, err
		}
		return h.read(full)
	}
	if b, err := h.last(); err == nil {
		return b, nil
	}
	all, err := h.List()
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, errors.New("no builds recorded yet: run `buildscope build PATH` first")
	}
	return all[len(all)-1], nil
}

// NoBuildError is History's answer for an ID (or prefix) that names no
// record of buildscope's history: it may still name a build of the
// builder's own history (buildx, buildctl, CI), by BuildKit's ref.
type NoBuildError struct {
	ID string
	// Empty says the history holds no record at all.
	Empty bool
}

// Error says that no record matched, and what there is instead.
func (e *NoBuildError) Error() string {
	if e.Empty {
		return fmt.Sprintf("no build %q: no builds recorded yet, run `buildscope build PATH` first (a build of a builder's own history, by buildx or buildctl, opens with --builder ADDR)", e.ID)
	}
	return fmt.Sprintf("no build %q in buildscope's history: `buildscope history ls` lists them (with --builder ADDR, the builder's own builds too, which open with --builder)", e.ID)
}

// resolve turns an ID or unique ID prefix into the ID of a record file,
// whether or not the record can be read.
func (h History) resolve(id string) (string, error) {
	ids, err := h.ids()
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "", &NoBuildError{ID: id, Empty: true}
	}
	var found []string
	for _, x := range ids {
		if x == id {
			return x, nil
		}
		if strings.HasPrefix(x, id) {
			found = append(found, x)
		}
	}
	switch len(found) {
	case 0:
		return "", &NoBuildError{ID: id}
	case 1:
		return found[0], nil
	default:
		return "", fmt.Errorf("build ID %q is ambiguous (%d builds start with it): give more digits", id, len(found))
	}
}

// Remove deletes a record and its events, damaged or not.
func (h History) Remove(id string) (*model.Build, error) {
	var b *model.Build
	if id == "" || id == "last" {
		var err error
		if b, err = h.get(id); err != nil {
			return nil, err
		}
	} else {
		full, err := h.resolve(id)
		if err != nil {
			return nil, err
		}
		var d *DamagedRecord
		if b, err = h.read(full); errors.As(err, &d) {
			b = &model.Build{ID: full}
		} else if err != nil {
			return nil, err
		}
	}
	if err := os.Remove(h.path(b.ID)); err != nil {
		return nil, fmt.Errorf("removing build record %s: %w", b.ID, err)
	}
	if err := os.Remove(h.eventsPath(b.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("removing events of build %s: %w", b.ID, err)
	}
	if last, _, err := h.lastID(); err != nil || last == b.ID {
		_ = os.Remove(h.lastPath())
		if all, err := h.List(); err == nil && len(all) > 0 {
			_ = h.setLast(all[len(all)-1])
		}
	}
	if err := h.sweepLists(); err != nil {
		return nil, fmt.Errorf("removing the file lists only build %s used: %w", b.ID, err)
	}
	return b, nil
}
