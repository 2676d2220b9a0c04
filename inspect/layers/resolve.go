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
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		cur := strings.Join(append(done, c), "/")
		id, ok := t.byPath[cur]
		if !ok || !v.Visible(id) {
			return -1, cur, fmt.Errorf("resolving %s: %s: %w", DisplayPath(strings.Trim(p, "/")), DisplayPath(cur), ErrNotFound)
		}
		e, _ := v.at(id)
		if e == nil || e.Change == Removed {
			return -1, cur, fmt.Errorf("resolving %s: %s: %w", DisplayPath(strings.Trim(p, "/")), DisplayPath(cur), ErrNotFound)
		}
		if e.Type != TypeSymlink {
			done = append(done, c)
			continue
		}
		if links++; links > maxLinks {
			return -1, cur, fmt.Errorf("resolving %s: too many levels of symbolic links", DisplayPath(strings.Trim(p, "/")))
		}
		if path.IsAbs(e.Link) {
			done = done[:0]
		}
		todo = append(splitPath(e.Link), todo...)
	}
	final := strings.Join(done, "/")
	return t.byPath[final], final, nil
}

func splitPath(p string) []string { return strings.Split(p, "/") }
