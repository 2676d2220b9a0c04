// Package inspectopen is the command that opens a build's image for the
// build UI's inspector (imageopen) and starts its analysis (layersview),
// so that an image the UI no longer wants is released by whoever holds
// it last. The build UI routes Msg back to its inspector.
package inspectopen

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/imageopen"
	"github.com/buildscope/buildscope/tui/layersview"
)

// Msg carries the image opened for the inspector of generation Gen, its
// analysis started, or why it could not be opened.
type Msg struct {
	Gen   int
	Title string
	Infos []layers.LayerInfo
	Sess  *layersview.Session
	Err   error
}

// Open is the command that opens a build's image (an engine build's is
// saved from the engine first) and starts its analysis. When ctx is
// cancelled (the inspector was left meanwhile) or the UI closed its
// images, it releases the image itself.
func Open(ctx context.Context, gen int, id string, open func(context.Context, string) (*imageopen.Inspection, error), images *imageopen.Held) tea.Cmd {
	return func() tea.Msg {
		in, err := open(ctx, id)
		if err != nil {
			return Msg{Gen: gen, Err: err}
		}
		if ctx.Err() != nil {
			if in.Close != nil {
				in.Close()
			}
			return nil
		}
		var sess *layersview.Session
		sess = layersview.Start(ctx, gen, in.Image, func() {
			images.Remove(sess)
			if in.Close != nil {
				in.Close()
			}
		})
		if !images.Add(sess) {
			sess.Release()
			return nil
		}
		return Msg{Gen: gen, Title: in.Title, Infos: in.Infos, Sess: sess}
	}
}
