package debug

import (
	"errors"
	"fmt"
	"testing"

	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
)

// The failed command is printed as a line a shell reads back as the same
// words, and the record's note says what ran and how it ended.
func TestShellLineAndNote(t *testing.T) {
	for args, want := range map[string][]string{
		`/bin/sh -c 'echo a > /x && exit 3'`: {"/bin/sh", "-c", "echo a > /x && exit 3"},
		`sh -c 'it'\''s'`:                    {"sh", "-c", "it's"},
		`ls ''`:                              {"ls", ""},
	} {
		if got := shellLine(want); got != args {
			t.Errorf("shellLine(%q) = %s, want %s", want, got, args)
		}
	}
	s := &Session{}
	if s.Note() != "" {
		t.Errorf("a session that ran nothing notes %q", s.Note())
	}
	s.Ran = &Ran{Step: []string{"/bin/sh", "-c", "make"}, Args: []string{"/bin/sh"}, ExitCode: 2}
	if got, want := s.Note(), "a debug session ran `/bin/sh` in the failed step `/bin/sh -c make` (exit 2)"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}

// A process's status comes from the gateway's exit error, wrapped or not.
func TestExitCode(t *testing.T) {
	for err, want := range map[error]int{
		nil:                          0,
		&gwpb.ExitError{ExitCode: 7}: 7,
		fmt.Errorf("w: %w", &gwpb.ExitError{ExitCode: 3}): 3,
		errors.New("connection lost"):                     255,
	} {
		if got := exitCode(err); got != want {
			t.Errorf("exitCode(%v) = %d, want %d", err, got, want)
		}
	}
}

// debug ends with the process's status when one ran and either it or the
// build failed, else as the build did.
func TestStatus(t *testing.T) {
	built := errors.New("build failed")
	for _, c := range []struct {
		ran      *Ran
		err      error
		code     int
		own      bool
		saysNote bool
	}{
		{nil, nil, 0, false, false},
		{nil, built, 0, false, false},
		{&Ran{Args: []string{"sh"}, ExitCode: 0}, nil, 0, false, false},
		{&Ran{Args: []string{"sh"}, ExitCode: 0}, built, 0, true, false},
		{&Ran{Args: []string{"sh"}, ExitCode: 4}, nil, 4, true, true},
		{&Ran{Args: []string{"sh"}, Step: []string{"make"}, ExitCode: 2}, built, 2, true, false},
	} {
		s := &Session{Ran: c.ran}
		code, err, own := s.Status(c.err)
		if code != c.code || own != c.own || (c.saysNote && (err == nil || err.Error() != s.Note())) || (!c.saysNote && err != c.err) {
			t.Errorf("ran %+v, build %v: code %d, err %v, own %v", c.ran, c.err, code, err, own)
		}
	}
}
