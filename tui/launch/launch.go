// Package launch opens buildscope's UIs over what buildrun and inspect
// provide: the live build and bake, a recorded build's replay, an attach
// to someone else's build, and the history list with what is picked in
// it; or, without a terminal, BuildKit's own display of a build or an
// attach. It wires services to views and starts the programs; the views
// in the sibling packages render and route, and cmd says from its flags
// whether a UI runs. Process-wide settings (the heap limit) stay with
// cmd, which hands them in as BeforeUI.
package launch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/cdiffrun"
	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/inspect/stagesize"
	"github.com/buildscope/buildscope/model"
	modelcompare "github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/dockerfile"
	"github.com/buildscope/buildscope/model/fold"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/compareview"
	"github.com/buildscope/buildscope/tui/home"
	"github.com/buildscope/buildscope/tui/imageopen"
	"github.com/buildscope/buildscope/tui/progress"
)

// Env is what the UIs reach: where buildscope keeps its state, the
// builder the command line names, and the terminal.
type Env struct {
	Paths state.Paths
	// Connect reaches the builder --builder names (the default without).
	Connect builder.Connector
	// Builder and TLS are --builder and its TLS flags, as given.
	Builder string
	TLS     builder.ConnectOptions
	// Out and Err are the terminal's output and where notes go.
	Out, Err io.Writer
	// BeforeUI, when set, runs before the live build UI starts.
	BeforeUI func()
	// Inspect opens the standalone inspector on an image spec (the
	// history list's i).
	Inspect func(ctx context.Context, spec string) error
}

// history is buildscope's history, quiet about damaged records: the UI
// owns the terminal.
func (e Env) history() history.History {
	return history.History{Dir: e.Paths.History()} // no Warn
}

// BuildUI is the build UI of p on b: the live graph, then why its steps
// ran, the stages' sizes, a run's diff and the inspector of its image.
// A RUN step that fails stays open for a shell, the build pauses at
// breaks' lines (holdFailedStep), and x opens a shell in a completed
// step's result (liveShells).
func (e Env) BuildUI(ctx context.Context, b *builder.Builder, p *build.Prepared, logCap int, breaks *debug.Breaks) buildui.Options {
	df, _ := os.ReadFile(p.DockerfileAbs)
	o := buildui.Options{Title: p.ContextAbs, Builder: b.Name(), Plan: p.Plan, Dockerfile: df, Target: p.Target, LogCap: logCap,
		Context: ctx, Why: e.history().Explain, Stages: stagesize.Reporter(b, p, e.Paths),
		Diff: cdiffrun.ImageDiffer(e.Connect, e.Paths), Inspect: imageopen.BuildImages(source.Options{Paths: e.Paths})}
	holdFailedStep(p, &o, breaks)
	o.StepShell = e.liveShells(ctx, b, p)
	return o
}

// BakeUI is the live build UI of a bake: the stages of every target,
// those they share drawn once, and a node per target. plan is the one
// Dockerfile's (Bake.OnePlan). recs is where the bake's run puts its
// targets' records: once it is over, the step lines take their sizes,
// cache mounts and reasons from them.
func (e Env) BakeUI(ctx context.Context, b *builder.Builder, bk *build.Bake, plan *dockerfile.Plan, recs *map[string]*model.Build) buildui.Options {
	first := bk.Targets[0]
	df, _ := os.ReadFile(first.DockerfileAbs)
	records := func() []*model.Build {
		var out []*model.Build
		for _, t := range bk.Targets { // in the bake's order
			if r := (*recs)[t.Name]; r != nil {
				out = append(out, r)
			}
		}
		return out
	}
	o := buildui.Options{Title: first.ContextAbs, Builder: b.Name(), Plan: plan, Dockerfile: df, Context: ctx,
		BakeEnd: func(b *model.Build) { fold.FillBake(b, records()) },
		Why:     func(*model.Build) (*why.Explanation, error) { return why.Merge(records(), e.history().Explain) }}
	for _, t := range bk.Targets {
		o.Targets = append(o.Targets, buildui.BakeTarget{Name: t.Name, Stage: t.Target})
	}
	return o
}

// Live runs produce (a build) under the build UI when interactive, with
// the options ui returns (see buildui.Stream), else under BuildKit's own
// display in mode.
func (e Env) Live(ctx context.Context, interactive bool, mode progressui.DisplayMode, ui func() buildui.Options,
	produce func(context.Context, func(*client.SolveStatus)) (*model.Build, error)) (*model.Build, error) {
	if interactive {
		if e.BeforeUI != nil {
			e.BeforeUI()
		}
		return buildui.Stream(ctx, e.Out, ui(), false, produce)
	}
	var rec *model.Build
	err := progress.Show(ctx, e.Out, e.Err, mode, func(onStatus func(*client.SolveStatus)) error {
		var err error
		rec, err = produce(ctx, onStatus)
		return err
	})
	return rec, err
}

