package source

import (
	"fmt"
	"strings"

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

// escapeSpec is err with every raw occurrence of spec in its message
// escaped (a path holding an escape sequence, quoted by a library's
// error); err itself when spec needs no escaping. It unwraps to err.
func escapeSpec(err error, spec string) error {
	shown := model.Printable(spec)
	if shown == spec || spec == "" {
		return err
	}
	return &outsideError{msg: strings.ReplaceAll(err.Error(), spec, shown), err: err}
}
