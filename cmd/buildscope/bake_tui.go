package main

import (
	"context"
	"os"

	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/buildui"
)

// runBakeTUI runs the bake under the live build UI: the stages of every
// target, those they share drawn once, and a node per target. plan is the
// one Dockerfile's (Bake.OnePlan).
func runBakeTUI(cmd *cobra.Command, g *globals, b *buildrun.Builder, bk *buildrun.Bake, plan *model.Plan) (map[string]*model.Build, error) {
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	first := bk.Targets[0]
	df, _ := os.ReadFile(first.DockerfileAbs)
	var targets []buildui.BakeTarget
	for _, t := range bk.Targets {
		targets = append(targets, buildui.BakeTarget{Name: t.Name, Stage: t.Target})
	}
	ch := make(chan *client.SolveStatus, 256)
	m := buildui.New(buildui.Options{
		Title: first.ContextAbs, Builder: b.Name(), Plan: plan, Dockerfile: df,
		Events: ch, Cancel: cancel, Context: cmd.Context(), Targets: targets,
	})
	var recs map[string]*model.Build
	limitMemory()
	_, err := m.RunLive(ctx, cancel, cmd.OutOrStdout(), ch, func() (*model.Build, error) {
		var err error
		recs, err = buildrun.RunBake(ctx, b, bk, g.paths, func(_ string, s *client.SolveStatus) { ch <- s })
		return nil, err
	})
	return recs, err
}
