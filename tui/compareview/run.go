package compareview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/source"
)

// Run shows the interactive comparison of images a and b on out until
// the user quits; it reads the images in the background (a file's diff
// when it is opened, whatever o.Content says) and releases them when the
// program ends. The comparison's own error, if it failed, is returned.
func Run(ctx context.Context, out io.Writer, a, b string, o compare.Options, so source.Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	o.Content = false
	sess := Start(ctx, 0, a, b, o, so)
	defer sess.Release()
	log.SetOutput(io.Discard)
	app := NewApp(Options{A: a, B: b, Session: sess})
	if _, err := tea.NewProgram(app, tea.WithContext(ctx), tea.WithOutput(out)).Run(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("running the UI: %w", err)
	}
	return app.Err()
}
