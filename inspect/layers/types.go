package layers

import (
	"io/fs"

	"github.com/buildscope/buildscope/model"
)

// NodeID names one path of the image: every path any layer ever held has
// one, stable for the whole Analysis. The root directory is RootID.
type NodeID int32

// RootID is the image's root directory "/".
const RootID NodeID = 0

// Change is what a layer did to a path.
type Change uint8

// Changes a layer makes to a path, and Unmodified for a path the selected
// layer did not touch.
const (
	Unmodified Change = iota
	Added
	Modified
	Removed
)

// String is the change's name: "unmodified", "added", "modified", "removed".
func (c Change) String() string {
	switch c {
	case Added:
		return "added"
	case Modified:
		return "modified"
	case Removed:
		return "removed"
	}
	return "unmodified"
}

// Type is the kind of file a path is.
type Type uint8

// File types found in layer tars.
const (
	TypeRegular Type = iota
	TypeDir
	TypeSymlink
	TypeHardlink
	TypeCharDevice
	TypeBlockDevice
	TypeFIFO
)

// String is the type's name as JSON shows it.
func (t Type) String() string {
	switch t {
	case TypeDir:
		return "dir"
	case TypeSymlink:
		return "symlink"
	case TypeHardlink:
		return "hardlink"
	case TypeCharDevice:
		return "char"
	case TypeBlockDevice:
		return "block"
	case TypeFIFO:
		return "fifo"
	}
	return "file"
}

// Entry is one path a layer added, modified or removed.
type Entry struct {
	// Node is the path's ID in the Analysis.
	Node NodeID
	// Path is the path without a leading slash ("etc/passwd"). It holds the
	// tar's bytes as they are, which need not be UTF-8: see DisplayPath.
	Path string
	// Change is Added, Modified or Removed.
	Change Change
	// Type is the file type (for Removed: the type of what was removed).
	Type Type
	// Implicit marks an entry the tar did not hold itself: a parent
	// directory it implied, or a path hidden because a whiteout or an
	// opaque directory removed one of its ancestors.
	Implicit bool
	// Mode is the permission and special bits (setuid, sticky…), with the
	// file type bits of io/fs.
	Mode fs.FileMode
	// UID and GID own the file.
	UID, GID uint32
	// Size is the content size of a regular file; for Removed, the size of
	// what was removed; 0 for everything else (a hard link shares the size
	// of its target and adds no bytes).
	Size int64
	// Link is a symlink's target (never followed outside the image) or a
	// hard link's target path.
	Link string
	// DevMajor and DevMinor number a device node.
	DevMajor, DevMinor uint32

	content int32 // content this path shows (regular files, hard links); -1 none
}

// Layer is what one layer holds and did, once analysed.
type Layer struct {
	LayerInfo
	// SizeBytes is the content bytes the layer adds (regular files), as
	// `docker history` counts a layer's size.
	SizeBytes int64
	// TarBytes is the length of the layer's uncompressed tar stream.
	TarBytes int64
	// Added, Modified and Removed count the paths the layer changed,
	// including implied parent directories and paths hidden by removing
	// a directory.
	Added, Modified, Removed int
	// Entries are the layer's changes, in tar order. Two or more new
	// directories a member's name implies, with nothing else below them
	// yet, are one entry (the last one's) until the tree is first walked
	// (Analysis.View or Lookup) or a later member names one of them: then
	// each has its own, in place. Added counts them all from the start.
	// Read Entries once Analyze has returned, from the goroutine that
	// walks the tree.
	Entries []Entry
}

// Inefficiency is a path whose bytes are stored by some layer but not
// visible in the final image (overwritten, or removed later).
type Inefficiency struct {
	// Path is the path without a leading slash.
	Path string
	// Count is the number of layers that hold the path (adding, changing
	// or removing it).
	Count int
	// WastedBytes is the size of every copy of the path that the final
	// image does not show, each counted once.
	WastedBytes int64
}

// DisplayPath renders p for people and JSON: with a leading slash, valid
// UTF-8 as is, every byte of an invalid sequence as \xNN, so distinct
// names stay distinct.
func DisplayPath(p string) string {
	return "/" + model.JSONName(p)
}
