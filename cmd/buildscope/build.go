package main

import (
	"context"
	"fmt"
	"os"

	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/buildtext"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/progress"
)

type buildFlags struct {
	opts     build.Options
	progress string
	report   string
	metadata string
	logCap   int
	breaks   debug.Breaks
}

func newBuildCmd(g *globals) *cobra.Command {
	f := &buildFlags{}
	cmd := &cobra.Command{
		Use: "build [flags] [PATH]", Short: "Build a Dockerfile and record the build",
		Long: help.Long("build"), Example: help.Example("build"), Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.opts.ContextDir = append(args, ".")[0] // no PATH: ., as buildx builds
			return runBuild(cmd, g, f, nil)
		},
	}
	fl := cmd.Flags()
	o := &f.opts
	addInputFlags(fl, o, "stage to build (default: the last)")
	fl.StringArrayVarP(&o.Tags, "tag", "t", nil, "image name and tag (name:tag)")
	fl.StringArrayVarP(&o.Destinations, "output", "o", nil, "output destination: type=local,dest=DIR | type=tar,dest=FILE | type=oci,… | DIR")
	fl.BoolVar(&o.Push, "push", false, "push the image to its registry (needs -t)")
	fl.BoolVar(&o.Load, "load", false, "load the image into the Docker engine")
	fl.StringArrayVar(&o.CacheFrom, "cache-from", nil, "external cache source: type=registry,ref=… | type=local,src=DIR")
	fl.StringArrayVar(&o.CacheTo, "cache-to", nil, "cache export destination: type=registry,ref=…,mode=max | type=local,dest=DIR")
	fl.StringVar(&f.progress, "progress", "auto", "progress output: auto, tty, plain or json")
	fl.StringVar(&f.report, "report", "", "write the build record (JSON) to this file")
	fl.StringVar(&f.metadata, "metadata-file", "", "write the build result metadata (JSON, as docker buildx build writes it) to this file")
	fl.BoolVar(&o.SkipInputs, "no-record-inputs", false, "do not record what goes into each step (why cannot explain the build)")
	_ = fl.MarkHidden("no-record-inputs")
	fl.Var(&f.breaks, "break", "pause before the step at each Dockerfile LINE (after:LINE: after it) in a shell in its input state; the build goes on when it exits")
	fl.BoolVar(&f.breaks.OnError, "on-error", false, "open the shell only in a RUN step that fails (no pause at --break's lines)")
	fl.IntVar(&f.logCap, "log-cap", 256<<10, "interactive UI: bytes of output kept per step (older output is dropped)")
	return cmd
}

// runBuild runs the build f describes; solver, when not nil, runs its
// solve (debug's).
func runBuild(cmd *cobra.Command, g *globals, f *buildFlags, solver build.Solver) error {
	interactive, mode, err := progress.Mode(f.progress, isTerminal())
	if err != nil {
		return err
	}
	p, b, err := build.PrepareOn(cmd.Context(), f.opts, g.connect)
	if err != nil {
		return err
	}
	defer b.Close()
	p.Solver = f.breaks.Plain(solver, interactive, p.Plan, p.Target, os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr()) // the UI's: BuildUI
	cmd.SetErr(debug.Progress(p.Solver, cmd.ErrOrStderr()))
	warn(cmd, p.Notes(b))
	env := g.env(cmd)
	rec, berr := env.Live(cmd.Context(), interactive, mode, func() buildui.Options { return env.BuildUI(cmd.Context(), b, p, f.logCap, &f.breaks) },
		func(ctx context.Context, onStatus func(*client.SolveStatus)) (*model.Build, error) {
			return build.Run(ctx, b, p, g.paths, onStatus)
		})
	if rec == nil {
		return berr
	}
	if err := build.WriteRecordFiles(rec, f.report, f.metadata, berr == nil); err != nil {
		return err
	}
	if berr != nil {
		return ended("build "+rec.ID, berr)
	}
	fmt.Fprint(cmd.ErrOrStderr(), buildtext.Done(rec)) // on stderr: --progress json's stdout stays BuildKit's
	return nil
}

// addInputFlags adds the flags that say what to build, shared by every
// command that builds (names and meaning as in docker buildx build).
func addInputFlags(fl *pflag.FlagSet, o *build.Options, targetHelp string) {
	fl.StringVarP(&o.Dockerfile, "file", "f", "", "name of the Dockerfile (default: PATH/Dockerfile)")
	fl.StringVar(&o.Target, "target", "", targetHelp)
	fl.StringArrayVar(&o.BuildArgs, "build-arg", nil, "build-time variable KEY=VALUE (KEY alone takes it from the environment)")
	fl.StringArrayVar(&o.Platforms, "platform", nil, "target platform (os/arch[/variant])")
	fl.StringArrayVar(&o.Secrets, "secret", nil, "secret to expose: id=NAME,src=FILE or id=NAME,env=VAR")
	fl.StringArrayVar(&o.SSH, "ssh", nil, "SSH agent socket or keys to expose: default|ID[=SOCKET|KEY…]")
	fl.StringArrayVar(&o.BuildContexts, "build-context", nil, "additional build context NAME=VALUE (directory, docker-image://, oci-layout://)")
	fl.BoolVar(&o.NoCache, "no-cache", false, "do not use the cache for any step")
	fl.StringArrayVar(&o.NoCacheFilter, "no-cache-filter", nil, "do not use the cache for the named stages")
}
