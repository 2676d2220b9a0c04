package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/inspect/cirules"
	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/layersview"
)

func init() { commands = append(commands, newInspectCmd) }

// inspectOptions are the flags of `buildscope inspect`.
type inspectOptions struct {
	platform string
	json     bool
	ci       bool
	ciConfig string
	rules    cirules.Config
}

func newInspectCmd(g *globals) *cobra.Command {
	o := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect IMAGE",
		Short: "Layers, file trees, efficiency and wasted bytes of an image",
		Long:  help.Long("inspect"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInspect(cmd, g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.platform, "platform", "", "image of a multi-platform index to inspect (os/arch[/variant]; default: the host's)")
	f.BoolVar(&o.json, "json", false, "print the analysis as JSON")
	f.BoolVar(&o.ci, "ci", false, "judge the image by CI rules; exit 1 when one fails")
	f.StringVar(&o.ciConfig, "ci-config", ".dive-ci", "file with the CI rules (dive's .dive-ci format)")
	d := cirules.Defaults()
	f.StringVar(&o.rules.LowestEfficiency, "lowestEfficiency", d.LowestEfficiency, "CI: lowest allowed efficiency (ratio 0-1, or disabled)")
	f.StringVar(&o.rules.HighestWastedBytes, "highestWastedBytes", d.HighestWastedBytes, "CI: highest allowed wasted bytes (e.g. 20MB, or disabled)")
	f.StringVar(&o.rules.HighestUserWastedPercent, "highestUserWastedPercent", d.HighestUserWastedPercent, "CI: highest allowed wasted bytes relative to the bytes above the base layer (ratio 0-1, or disabled)")
	return cmd
}

func runInspect(cmd *cobra.Command, g *globals, o *inspectOptions, spec string) error {
	var rules []cirules.Rule
	var err error
	if o.ci {
		if rules, err = cirules.LoadRules(o.ciConfig, o.rules, cmd.Flags().Changed); err != nil {
			return err
		}
	}
	// The analysis is a batch whose live data only grows: a low GC target
	// keeps peak memory near the live set for a few percent of CPU.
	debug.SetGCPercent(25)
	ctx := cmd.Context()
	if err := buildrun.ImportBuilderRecords(cmd.Context(), g.paths, g.builderOpener(), cmd.ErrOrStderr(), g.hist.Warn, spec); err != nil {
		return err
	}
	img, err := source.Open(ctx, spec, source.Options{Platform: o.platform, Paths: g.paths, Warn: g.hist.Warn, Notes: cmd.ErrOrStderr()})
	if err != nil {
		return err
	}
	defer img.Close()
	if !o.json && !o.ci && isTerminal() {
		return layersview.Run(ctx, cmd.OutOrStdout(), spec, img)
	}
	out, err := layers.Inspect(ctx, spec, img, o.ci, rules)
	if err != nil {
		return err
	}
	if err := out.Write(cmd.OutOrStdout(), o.json); err != nil {
		return err
	}
	if !out.Pass() {
		return &exitError{code: 1, err: fmt.Errorf("%s failed the CI rules", model.Printable(spec))}
	}
	return nil
}
