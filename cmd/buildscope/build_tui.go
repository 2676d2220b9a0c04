package main

import (
	"time"

	"context"
	"errors"
	"fmt"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"io"
	"log"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/buildui"
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
		LogCap: logCap, Events: ch, Cancel: cancel,
		Why: explainer(g), Stages: stageMeasurer(cmd, g, b, p), Diff: imageDiffer(cmd, g), Inspect: inspector(cmd, g),
	})
	log.SetOutput(io.Discard) // nothing may write to the terminal under the UI
	buildui.LimitMemory()
	prog := tea.NewProgram(m, tea.WithContext(ctx), tea.WithOutput(cmd.OutOrStdout()))
	type outcome struct {
		rec *model.Build
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		rec, err := buildrun.Run(ctx, b, p, g.paths, func(s *client.SolveStatus) { ch <- s })
		close(ch)
		prog.Send(buildui.DoneMsg{Build: rec, Err: err})
		done <- outcome{rec, err}
	}()
	_, perr := prog.Run()
	go func() { // the UI stopped reading: let the build finish
		for range ch {
		}
	}()
	if perr != nil && !errors.Is(perr, tea.ErrProgramKilled) && !errors.Is(perr, context.Canceled) {
		cancel()
		<-done
		return nil, fmt.Errorf("running the UI: %w", perr)
	}
	cancel() // quitting the UI stops a build still running
	o := <-done
	return o.rec, o.err
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
	m := buildui.New(buildui.Options{Title: b.Context, Builder: b.Builder, Dockerfile: df, Replay: b, Why: explainer(g), Inspect: inspector(cmd, g)})
	m.LoadLogs(events)
	log.SetOutput(io.Discard)
	if _, err := tea.NewProgram(m, tea.WithContext(cmd.Context()), tea.WithOutput(cmd.OutOrStdout())).Run(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("running the UI: %w", err)
	}
	return nil
}

// explainer explains a build against the previous one from the history.
func explainer(g *globals) func(*model.Build) (*model.Explanation, error) {
	return func(b *model.Build) (*model.Explanation, error) {
		h := buildrun.History{Dir: g.paths.History(), Warn: io.Discard} // the UI owns the terminal
		all, err := h.List()
		if err != nil {
			return nil, err
		}
		return model.Explain(b, model.PreviousBuild(b, all)), nil
	}
}

// stageMeasurer builds and measures the stages of the build, on demand.
func stageMeasurer(cmd *cobra.Command, g *globals, b *buildrun.Builder, p *buildrun.Prepared) func() (*model.StageReport, error) {
	return func() (*model.StageReport, error) {
		return stageReport(cmd.Context(), g, b, p, 10)
	}
}

// imageDiffer runs a built image's own command on the current builder and
// diffs what it wrote, for the build UI's diff view.
func imageDiffer(cmd *cobra.Command, g *globals) func(*model.Build) ([]cdiff.Change, error) {
	return func(b *model.Build) ([]cdiff.Change, error) {
		o := &diffOptions{image: "build:" + b.ID, timeout: time.Minute, content: true}
		res, err := diffRun(cmd.Context(), io.Discard, g, o, nil)
		if err != nil {
			return nil, err
		}
		if res.old != nil && res.new != nil {
			cdiff.AddContentDiffs(res.old, res.new, res.changes)
		}
		return res.changes, nil
	}
}
