package main

import (
	"fmt"
	"text/tabwriter"
	"time"

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
			printBuild(cmd, b)
			return nil
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
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tSTATUS\tDURATION\tCACHED\tBUILDER\tTARGET\tDOCKERFILE")
	for _, b := range all {
		target := b.Target
		if target == "" {
			target = "(last)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", b.ID, b.Started.Local().Format("2006-01-02 15:04:05"),
			b.Status, b.Completed.Sub(b.Started).Round(10*time.Millisecond), b.Cache.StepsCached, b.Cache.StepsTotal,
			b.Builder, target, b.Dockerfile)
	}
	return tw.Flush()
}

func printBuild(cmd *cobra.Command, b *model.Build) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "build %s  %s  %s on %s\n", b.ID, b.Status, b.Completed.Sub(b.Started).Round(10*time.Millisecond), b.Builder)
	fmt.Fprintf(w, "  dockerfile %s\n  context    %s\n", b.Dockerfile, b.Context)
	if b.Error != "" {
		fmt.Fprintf(w, "  error      %s\n", b.Error)
	}
	for _, s := range b.Stages {
		fmt.Fprintf(w, "stage %s (from %s)", s.Name, s.Base)
		if len(s.DependsOn) > 0 {
			fmt.Fprintf(w, " depends on %v", s.DependsOn)
		}
		fmt.Fprintln(w)
		for _, st := range s.Steps {
			mark := "   "
			if st.Cached {
				mark = "C  "
			}
			if st.Error != "" {
				mark = "E  "
			}
			size := ""
			if st.SizeBytes != nil {
				size = humanSize(*st.SizeBytes)
			}
			fmt.Fprintf(w, "  %s%4d  %-8s %8s  %s\n", mark, st.Line, st.Duration().Round(time.Millisecond), size, st.Instruction)
		}
	}
	fmt.Fprintf(w, "cache: %d/%d steps cached\n", b.Cache.StepsCached, b.Cache.StepsTotal)
	if b.Image != nil {
		fmt.Fprintf(w, "image %s, %s in %d layers\n", b.Image.Digest, humanSize(b.Image.SizeBytes), len(b.Image.Layers))
	}
}
