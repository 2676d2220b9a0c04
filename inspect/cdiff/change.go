package cdiff

import (
	"encoding/json"
	"path"
	"sort"

	"github.com/buildscope/buildscope/model"
)

// Kind is what happened to a path: Added, Changed or Deleted.
type Kind byte

// The kinds, printed as `docker container diff` prints them.
const (
	Added   Kind = 'A'
	Changed Kind = 'C'
	Deleted Kind = 'D'
)

// String is "A", "C" or "D".
func (k Kind) String() string { return string(rune(k)) }

// MarshalText makes a Kind a JSON string.
func (k Kind) MarshalText() ([]byte, error) { return []byte{byte(k)}, nil }

// Change is one line of the diff.
type Change struct {
	Kind Kind
	Path string
	// Old is the object in the image (nil for Added); New the one in the
	// container (nil for Deleted).
	Old, New *Entry
	// Diff is a unified diff of a text file's content, when asked for
	// with AddContentDiffs.
	Diff string
}

// String is the change as `docker container diff` prints it: "A /tmp/x".
func (c Change) String() string { return c.Kind.String() + " " + c.Path }

// SizeBytes is the size of the new object, or for a deletion the size of
// what was deleted (for a directory, the regular files it held, when the
// deletion's size was computed with DeletedSizes).
func (c Change) SizeBytes() int64 {
	if c.New != nil {
		if c.New.IsDir() {
			return 0
		}
		return c.New.Size
	}
	if c.Old != nil {
		return c.Old.Size
	}
	return 0
}

// jsonChange is the JSON shape of a Change (DESIGN.md's diff --json).
type jsonChange struct {
	Kind         Kind   `json:"kind"`
	Path         string `json:"path"`
	SizeBytes    int64  `json:"size_bytes"`
	OldSizeBytes *int64 `json:"old_size_bytes,omitempty"`
	OldMode      string `json:"old_mode,omitempty"`
	NewMode      string `json:"new_mode,omitempty"`
	Diff         string `json:"diff,omitempty"`
}

// MarshalJSON writes {"kind","path","size_bytes","old_size_bytes",
// "old_mode","new_mode","diff"}; modes as `ls -l` prints them.
func (c Change) MarshalJSON() ([]byte, error) {
	j := jsonChange{Kind: c.Kind, Path: model.JSONName(c.Path), SizeBytes: c.SizeBytes(), Diff: c.Diff}
	if c.Old != nil {
		j.OldMode = c.Old.ModeString()
		if c.New != nil && !c.Old.IsDir() {
			s := c.Old.Size
			j.OldSizeBytes = &s
		}
	}
	if c.New != nil {
		j.NewMode = c.New.ModeString()
	}
	return json.Marshal(j)
}

// Filter keeps the changes whose path, or a directory above it, matches
// one of the path.Match patterns ("/tmp", "/etc/*.conf"). No patterns keep
// everything.
func Filter(changes []Change, patterns []string) []Change {
	if len(patterns) == 0 {
		return changes
	}
	var out []Change
	for _, c := range changes {
		if matchAny(c.Path, patterns) {
			out = append(out, c)
		}
	}
	return out
}

func matchAny(p string, patterns []string) bool {
	for q := p; ; q = path.Dir(q) {
		for _, pat := range patterns {
			if ok, _ := path.Match(Clean(pat), q); ok {
				return true
			}
		}
		if q == "/" {
			return false
		}
	}
}

// DeletedSizes sets the size of each deleted directory to the total size of
// the regular files it held in old.
func DeletedSizes(old FS, changes []Change) {
	for i, c := range changes {
		if c.Kind == Deleted && c.Old != nil && c.Old.IsDir() {
			e := *c.Old
			e.Size = treeSize(old, c.Path)
			changes[i].Old = &e
		}
	}
}

func treeSize(f FS, p string) int64 {
	names, err := f.ReadDir(p)
	if err != nil {
		return 0
	}
	var total int64
	for _, n := range names {
		c := path.Join(p, n)
		e, err := f.Lstat(c)
		switch {
		case err != nil:
		case e.IsDir():
			total += treeSize(f, c)
		case e.IsRegular():
			total += e.Size
		}
	}
	return total
}

func sortStrings(s []string) { sort.Strings(s) }
