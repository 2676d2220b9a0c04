package main

import (
	"context"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/stagesize"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/common"
)

// runBuildTUI runs the build under the interactive UI. Ctrl-C (or q)
// cancels the build; the UI quits once BuildKit reports it stopped.
func runBuildTUI(cmd *cobra.Command, g *globals, b *buildrun.Builder, p *buildrun.Prepared, logCap int) (*model.Build, error) {
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	df, _ := os.ReadFile(p.DockerfileAbs)
	ch := make(chan *client.SolveStatus, 256)
	m := buildui.New(buildui.Options{
		Title: p.ContextAbs, Builder: b.Name(), Plan: p.Plan, Dockerfile: df, Target: p.Target,
		LogCap: logCap, Events: ch, Cancel: cancel, Context: cmd.Context(),
		Why: explainer(g), Stages: stageMeasurer(g, b, p), Diff: imageDiffer(g), Inspect: inspector(g),
	})
	limitMemory()
	return m.RunLive(ctx, cancel, cmd.OutOrStdout(), ch, func() (*model.Build, error) {
		return buildrun.Run(ctx, b, p, g.paths, func(s *client.SolveStatus) { ch <- s })
	})
}

// memoryLimit is the Go heap limit the build UI runs under (unless
// GOMEMLIMIT is set): step logs are capped, and the limit makes the
// collector return the garbage of streamed output before the process
// grows past it.
const memoryLimit = 150 << 20

// limitMemory applies memoryLimit unless the user set GOMEMLIMIT.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// isTerminal reports whether stdin and stdout are a terminal.
func isTerminal() bool {
	return term.IsTerminal(int(os.Stdout.Fd())) && term.IsTerminal(int(os.Stdin.Fd()))
}

// replayBuild shows a recorded build in the build UI, with its logs.
func replayBuild(cmd *cobra.Command, g *globals, h buildrun.History, b *model.Build) error {
	events, err := h.Events(b.ID)
	if err != nil {
		return err
	}
	df, _ := os.ReadFile(b.Dockerfile)
	m := buildui.New(buildui.Options{Title: b.Context, Builder: b.Builder, Dockerfile: df, Replay: b, Why: explainer(g), Inspect: inspector(g), Context: cmd.Context()})
	defer m.Close()
	m.LoadLogs(events)
	return common.Run(cmd.Context(), cmd.OutOrStdout(), m, nil)
}

// explainer explains a build against the previous one from the history.
func explainer(g *globals) func(*model.Build) (*model.Explanation, error) {
	return buildrun.History{Dir: g.paths.History(), Warn: io.Discard}.Explain // the UI owns the terminal
}

// stageMeasurer builds and measures the stages of the build, on demand.
func stageMeasurer(g *globals, b *buildrun.Builder, p *buildrun.Prepared) func(context.Context) (*model.StageReport, error) {
	return func(ctx context.Context) (*model.StageReport, error) {
		return stagesize.Report(ctx, b, p, g.paths, 10)
	}
}

// imageDiffer runs a built image's own command on the current builder and
// diffs what it wrote, for the build UI's diff view.
func imageDiffer(g *globals) func(context.Context, *model.Build) ([]cdiff.Change, error) {
	return func(ctx context.Context, b *model.Build) ([]cdiff.Change, error) {
		o := &diffOptions{image: "build:" + b.ID, timeout: time.Minute, content: true}
		res, err := diffRun(ctx, io.Discard, g, o, nil)
		if err != nil {
			return nil, err
		}
		return res.Select(nil, true), nil
	}
}
