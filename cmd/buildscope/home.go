package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/compareview"
	"github.com/buildscope/buildscope/tui/home"
)

// runHome is `buildscope` alone on a terminal: the history list. What is
// picked there (a replay, an image, an attach, a comparison) opens in its
// own UI, and the list comes back when it is left.
func runHome(cmd *cobra.Command, g *globals) error {
	ctx := cmd.Context()
	hs, err := buildrun.OpenHistorySource(ctx, buildrun.History{Dir: g.paths.History(), Warn: io.Discard}, g.builder, g.tls)
	if err != nil {
		return err
	}
	defer hs.Close()
	o := home.Options{Title: hs.BuilderName(), Load: hs.Entries, Explain: hs.Explain}
	return home.Run(ctx, cmd.OutOrStdout(), o, func(ch home.Choice) error { return homeChoice(cmd, g, hs, ch) })
}

// homeChoice opens what was picked in the history list.
func homeChoice(cmd *cobra.Command, g *globals, hs *buildrun.HistorySource, ch home.Choice) error {
	row := ch.Rows[0]
	switch ch.Kind {
	case home.ChoiceReplay:
		o, err := hs.Open(cmd.Context(), row)
		if err != nil {
			return err
		}
		defer o.Close()
		return replay(cmd, g, o)
	case home.ChoiceInspect:
		if err := hs.Localize(cmd.Context(), g.paths, row); err != nil {
			return err
		}
		return runInspect(cmd, g, &inspectOptions{}, "build:"+row.ID)
	case home.ChoiceAttach:
		if hs.Builder == nil {
			return fmt.Errorf("build %s runs on a builder this list does not reach: `buildscope attach --builder ADDR %s`", row.ID, row.ID)
		}
		return attachTUI(cmd, hs.Builder, row.ID)
	case home.ChoiceCompare:
		for _, r := range ch.Rows {
			if err := hs.Localize(cmd.Context(), g.paths, r); err != nil {
				return err
			}
		}
		return compareview.Run(cmd.Context(), cmd.OutOrStdout(), "build:"+ch.Rows[0].ID, "build:"+ch.Rows[1].ID, compare.Options{}, source.Options{Paths: g.paths})
	}
	return nil
}