// Follow shows the progress of build ref running on b with BuildKit's
// own display in mode; a detach (ctx ended, the build goes on) is said on
// Err.
func (e Env) Follow(ctx context.Context, b *builder.Builder, ref string, mode progressui.DisplayMode) error {
	err := progress.Show(ctx, e.Out, e.Err, mode, func(onStatus func(*client.SolveStatus)) error {
		return builderhistory.Attach(ctx, b, ref, onStatus)
	})
	if err == nil && ctx.Err() != nil {
		fmt.Fprintf(e.Err, "detached from %s; it goes on running\n", ref)
	}
	return err
}

// Replay shows an opened build in the build UI, with its logs:
// buildscope's own with its Dockerfile and the inspector, one of the
// builder's history (or imported) with what its provenance keeps.
func (e Env) Replay(ctx context.Context, o *builderhistory.OpenedBuild) error {
	b := o.Build
	ro := buildui.Options{Title: b.Context, Builder: b.Builder, Replay: b, Dockerfile: o.Dockerfile, Context: ctx,
		Why: func(*model.Build) (*why.Explanation, error) { return o.Explain() }}
	if b.Origin != nil {
		ro.Title = "build " + b.ID + " (" + b.Origin.By + ")"
	} else {
		ro.Dockerfile, _ = os.ReadFile(b.Dockerfile)
		ro.Why, ro.Inspect = e.history().Explain, imageopen.BuildImages(source.Options{Paths: e.Paths})
		ro.Diff, ro.Stages = cdiffrun.ImageDiffer(e.Connect, e.Paths), e.recordStages(b.ID)
		ro.StepShell = e.replayShells(ctx, b.ID)
	}
	return buildui.Replay(ctx, e.Out, ro, o.Events)
}

// recordStages measures the stages of recorded build id as `buildscope
// stages build:ID` does: its Dockerfile, target and arguments from the
// record, on the builder the command line names, else the one the build
// ran on.
func (e Env) recordStages(id string) func(context.Context) (*modelcompare.StageReport, error) {
	return func(ctx context.Context) (*modelcompare.StageReport, error) {
		o, on, err := build.RebuildOptions(e.history(), id, build.Options{}, func(string) bool { return false })
		if err != nil {
			return nil, err
		}
		connect := e.Connect
		if e.Builder == "" && on != "" {
			connect = func(ctx context.Context) (*builder.Builder, error) { return builder.Connect(ctx, on, e.TLS) }
		}
		p, b, err := build.PrepareOn(ctx, o, connect)
		if err != nil {
			return nil, err
		}
		defer b.Close()
		return stagesize.Report(ctx, b, p, e.Paths, 10)
	}
}

// Attach follows a running build in the build UI, without a Dockerfile:
// its stages are those BuildKit names. q or Ctrl-C detaches; the build
// goes on.
func (e Env) Attach(ctx context.Context, b *builder.Builder, ref string) error {
	o := buildui.Options{Title: "attached to " + ref, Builder: b.Name(), LogCap: 256 << 10}
	detached := false
	_, err := buildui.Stream(ctx, e.Out, o, true, func(pctx context.Context, onStatus func(*client.SolveStatus)) (*model.Build, error) {
		rec, err := builderhistory.AttachRecord(pctx, b, ref, onStatus)
		detached = pctx.Err() != nil && ctx.Err() == nil // q or Ctrl-C before the build was over
		return rec, err
	})
	if detached {
		fmt.Fprintf(e.Err, "detached from %s; it goes on running on %s (buildscope attach %s follows it again)\n", ref, b.Name(), ref)
		if errors.Is(err, context.Canceled) {
			err = nil
		}
	}
	return err
}

// Home is the history list (buildscope alone on a terminal). What is
// picked there (a replay, an image, an attach, a comparison) opens in its
// own UI, and the list comes back when it is left.
func (e Env) Home(ctx context.Context) error {
	hs, err := buildrun.OpenHistorySource(ctx, e.history(), e.Builder, e.TLS)
	if err != nil {
		return err
	}
	defer hs.Close()
	o := home.Options{Title: hs.BuilderName(), Load: hs.Entries, Explain: hs.Explain}
	return home.Run(ctx, e.Out, o, func(ch home.Choice) error { return e.open(ctx, hs, ch) })
}

// open opens what was picked in the history list.
func (e Env) open(ctx context.Context, hs *buildrun.HistorySource, ch home.Choice) error {
	row := ch.Rows[0]
	switch ch.Kind {
	case home.ChoiceReplay:
		o, err := hs.Open(ctx, row)
		if err != nil {
			return err
		}
		defer o.Close()
		return e.Replay(ctx, o)
	case home.ChoiceInspect:
		if err := hs.Localize(ctx, e.Paths, row); err != nil {
			return err
		}
		return e.Inspect(ctx, "build:"+row.ID)
	case home.ChoiceAttach:
		if hs.Builder == nil {
			return fmt.Errorf("build %s runs on a builder this list does not reach: `buildscope attach --builder ADDR %s`", row.ID, row.ID)
		}
		return e.Attach(ctx, hs.Builder, row.ID)
	case home.ChoiceCompare:
		for _, r := range ch.Rows {
			if err := hs.Localize(ctx, e.Paths, r); err != nil {
				return err
			}
		}
		return compareview.Run(ctx, e.Out, "build:"+ch.Rows[0].ID, "build:"+ch.Rows[1].ID, compare.Options{}, source.Options{Paths: e.Paths})
	}
	return nil
}
