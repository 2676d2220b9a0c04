package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/preview"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/buildui"
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
	start, next := layersview.Analyze(ctx, img)
	app := layersview.NewApp(layersview.Options{Title: spec, Infos: infos,
		Preview: func(layer int, p string) (string, error) { return preview.Text(img, layer, p) }}, start, next)
	log.SetOutput(io.Discard)
	if _, err := tea.NewProgram(app, tea.WithContext(ctx), tea.WithOutput(cmd.OutOrStdout())).Run(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("running the UI: %w", err)
	}
	return nil
}

// inspector opens a build's image for the build UI's inspector.
func inspector(cmd *cobra.Command, g *globals) func(string) (*buildui.Inspection, error) {
	return func(id string) (*buildui.Inspection, error) {
		spec := "build:" + id
		img, err := source.Open(cmd.Context(), spec, source.Options{Paths: g.paths})
		if err != nil {
			return nil, err
		}
		infos, err := layers.Describe(img)
		if err != nil {
			img.Close()
			return nil, fmt.Errorf("inspecting %s: %w", spec, err)
		}
		start, next := layersview.Analyze(cmd.Context(), img)
		return &buildui.Inspection{Title: spec, Infos: infos, Start: start, Next: next,
			Preview: func(layer int, p string) (string, error) { return preview.Text(img, layer, p) }}, nil
	}
}
