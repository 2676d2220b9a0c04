package compareview

import (
	"context"
	"io"

	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/common"
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
	app := NewApp(Options{A: a, B: b, Session: sess})
	if err := common.Run(ctx, out, app, nil); err != nil {
		return err
	}
	return app.Screen.Err()
}
