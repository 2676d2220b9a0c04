package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/layersview"
)

// runInspectTUI opens the interactive inspector: the layer list at once,
// the trees as the analysis streams in.
func runInspectTUI(cmd *cobra.Command, spec string, img *source.Image) error {
	infos, err := layers.Describe(img)
	if err != nil {
		return fmt.Errorf("inspecting %s: %w", spec, err)
	}
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	sess := layersview.Start(ctx, 0, img, nil) // the caller closes img
	defer sess.Release()
	app := layersview.NewApp(layersview.Options{Title: spec, Infos: infos, Session: sess})
	return common.Run(ctx, cmd.OutOrStdout(), app, nil)
}

// inspector opens a build's image for the build UI's inspector.
func inspector(g *globals) func(context.Context, string) (*buildui.Inspection, error) {
	return func(ctx context.Context, id string) (*buildui.Inspection, error) {
		return buildui.OpenImage(ctx, "build:"+id, source.Options{Paths: g.paths})
	}
}
