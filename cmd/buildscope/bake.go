package main

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/buildtext"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/progress"
)

func init() { commands = append(commands, newBakeCmd) }

// bakeFlags are the flags of `buildscope bake`.
type bakeFlags struct {
	opts     build.BakeOptions
	print    bool
	progress string
}

func newBakeCmd(g *globals) *cobra.Command {
	f := &bakeFlags{}
	cmd := &cobra.Command{
		Use:     "bake [flags] [TARGET|GROUP…]",
		Short:   "Build the targets of a Bake or Compose file at once",
		Long:    help.Long("bake"),
		Example: help.Example("bake"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.opts.Targets = args
			return runBake(cmd, g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.opts.Files, "file", "f", nil, "bake file (HCL, JSON or Compose); default: the names docker buildx bake looks for")
	fl.StringArrayVar(&f.opts.Set, "set", nil, "override a target's value: TARGET.KEY=VALUE (TARGET may be * or a pattern)")
	fl.BoolVar(&f.print, "print", false, "print the resolved definition as JSON (as docker buildx bake --print) and build nothing")
	fl.BoolVar(&f.opts.Load, "load", false, "load every target's image into the Docker engine")
	fl.BoolVar(&f.opts.Push, "push", false, "push every target's image to its registry")
	fl.StringVar(&f.progress, "progress", "auto", "progress output: auto, tty, plain or json")
	return cmd
}

func runBake(cmd *cobra.Command, g *globals, f *bakeFlags) error {
	interactive, mode, err := progress.Mode(f.progress, isTerminal())
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	bk, err := build.ReadBake(ctx, f.opts)
	if err != nil {
		return err
	}
	if f.print {
		return bk.Print(cmd.OutOrStdout())
	}
	b, err := bk.ConnectChecked(ctx, g.connect)
	if err != nil {
		return err
	}
	defer b.Close()
	warn(cmd, bk.Notes)
	var recs map[string]*model.Build
	plan := bk.OnePlan() // nil: targets of several Dockerfiles, shown by BuildKit's own display
	env := g.env(cmd)
	_, berr := env.Live(ctx, interactive && plan != nil, mode, func() buildui.Options { return env.BakeUI(ctx, b, bk, plan, &recs) },
		func(ctx context.Context, onStatus func(*client.SolveStatus)) (*model.Build, error) {
			var err error
			recs, err = build.RunBake(ctx, b, bk, g.paths, func(_ string, s *client.SolveStatus) { onStatus(s) })
			return nil, err
		})
	if mode != progressui.RawJSONMode {
		fmt.Fprint(cmd.ErrOrStderr(), buildtext.BakeSummary(recs))
	}
	return ended("bake", berr)
}
