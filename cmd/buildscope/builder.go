package main

import (
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun/builder"
)

func newBuilderCmd(g *globals) *cobra.Command {
	var asJSON, history bool
	emb := func() *builder.Embedded { return g.tls.Embedded() }
	status := func(cmd *cobra.Command) error {
		st := emb().Status(cmd.Context())
		return output(cmd, asJSON, st, func() (string, error) { return st.Text(), nil })
	}
	cmd := &cobra.Command{
		Use:   "builder [status|start|stop|prune]",
		Short: "Manage the embedded builder (a buildkitd buildscope runs)",
		Long:  help.Long("builder"),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return status(cmd) },
	}
	prune := &cobra.Command{
		Use: "prune", Short: "Remove the embedded builder's build cache", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pr, err := emb().PruneAll(cmd.Context(), history)
			if err != nil {
				return err
			}
			return output(cmd, asJSON, pr, func() (string, error) { return pr.Text(), nil })
		},
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(&cobra.Command{
		Use: "status", Short: "Say whether the embedded builder runs", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return status(cmd) },
	}, &cobra.Command{
		Use: "start", Short: "Start the embedded builder", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := emb().Start(cmd.Context()); err != nil {
				return err
			}
			return status(cmd)
		},
	}, &cobra.Command{
		Use: "stop", Short: "Stop the embedded builder", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := emb().Stop(cmd.Context()); err != nil {
				return err
			}
			return status(cmd)
		},
	}, prune)
	prune.Flags().BoolVar(&history, "history", false, "also delete BuildKit's own records of buildscope's builds (its logs are unredacted)")
	return cmd
}
