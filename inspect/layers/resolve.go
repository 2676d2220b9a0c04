package layers

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// ErrNotFound is returned by Resolve for a path the view does not show.
var ErrNotFound = errors.New("no such file in the image")

// maxLinks bounds the symlinks Resolve follows, as Linux's ELOOP does.
const maxLinks = 40

// Resolve follows the symlinks of p as the view's filesystem would, with
// the image's root as "/": absolute targets start at the image root and
// ".." stops at it, so no link ever leads outside the image. It returns
// the final node and its path without a leading slash.
func (v *View) Resolve(p string) (NodeID, string, error) {
	t := v.a.t
	todo := splitPath(p)
	var done []string // resolved components
	ids := []NodeID{RootID}
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) > 0 {
				done, ids = done[:len(done)-1], ids[:len(ids)-1]
			}
			continue
		}
		id := t.child(ids[len(ids)-1], c, "", false)
		if id < 0 || !v.Visible(id) {
			cur := strings.Join(append(done, c), "/")
			return -1, cur, fmt.Errorf("resolving %s: %s: %w", DisplayPath(strings.Trim(p, "/")), DisplayPath(cur), ErrNotFound)
		}
		e, _ := v.at(id)
		if e == nil || e.Change == Removed {
			cur := strings.Join(append(done, c), "/")
			return -1, cur, fmt.Errorf("resolving %s: %s: %w", DisplayPath(strings.Trim(p, "/")), DisplayPath(cur), ErrNotFound)
		}
		if e.Type != TypeSymlink {
			done, ids = append(done, c), append(ids, id)
			continue
		}
		if links++; links > maxLinks {
			return -1, t.nodes[id].path, fmt.Errorf("resolving %s: too many levels of symbolic links", DisplayPath(strings.Trim(p, "/")))
		}
		if path.IsAbs(e.Link) {
			done, ids = done[:0], ids[:1]
		}
		todo = append(splitPath(e.Link), todo...)
	}
	final := ids[len(ids)-1]
	return final, t.nodes[final].path, nil
}

func splitPath(p string) []string { return strings.Split(p, "/") }
