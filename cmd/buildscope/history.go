package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
)

func newHistoryCmd(g *globals) *cobra.Command {
	var asJSON bool
	store := func() buildrun.History { return buildrun.History{Dir: g.paths.History()} }
	cmd := &cobra.Command{
		Use:   "history [ls|show ID|rm ID]",
		Short: "List, show and remove recorded builds",
		Long: `Every build buildscope runs leaves a record: its stages and steps, which
steps were cached, timings, errors and the image it produced. ID may be a
unique prefix or "last".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return historyList(cmd, store(), asJSON)
		},
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(&cobra.Command{
		Use: "ls", Short: "List recorded builds, oldest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return historyList(cmd, store(), asJSON) },
	}, &cobra.Command{
		Use: "show ID", Short: "Show one build record", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := store().Get(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), b)
			}
			if isTerminal() {
				return replayBuild(cmd, g, store(), b)
			}
			_, err = io.WriteString(cmd.OutOrStdout(), b.Text())
			return err
		},
	}, &cobra.Command{
		Use: "rm ID", Short: "Remove a build record", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := store().Remove(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]string{"removed": b.ID})
			}
			fmt.Fprintln(cmd.OutOrStdout(), "removed", b.ID)
			return nil
		},
	})
	return cmd
}

func historyList(cmd *cobra.Command, h buildrun.History, asJSON bool) error {
	all, err := h.List()
	if err != nil {
		return err
	}
	if asJSON {
		if all == nil {
			all = []*model.Build{}
		}
		return writeJSON(cmd.OutOrStdout(), all)
	}
	_, err = io.WriteString(cmd.OutOrStdout(), model.HistoryTable(all))
	return err
}
