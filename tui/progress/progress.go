// Package progress picks how a build's progress is shown without the
// interactive UI and shows it with BuildKit's own displays (plain, tty,
// or one SolveStatus JSON object per line).
package progress

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
)

// Mode reads a --progress value: auto (the interactive UI on a terminal,
// else plain), tty (the interactive UI; needs a terminal), plain or json.
// terminal says whether stdin and stdout are a terminal.
func Mode(s string, terminal bool) (interactive bool, mode progressui.DisplayMode, err error) {
	switch s {
	case "auto", "":
		if terminal {
			return true, progressui.TtyMode, nil
		}
		return false, progressui.PlainMode, nil
	case "tty":
		if !terminal {
			return false, "", errors.New("--progress tty needs a terminal on stdin and stdout: use --progress plain or json")
		}
		return true, progressui.TtyMode, nil
	case "plain":
		return false, progressui.PlainMode, nil
	case "json", "rawjson":
		return false, progressui.RawJSONMode, nil
	}
	return false, "", fmt.Errorf("invalid --progress %q: use auto, tty, plain or json", s)
}

// Show calls run with BuildKit's display in mode fed by the statuses run
// reports: JSON goes to stdout, the others to stderr. The display keeps
// drawing after ctx is canceled, to show where the build stopped.
func Show(ctx context.Context, stdout, stderr io.Writer, mode progressui.DisplayMode, run func(onStatus func(*client.SolveStatus)) error) error {
	out := stderr
	if mode == progressui.RawJSONMode {
		out = stdout
	}
	disp, err := progressui.NewDisplay(out, mode)
	if err != nil {
		return fmt.Errorf("progress output: %w", err)
	}
	ch := make(chan *client.SolveStatus, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = disp.UpdateFrom(context.WithoutCancel(ctx), ch)
	}()
	err = run(func(s *client.SolveStatus) { ch <- s })
	close(ch)
	<-done
	return err
}
