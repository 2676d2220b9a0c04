package source

import (
	"fmt"

	"github.com/buildscope/buildscope/model"
)

// outsideError is an error whose message quotes what an image's author
// wrote (a file name in a docker save manifest.json, a media type):
// escaped as model.Printable does, so it stays one line and cannot reach
// the terminal as escape sequences. It unwraps to the original.
type outsideError struct {
	msg string
	err error
}

func (e *outsideError) Error() string { return e.msg }
func (e *outsideError) Unwrap() error { return e.err }

// wrapOutside is fmt.Errorf(format+": %w", args..., err) with err's
// message escaped.
func wrapOutside(err error, format string, args ...any) error {
	return &outsideError{msg: fmt.Sprintf(format, args...) + ": " + model.Printable(err.Error()), err: err}
}
