package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/compareview"
)

func init() { commands = append(commands, newCompareCmd) }

func newCompareCmd(g *globals) *cobra.Command {
	var asJSON, semantic, content bool
	var failOn []string
	var platform string
	cmd := &cobra.Command{
		Use:     "compare [A B]",
		Short:   "What changed between two builds or images, and what it cost",
		Long:    help.Long("compare"),
		Example: help.Example("compare"),
		Args:    cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := buildrun.ImportBuilderRecords(cmd.Context(), g.paths, g.builderOpener(), cmd.ErrOrStderr(), g.hist.Warn, args...); err != nil {
				return err
			}
			o, so := compare.Options{Semantic: semantic, Content: content}, source.Options{Paths: g.paths, Platform: platform, Warn: g.hist.Warn}
			j, err := compare.NewJob(g.hist, args, ".", failOn, o, so)
			if err != nil {
				return err
			}
			if os.Getenv("GOGC") == "" {
				// compare's live heap (two trees, then the changes) only
				// grows: collecting at 1.5x it instead of 2x keeps the peak
				// near inspect's for ~3% more CPU (bench/compare.sh)
				debug.SetGCPercent(50)
			}
			if !asJSON && len(failOn) == 0 && isTerminal() {
				return compareview.Run(cmd.Context(), cmd.OutOrStdout(), j.A, j.B, o, so)
			}
			failed, err := j.Run(cmd.Context(), cmd.OutOrStdout(), asJSON)
			if err != nil || len(failed) == 0 {
				return err
			}
			return &exitError{code: 1, err: fmt.Errorf("compare failed: %s", strings.Join(failed, "; "))}
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the whole comparison as JSON")
	f.BoolVar(&content, "content", false, "add unified diffs of the text files B adds or changes")
	f.BoolVar(&semantic, "semantic", false, "ignore what differs only in timestamps and layer packaging")
	f.StringArrayVar(&failOn, "fail-on", nil, "exit 1 when a rule fails: size-increase=N%|SIZE, files-added, config-changed, cache-ratio-below=R, any")
	f.StringVar(&platform, "platform", "", "image of multi-platform A and B (os/arch[/variant]; default: the host's)")
	return cmd
}
