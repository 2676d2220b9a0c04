package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
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
	explain := func(ctx context.Context, row model.HistoryRow) (*model.Build, *model.Explanation, error) {
		o, err := hs.Open(ctx, row)
		if err != nil {
			return nil, nil, err
		}
		ex, err := o.Explain()
		return o.Build, ex, err
	}
	var notice, sel, filter string
	for ctx.Err() == nil {
		m := home.New(home.Options{Title: hs.BuilderName(), Load: hs.Entries, Explain: explain, Context: ctx, Notice: notice, Select: sel, Filter: filter})
		if err := common.Run(ctx, cmd.OutOrStdout(), m, nil); err != nil {
			return err
		}
		ch := m.Choice()
		if ch.Kind == home.ChoiceNone {
			return nil
		}
		sel, filter = ch.Rows[0].ID, m.Filter()
		notice = ""
		if err := homeChoice(cmd, g, hs, ch); err != nil {
			notice = err.Error()
		}
	}
	return nil
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
		if o.Build.Origin != nil {
			return replayForeign(cmd, o)
		}
		return replayBuild(cmd, g, hs.History, o.Build)
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
		return runCompareTUI(cmd, "build:"+ch.Rows[0].ID, "build:"+ch.Rows[1].ID, compare.Options{}, source.Options{Paths: g.paths})
	}
	return nil
}
