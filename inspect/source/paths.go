package source

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// looksLikePath says whether spec, which names nothing on disk, was meant
// as a path rather than an image reference: it is written as one (see
// pathLike), or its first directory exists here (out/layot when out/
// exists). Such a spec is never looked up in a registry: a typo must not
// become a Docker Hub request.
func looksLikePath(s Spec) bool {
	if s.Kind == SpecPath {
		return true
	}
	if first, _, ok := strings.Cut(s.Raw, "/"); ok && first != "" {
		if _, err := os.Stat(first); err == nil {
			return true
		}
	}
	return false
}

// statProblem says why a path cannot be opened, for messages.
func statProblem(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, syscall.ENOTDIR):
		return "does not exist (a part of it is a file, not a directory)"
	case errors.As(err, &pe):
		return "cannot be read (" + pe.Err.Error() + ")"
	}
	return "cannot be read (" + err.Error() + ")"
}

// fileKind names a file type that is not a regular file, for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file (" + m.String() + ")"
}
