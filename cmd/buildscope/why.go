package main

import (
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
	"github.com/buildscope/buildscope/buildrun/history"
)

func init() { commands = append(commands, newWhyCmd) }

func newWhyCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "why [BUILD]",
		Short: "Explain why each step of a build missed the cache",
		Long:  help.Long("why"),
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cur, ex, err := builderhistory.ExplainBuild(cmd.Context(), g.hist, history.ArgID(args), g.builderOpener())
			if err != nil {
				return err
			}
			return output(cmd, asJSON, ex, func() (string, error) { return ex.Text(cur), nil })
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
