package main

import (
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
)

func init() { commands = append(commands, newTraceCmd) }

func newTraceCmd(g *globals) *cobra.Command {
	var asJSON bool
	var format string
	cmd := &cobra.Command{
		Use:   "trace [BUILD]",
		Short: "Where a build's time went: critical path, slack, time split",
		Long: `Lay out a recorded build (default: the last) on a time axis from its event
log. The critical path is the chain of steps, through BuildKit's own vertex
inputs (so mounts and COPY --from count), whose durations and waits add up
to the build's wall time: a second saved there is a second saved. Every
step gets its slack (how much later it could have ended without making the
build longer) and, on the critical path, what a cache hit on it would have
saved, replayed on the graph.

--json prints the timeline; --format chrome prints the Trace Event Format
that Perfetto (ui.perfetto.dev) and chrome://tracing open; --format otlp
prints an OTLP/JSON ExportTraceServiceRequest (a span per step under a span
per stage) for any OpenTelemetry backend.`,
		Example: `  buildscope trace
  buildscope trace --format chrome > build.trace.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tl, err := buildrun.History{Dir: g.paths.History()}.Timeline(buildArg(args))
			if err != nil {
				return err
			}
			return tl.WriteTrace(cmd.OutOrStdout(), format, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the timeline as JSON")
	cmd.Flags().StringVar(&format, "format", "", "print a trace for other tools: chrome or otlp")
	return cmd
}
