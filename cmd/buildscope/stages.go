package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/inspect/stagesize"
)

func init() { commands = append(commands, newStagesCmd) }

type stagesFlags struct {
	opts    buildrun.Options
	compare string
	asJSON  bool
	top     int
}

func newStagesCmd(g *globals) *cobra.Command {
	f := &stagesFlags{}
	cmd := &cobra.Command{
		Use:   "stages [flags] PATH|build:ID",
		Short: "Size of every stage, and what the final image left behind",
		Long: `Build every stage the target needs as a target of its own (they share the
build cache, so a second run is fast) and report each stage's image size,
uncompressed and compressed, and layers; the final image; the single-stage
equivalent (shipping the stage that builds the app) against the final
image; and what the final image left behind: the largest paths in the
stages it copies from that it does not contain (toolchains, package
caches, build artefacts).

build:ID measures a recorded build with its context, Dockerfile, target,
build args and platforms (a bake target's, say); --secret, --ssh and
--build-context, which records do not keep, come from the flags.

--compare FILE builds a second Dockerfile (with its own directory as the
context), e.g. a single-stage variant, and shows both side by side.`,
		Example: `  buildscope stages assets/examples/multistage
  buildscope stages --compare assets/examples/singlestage/Dockerfile assets/examples/multistage
  buildscope stages --json .
  buildscope stages build:last          # the last build's target, e.g. a bake target`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, ok := strings.CutPrefix(args[0], "build:")
			if !ok {
				f.opts.ContextDir = args[0]
				return runStages(cmd, g, f)
			}
			for _, name := range []string{"file", "target", "build-arg", "platform"} {
				if cmd.Flags().Changed(name) {
					return fmt.Errorf("stages build:ID takes the Dockerfile, target, build args and platforms from the record: drop --%s, or give stages a PATH", name)
				}
			}
			rec, err := buildrun.History{Dir: g.paths.History()}.Get(id)
			if err != nil {
				return err
			}
			if buildrun.UsedNamedContexts(rec) && len(f.opts.BuildContexts) == 0 {
				return fmt.Errorf("build %s read named build contexts, which records do not keep: give them with --build-context", rec.ID)
			}
			in, err := buildrun.InputsOf(rec)
			if err != nil {
				return err
			}
			in.Secrets, in.SSH, in.BuildContexts = f.opts.Secrets, f.opts.SSH, f.opts.BuildContexts
			in.NoCache, in.NoCacheFilter = f.opts.NoCache, f.opts.NoCacheFilter
			f.opts.Inputs = in
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
	ctx := cmd.Context()
	p, err := buildrun.Prepare(f.opts)
	if err != nil {
		return err
	}
	var cp *buildrun.Prepared
	if f.compare != "" {
		o := f.opts
		o.Dockerfile, o.ContextDir, o.Target = f.compare, filepath.Dir(f.compare), ""
		if cp, err = buildrun.Prepare(o); err != nil {
			return fmt.Errorf("--compare: %w", err)
		}
	}
	b, err := g.connect(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	rep, err := stagesize.Report(ctx, b, p, g.paths, f.top)
	if err != nil {
		return err
	}
	if cp != nil {
		if rep.Compare, err = stagesize.Report(ctx, b, cp, g.paths, f.top); err != nil {
			return fmt.Errorf("--compare %s: %w", f.compare, err)
		}
	}
	if f.asJSON {
		return writeJSON(cmd.OutOrStdout(), rep)
	}
	return stagesize.WriteText(cmd.OutOrStdout(), rep)
}
