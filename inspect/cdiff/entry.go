// Package cdiff computes what a container changed in its filesystem against
// its image, with the semantics of `docker container diff`: kinds A (added),
// C (changed) and D (deleted), each directory holding a change marked C
// before its contents, deletions of a directory after its other changes.
//
// The core is pure: it compares two filesystem views (FS), the image's and
// the container's. Views come from tar streams (image layers, a `docker
// export` tarball, a layer of changes with whiteouts) or, for a local Docker
// engine, from the overlay directories on disk. Unlike the engine it never
// reports a file that was copied up but is equal in metadata and content,
// and it notices content changes that keep size and mtime.
//
// It also holds the output: `docker container diff`'s lines (WriteText,
// ParseDockerDiff), the JSON Report and content diffs. Producing the views
// from containers (running them, reading the engine's or BuildKit's
// layers) is inspect/cdiffrun's.
package cdiff

import (
	"bytes"
	"io/fs"
	"time"
)

// Entry is the metadata of one filesystem object.
type Entry struct {
	// Path is absolute and clean: "/etc/motd".
	Path string
	// Mode holds the type bits, the permissions and setuid/setgid/sticky,
	// as io/fs reports them.
	Mode fs.FileMode
	// UID and GID own the object.
	UID, GID int
	// Size is the content size of a regular file, the target length of a
	// symlink, and not meaningful for directories.
	Size int64
	// ModTime is the modification time.
	ModTime time.Time
	// Linkname is a symlink's target.
	Linkname string
	// Devmajor and Devminor identify a device node.
	Devmajor, Devminor int64
	// Caps is the security.capability extended attribute, if any.
	Caps []byte
	// Digest is the sha256 of a regular file's content when known.
	Digest string
	// Whiteout marks, in a layer of changes, a path the layer deletes.
	Whiteout bool
	// Opaque marks, in a layer of changes, a directory that hides the
	// contents of the layers below it.
	Opaque bool

	content []byte // kept content of a small regular file
	disk    string // where the content lives on disk, for views on disk
}

// IsDir reports whether e is a directory.
func (e *Entry) IsDir() bool { return e.Mode.IsDir() }

// IsRegular reports whether e is a regular file.
func (e *Entry) IsRegular() bool { return e.Mode.IsRegular() }

// ModeString formats the mode as `ls -l` does: "-rw-r--r--", "drwxr-xr-x",
// "lrwxrwxrwx", with s/S and t/T for setuid, setgid and sticky.
func (e *Entry) ModeString() string {
	m := e.Mode
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	special := func(i int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[i] == '-' {
			b[i] = upper
		} else {
			b[i] = lower
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's', 'S')
	special(6, m&fs.ModeSetgid != 0, 's', 'S')
	special(9, m&fs.ModeSticky != 0, 't', 'T')
	return string(b)
}

// sameFsTime compares modification times as the engine does: equal, or the
// same second when either side lost its nanoseconds to a tar header.
func sameFsTime(a, b time.Time) bool {
	return a.Equal(b) || (a.Unix() == b.Unix() && (a.Nanosecond() == 0 || b.Nanosecond() == 0))
}

// statDifferent is the engine's test for a changed object: type and
// permissions, owner, device numbers, and for non-directories size and
// mtime. Directory size and mtime are not a change: they move whenever an
// entry is added and removed again.
func statDifferent(o, n *Entry) bool {
	if o.Mode != n.Mode || o.UID != n.UID || o.GID != n.GID ||
		o.Devmajor != n.Devmajor || o.Devminor != n.Devminor {
		return true
	}
	if o.IsDir() {
		return false
	}
	return !sameFsTime(o.ModTime, n.ModTime) || o.Size != n.Size || o.Linkname != n.Linkname
}

// sameCaps compares the security.capability attributes.
func sameCaps(o, n *Entry) bool { return bytes.Equal(o.Caps, n.Caps) }
