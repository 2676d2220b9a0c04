package main

import (
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun/history"
)

func init() { commands = append(commands, newTraceCmd) }

func newTraceCmd(g *globals) *cobra.Command {
	var asJSON bool
	var format string
	cmd := &cobra.Command{
		Use:     "trace [BUILD]",
		Short:   "Where a build's time went: critical path, slack, time split",
		Long:    help.Long("trace"),
		Example: help.Example("trace"),
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tl, err := g.hist.Timeline(history.ArgID(args))
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
