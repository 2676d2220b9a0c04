package main

import (
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
)

func init() { commands = append(commands, newVersionCmd) }

func newVersionCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{Use: "version", Short: "Print buildscope's, its BuildKit client's and the builder's versions", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return g.versions(cmd, asJSON) }}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// versions prints buildrun.ReadVersions of the chosen builder.
func (g *globals) versions(cmd *cobra.Command, asJSON bool) error {
	v := buildrun.ReadVersions(cmd.Context(), g.builder, g.tls)
	return output(cmd, asJSON, v, func() (string, error) { return v.Text(), nil })
}
