package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/inspect/stagesize"
)

func init() { commands = append(commands, newStagesCmd) }

type stagesFlags struct {
	opts    build.Options
	compare string
	asJSON  bool
	top     int
}

func newStagesCmd(g *globals) *cobra.Command {
	f := &stagesFlags{}
	cmd := &cobra.Command{
		Use:     "stages [flags] PATH|build:ID",
		Short:   "Size of every stage, and what the final image left behind",
		Long:    help.Long("stages"),
		Example: help.Example("stages"),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, ok := strings.CutPrefix(args[0], "build:")
			if !ok {
				f.opts.ContextDir = args[0]
				return runStages(cmd, g, f)
			}
			if err := buildrun.ImportBuilderRecords(cmd.Context(), g.paths, g.builderOpener(), cmd.ErrOrStderr(), g.hist.Warn, args[0]); err != nil {
				return err
			}
			opts, on, err := build.RebuildOptions(g.hist, id, f.opts, cmd.Flags().Changed)
			if g.builder == "" { // the builder the recorded build ran on
				g.builder = on
			}
			f.opts = opts
			if err != nil {
				return err
			}
			return runStages(cmd, g, f)
		},
	}
	fl := cmd.Flags()
	o := &f.opts
	addInputFlags(fl, o, "final stage (default: the last)")
	fl.StringVar(&f.compare, "compare", "", "a second Dockerfile to compare (e.g. the single-stage variant)")
	fl.IntVar(&f.top, "top", 10, "how many left-behind paths to list")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
	return cmd
}

func runStages(cmd *cobra.Command, g *globals, f *stagesFlags) error {
	req, err := stagesize.NewRequest(f.opts, f.compare, f.top)
	if err != nil {
		return err
	}
	b, err := g.connect(cmd.Context())
	if err != nil {
		return err
	}
	defer b.Close()
	rep, err := req.Report(cmd.Context(), b, g.paths)
	if err != nil {
		return err
	}
	return stagesize.Write(cmd.OutOrStdout(), rep, f.asJSON)
}
