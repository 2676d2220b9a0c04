package history

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// NotRegularError is a history file that is not a regular file: a FIFO
// (reading it would wait for a writer forever), a symbolic link (to
// /dev/zero, say, which never ends), a device, a socket or a directory.
// The history writes only regular files, so it never follows or reads
// anything else.
type NotRegularError struct {
	Path string
	Kind string
}

// Error names the file and what it is.
func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file: buildscope never writes one, so it is not read", e.Path, e.Kind)
}

// kindOf names a file type.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	default:
		return "not a regular file (" + m.Type().String() + ")"
	}
}

// openRegular opens a file of the history for reading only if it is a
// regular file: it follows no symbolic link and does not wait on a FIFO
// (O_NONBLOCK), and checks the type of what it opened, not of a name that
// may have changed since.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENXIO) {
		if fi, lerr := os.Lstat(path); lerr == nil {
			return nil, &NotRegularError{Path: path, Kind: kindOf(fi.Mode())}
		}
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: path, Kind: kindOf(fi.Mode())}
	}
	return f, nil
}

// maxRecordFile bounds a record file read whole: the largest lists are
// kept apart (FileLists), so a record is far smaller.
const maxRecordFile = 256 << 20

// errTooLarge says a file is larger than a record can be.
var errTooLarge = errors.New("more than a record can be")

// readRegular reads a whole file of the history that openRegular opens,
// up to maxRecordFile bytes.
func readRegular(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxRecordFile {
		return nil, fmt.Errorf("%s is over %d MiB: %w", path, maxRecordFile>>20, errTooLarge)
	}
	return data, nil
}
