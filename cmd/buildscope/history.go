package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model/buildtext"
)

func newHistoryCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history [ls|show ID|rm ID|prune|import FILE]",
		Short: "List, show and remove recorded builds",
		Long:  help.Long("history"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return historyList(cmd, g, g.hist, asJSON)
		},
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(&cobra.Command{
		Use: "ls", Short: "List recorded builds, oldest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return historyList(cmd, g, g.hist, asJSON) },
	}, &cobra.Command{
		Use: "show ID", Short: "Show one build record (with --builder, also the builder's own, by ref)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := builderhistory.OpenBuild(cmd.Context(), g.hist, history.ArgID(args), g.builderOpener())
			if err != nil {
				return err
			}
			defer o.Close()
			if !asJSON && isTerminal() {
				return g.env(cmd).Replay(cmd.Context(), o)
			}
			return output(cmd, asJSON, o.Build, func() (string, error) {
				all, err := g.hist.List()
				return buildtext.Text(o.Build, all), err
			})
		},
	}, historyDoctor(g), &cobra.Command{
		Use: "rm ID", Short: "Remove a build record: buildscope's, else (with --builder) the builder's own", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := buildrun.RemoveAnywhere(cmd.Context(), g.paths, args[0], g.builderOpener(), g.hist.Warn)
			if err != nil {
				return err
			}
			return output(cmd, asJSON, r, func() (string, error) { return r.Text(), nil })
		},
	}, historyPrune(g, &asJSON), &cobra.Command{
		Use: "import FILE|REF", Short: "Import a `docker buildx history export` bundle, or (with --builder) a build of the builder's history with its image", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			builds, err := buildrun.Import(cmd.Context(), g.hist, g.paths, args[0], g.builderOpener())
			if err != nil {
				return err
			}
			return output(cmd, asJSON, builds, func() (string, error) { return buildrun.ImportedText(builds), nil })
		},
	})
	return cmd
}

// builderOpener connects to --builder, nil when none was named: builds
// are then looked for in buildscope's history only.
func (g *globals) builderOpener() builder.Connector {
	if g.builder == "" {
		return nil
	}
	return g.connect
}

// historyList lists the builds (history, history ls).
func historyList(cmd *cobra.Command, g *globals, h history.History, asJSON bool) error {
	l, err := buildrun.List(cmd.Context(), h, g.builder, g.connect, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	return l.Write(cmd.OutOrStdout(), asJSON)
}

// historyPrune removes the records a retention does not keep.
func historyPrune(g *globals, asJSON *bool) *cobra.Command {
	var r buildrun.Retention
	cmd := &cobra.Command{
		Use: "prune --keep N | --older-than DURATION", Short: "Remove old records of buildscope's history and the image blobs no record uses", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := buildrun.PruneHistory(cmd.Context(), g.paths, r, g.builderOpener(), g.hist.Warn)
			if p == nil {
				return err
			}
			// what was removed is said even when a later removal failed
			if oerr := output(cmd, *asJSON, p, func() (string, error) { return p.Text(), nil }); err == nil {
				err = oerr
			}
			return err
		},
	}
	cmd.Flags().IntVar(&r.Keep, "keep", 0, "keep the newest N records")
	cmd.Flags().DurationVar(&r.OlderThan, "older-than", 0, "remove records of builds started longer ago than this (e.g. 720h)")
	return cmd
}

// historyDoctor lists the damaged records, and with --fix removes them.
func historyDoctor(g *globals) *cobra.Command {
	var fix bool
	cmd := &cobra.Command{
		Use: "doctor", Short: "Find damaged build records; --fix removes them", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.hist.Doctor(cmd.OutOrStdout(), fix)
			if err != nil {
				return err
			}
			if n > 0 && !fix {
				return &exitError{code: 1, err: fmt.Errorf("%d damaged records: `buildscope history doctor --fix` removes them", n)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&fix, "fix", false, "remove the damaged records")
	return cmd
}
