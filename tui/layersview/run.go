package layersview

import (
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
)

// Run shows the standalone inspector of img (titled title) on out until
// the user quits: the layer list at once, the trees as the analysis
// streams in. The caller closes img.
func Run(ctx context.Context, out io.Writer, title string, img v1.Image) error {
	infos, err := layers.Describe(img)
	if err != nil {
		return fmt.Errorf("inspecting %s: %w", title, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sess := Start(ctx, 0, img, nil)
	defer sess.Release()
	return common.Run(ctx, out, NewApp(Options{Title: title, Infos: infos, Session: sess}), nil)
}
