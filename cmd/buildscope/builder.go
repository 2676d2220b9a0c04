package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
)

func newBuilderCmd(g *globals) *cobra.Command {
	var asJSON, history bool
	emb := func() *buildrun.Embedded { return &buildrun.Embedded{Paths: g.paths} }
	status := func(cmd *cobra.Command) error {
		st := emb().Status(cmd.Context())
		if asJSON {
			return model.WriteJSON(cmd.OutOrStdout(), st)
		}
		_, err := io.WriteString(cmd.OutOrStdout(), st.Text())
		return err
	}
	cmd := &cobra.Command{
		Use:   "builder [status|start|stop|prune]",
		Short: "Manage the embedded builder (a buildkitd buildscope runs)",
		Long: `The embedded builder is a buildkitd that buildscope starts on demand and
reuses across runs. It needs root and runc (apt-get install runc). Its state
is under $XDG_STATE_HOME/buildscope/buildkitd and its socket is readable by
its owner only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return status(cmd) },
	}
	prune := &cobra.Command{
		Use: "prune", Short: "Remove the embedded builder's build cache", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pr, err := emb().Prune(cmd.Context())
			if err != nil {
				return err
			}
			if history {
				if pr.HistoryRecords, err = emb().PurgeHistory(cmd.Context()); err != nil {
					return err
				}
			}
			if asJSON {
				return model.WriteJSON(cmd.OutOrStdout(), pr)
			}
			_, err = io.WriteString(cmd.OutOrStdout(), pr.Text())
			return err
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
