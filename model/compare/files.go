package compare

import (
	"fmt"
	"sort"
	"strings"
)

// FileChange is a path that differs between two images' filesystems.
type FileChange struct {
	Path string `json:"path"`
	// Kind is A (only in B), D (only in A) or C (in both, changed).
	Kind string `json:"kind"`
	// What changed, for C: content, size, mode, owner, link, type.
	What  []string `json:"what,omitempty"`
	Size  [2]int64 `json:"size_bytes"`
	Layer [2]int   `json:"layer"` // the layer that last wrote it, -1 where absent
	// Step is the instruction that made that layer on each side.
	Step [2]string `json:"created_by"`
	// Diff is a unified diff of a text file's content (compare --content).
	Diff string `json:"diff,omitempty"`
}

// DirChange sums the file changes under one top-level directory.
type DirChange struct {
	Path    string `json:"path"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Changed int    `json:"changed"`
	// Delta is B's bytes minus A's under the directory.
	Delta int64 `json:"delta_bytes"`
}

// DiffFiles lists what differs between filesystems a and b, by path, and
// sums it per top-level directory. createdBy names each side's layers.
// Directories count only when one side lacks them or their mode or owner
// differ; a path whose content is equal and that moved to another layer
// is not a change.
func DiffFiles(a, b FileSet, createdBy [2][]string) ([]FileChange, []DirChange) {
	var out []FileChange
	for p, ea := range a {
		var pb *FileEntry
		if eb, ok := b[p]; ok {
			pb = &eb
		}
		if c, ok := DiffEntry(p, &ea, pb, createdBy); ok {
			out = append(out, c)
		}
	}
	for p, eb := range b {
		if _, ok := a[p]; !ok {
			c, _ := DiffEntry(p, nil, &eb, createdBy)
			out = append(out, c)
		}
	}
	SortChanges(out)
	return out, SumDirs(out)
}

// DiffEntry compares path p as a holds it with p as b holds it (nil where
// absent): ok is false when they are equal, or both absent. createdBy
// names each side's layers.
func DiffEntry(p string, a, b *FileEntry, createdBy [2][]string) (c FileChange, ok bool) {
	c = FileChange{Path: p, Layer: [2]int{-1, -1}}
	switch {
	case a == nil && b == nil:
		return c, false
	case a == nil:
		c.Kind = "A"
	case b == nil:
		c.Kind = "D"
	default:
		if c.What = entryDiff(*a, *b); len(c.What) == 0 {
			return c, false
		}
		c.Kind = "C"
	}
	for side, e := range [2]*FileEntry{a, b} {
		if e == nil {
			continue
		}
		c.Size[side], c.Layer[side] = e.Size, e.Layer
		if e.Layer >= 0 && e.Layer < len(createdBy[side]) {
			c.Step[side] = createdBy[side][e.Layer]
		}
	}
	return c, true
}

// SortChanges sorts changes by path.
func SortChanges(changes []FileChange) {
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
}

// SumDirs sums changes per top-level directory, the largest size change
// first (then in the order of changes).
func SumDirs(changes []FileChange) []DirChange {
	dirs := map[string]*DirChange{}
	var order []string
	for _, c := range changes {
		top := topDir(c.Path)
		d := dirs[top]
		if d == nil {
			d = &DirChange{Path: top}
			dirs[top] = d
			order = append(order, top)
		}
		switch c.Kind {
		case "A":
			d.Added++
		case "D":
			d.Removed++
		default:
			d.Changed++
		}
		d.Delta += c.Size[1] - c.Size[0]
	}
	sums := make([]DirChange, 0, len(order))
	for _, k := range order {
		sums = append(sums, *dirs[k])
	}
	sort.SliceStable(sums, func(i, j int) bool { return abs64(sums[i].Delta) > abs64(sums[j].Delta) })
	return sums
}

func entryDiff(a, b FileEntry) []string {
	var what []string
	if a.Dir != b.Dir {
		return []string{"type"}
	}
	if !a.Dir {
		if a.Digest != b.Digest {
			what = append(what, "content")
		}
		if a.Size != b.Size {
			what = append(what, "size")
		}
		if a.Link != b.Link {
			what = append(what, "link")
		}
	}
	if a.Mode != b.Mode {
		what = append(what, "mode")
	}
	if a.UID != b.UID || a.GID != b.GID {
		what = append(what, "owner")
	}
	return what
}

func topDir(p string) string {
	p = strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return "/" + p[:i]
	}
	return "/" + p
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// String is the change as a line: "C /etc/app.conf (content, size)".
func (c FileChange) String() string {
	if len(c.What) == 0 {
		return fmt.Sprintf("%s %s", c.Kind, c.Path)
	}
	return fmt.Sprintf("%s %s (%s)", c.Kind, c.Path, strings.Join(c.What, ", "))
}
