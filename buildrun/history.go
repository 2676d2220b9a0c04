package buildrun

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/buildscope/buildscope/model"
)

// History is the store of build records: one JSON file per build.
type History struct {
	Dir string
}

// NewID returns a new build ID: 12 random hex digits.
func NewID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (h History) path(id string) string { return filepath.Join(h.Dir, id+".json") }

// Save writes a record atomically.
func (h History) Save(b *model.Build) error {
	if err := ensurePrivateDir(h.Dir); err != nil {
		return err
	}
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding build record %s: %w", b.ID, err)
	}
	if err := writeFileAtomic(h.path(b.ID), append(data, '\n'), 0o600); err != nil {
		return err
	}
	return h.setLast(b)
}

// lastPath names the most recently started build, so that build:last
// does not read the whole history.
func (h History) lastPath() string { return filepath.Join(h.Dir, "last") }

func (h History) setLast(b *model.Build) error {
	unlock, err := lockFile(filepath.Join(h.Dir, ".last.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if _, started, err := h.lastID(); err == nil && started.After(b.Started) {
		return nil // a build that started later already recorded itself
	}
	return writeFileAtomic(h.lastPath(), []byte(b.ID+" "+b.Started.Format(time.RFC3339Nano)), 0o600)
}

// lastID reads the pointer: the ID and start of the latest build.
func (h History) lastID() (string, time.Time, error) {
	data, err := os.ReadFile(h.lastPath())
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

// List returns every record, oldest first.
func (h History) List() ([]*model.Build, error) {
	ents, err := os.ReadDir(h.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading history %s: %w", h.Dir, err)
	}
	var out []*model.Build
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		b, err := h.read(strings.TrimSuffix(name, ".json"))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out, nil
}

func (h History) read(id string) (*model.Build, error) {
	data, err := os.ReadFile(h.path(id))
	if err != nil {
		return nil, fmt.Errorf("reading build record %s: %w", id, err)
	}
	var b model.Build
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("decoding build record %s: %w", h.path(id), err)
	}
	return &b, nil
}

// Get returns the record with the given ID, unique ID prefix, or "last".
func (h History) Get(id string) (*model.Build, error) {
	if id == "" || id == "last" {
		if b, err := h.last(); err == nil {
			return b, nil
		}
	} else if _, err := os.Stat(h.path(id)); err == nil {
		return h.read(id)
	}
	all, err := h.List()
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		if id != "" && id != "last" {
			return nil, fmt.Errorf("no build %q: no builds recorded yet, run `buildscope build PATH` first", id)
		}
		return nil, errors.New("no builds recorded yet: run `buildscope build PATH` first")
	}
	if id == "" || id == "last" {
		return all[len(all)-1], nil
	}
	var found []*model.Build
	for _, b := range all {
		if b.ID == id {
			return b, nil
		}
		if strings.HasPrefix(b.ID, id) {
			found = append(found, b)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no build %q in history: `buildscope history ls` lists them", id)
	case 1:
		return found[0], nil
	default:
		return nil, fmt.Errorf("build ID %q is ambiguous (%d builds start with it): give more digits", id, len(found))
	}
}

// Remove deletes a record.
func (h History) Remove(id string) (*model.Build, error) {
	b, err := h.Get(id)
	if err != nil {
		return nil, err
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
	return b, nil
}
