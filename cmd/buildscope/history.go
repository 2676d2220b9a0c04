package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/home"
)

func newHistoryCmd(g *globals) *cobra.Command {
	var asJSON bool
	store := func() buildrun.History { return buildrun.History{Dir: g.paths.History()} }
	cmd := &cobra.Command{
		Use:   "history [ls|show ID|rm ID|import FILE]",
		Short: "List, show and remove recorded builds",
		Long: `Every build buildscope runs leaves a record: its stages and steps, which
steps were cached, timings, errors and the image it produced. ID may be a
unique prefix or "last". ls shows each build's critical path (its steps
and the longest); show gives each step's duration in the last builds of
the same context, Dockerfile and target ("–": from the cache).

With --builder, ls also lists the builder's own build history: every build
it ran, buildscope's and those of buildx, buildctl or CI, with who made
them and whether they keep the provenance explaining them needs; show ID
and why ID then open a builder's record by BuildKit's ref (or a prefix),
its stages and lines from the Dockerfile in its provenance. rm removes
from buildscope's history, else from the builder's (it says which).
import FILE reads the bundle "docker buildx history export" writes, so a CI
build can be shown, replayed and explained elsewhere; import REF with
--builder copies a build of the builder's history, with the image it
exported while the builder still holds it, so build:REF opens it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return historyList(cmd, g, store(), asJSON)
		},
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(&cobra.Command{
		Use: "ls", Short: "List recorded builds, oldest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return historyList(cmd, g, store(), asJSON) },
	}, &cobra.Command{
		Use: "show ID", Short: "Show one build record (with --builder, also the builder's own, by ref)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := buildrun.OpenBuild(cmd.Context(), store(), strings.TrimPrefix(args[0], "build:"), g.builderOpener())
			if err != nil {
				return err
			}
			defer o.Close()
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), o.Build)
			}
			if isTerminal() && o.Build.Origin != nil {
				return replayForeign(cmd, o)
			}
			if isTerminal() {
				return replayBuild(cmd, g, store(), o.Build)
			}
			all, err := store().List()
			if err != nil {
				return err
			}
			_, err = io.WriteString(cmd.OutOrStdout(), o.Build.Text(all))
			return err
		},
	}, historyDoctor(store), &cobra.Command{
		Use: "rm ID", Short: "Remove a build record: buildscope's, else (with --builder) the builder's own", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			from, id := "buildscope's history", ""
			b, err := store().Remove(args[0])
			if err == nil {
				id = b.ID
			} else if g.builder != "" {
				bl, cerr := g.connect(cmd.Context())
				if cerr != nil {
					return cerr
				}
				defer bl.Close()
				from = "the " + bl.Name() + " builder's history"
				if id, err = buildrun.RemoveBuilderRecord(cmd.Context(), bl, args[0]); err != nil {
					return err
				}
			} else {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]string{"removed": id, "from": from})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s from %s\n", id, from)
			return nil
		},
	}, &cobra.Command{
		Use: "import FILE|REF", Short: "Import a `docker buildx history export` bundle, or (with --builder) a build of the builder's history with its image", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			builds, err := importBuilds(cmd, g, store(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), builds)
			}
			for _, b := range builds {
				fmt.Fprintf(cmd.OutOrStdout(), "imported %s (%s, %d/%d steps cached) into buildscope's history: history show %s\n", b.ID, b.Status, b.Cache.StepsCached, b.Cache.StepsTotal, b.ID)
			}
			return nil
		},
	})
	return cmd
}

// importBuilds imports a bundle file or, with --builder and no such
// file, the builder's record of that ref.
func importBuilds(cmd *cobra.Command, g *globals, h buildrun.History, arg string) ([]*model.Build, error) {
	if _, err := os.Stat(arg); err == nil || g.builder == "" {
		return buildrun.ImportBundle(cmd.Context(), h, arg)
	}
	b, err := g.connect(cmd.Context())
	if err != nil {
		return nil, err
	}
	defer b.Close()
	rec, err := buildrun.ImportBuilderRecord(cmd.Context(), b, h, g.paths, arg)
	if err != nil {
		return nil, err
	}
	return []*model.Build{rec}, nil
}

// builderOpener connects to --builder, nil when none was named: builds
// are then looked for in buildscope's history only.
func (g *globals) builderOpener() func(context.Context) (*buildrun.Builder, error) {
	if g.builder == "" {
		return nil
	}
	return g.connect
}

// replayForeign replays a build of the builder's own history in the
// build UI, from its log blob, with the Dockerfile its provenance keeps.
func replayForeign(cmd *cobra.Command, o *buildrun.OpenedBuild) error {
	b := o.Build
	m := buildui.New(buildui.Options{Title: "build " + b.ID + " (" + b.Origin.By + ")", Builder: b.Builder, Replay: b, Dockerfile: o.Dockerfile,
		Why: func(*model.Build) (*model.Explanation, error) { return o.Explain() }, Context: cmd.Context()})
	defer m.Close()
	m.LoadLogs(o.Events)
	return common.Run(cmd.Context(), cmd.OutOrStdout(), m, nil)
}

func historyList(cmd *cobra.Command, g *globals, h buildrun.History, asJSON bool) error {
	all, err := h.List()
	if err != nil {
		return err
	}
	if all == nil {
		all = []*model.Build{}
	}
	var recs []buildrun.BuilderRecord
	if g.builder != "" {
		b, err := g.connect(cmd.Context())
		if err != nil {
			return err
		}
		defer b.Close()
		recs, err = buildrun.BuilderHistory(cmd.Context(), b, 0)
		if errors.Is(err, buildrun.ErrNoBuilderHistory) {
			fmt.Fprintln(cmd.ErrOrStderr(), "buildscope: "+err.Error())
		} else if err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	switch {
	case asJSON && g.builder != "":
		if recs == nil {
			recs = []buildrun.BuilderRecord{}
		}
		return writeJSON(w, map[string]any{"buildscope": all, "builder": recs})
	case asJSON:
		return writeJSON(w, all)
	}
	if _, err := io.WriteString(w, model.HistoryTable(all)); err != nil || recs == nil {
		return err
	}
	_, err = fmt.Fprintf(w, "\nthe %s builder's own history:\n%s", g.builder, buildrun.BuilderTable(recs))
	return err
}

// historyDoctor lists the damaged records, and with --fix removes them.
func historyDoctor(store func() buildrun.History) *cobra.Command {
	var fix bool
	cmd := &cobra.Command{
		Use: "doctor", Short: "Find damaged build records; --fix removes them", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h := store()
			good, damaged, err := h.Scan()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, d := range damaged {
				if !fix {
					fmt.Fprintf(w, "damaged: %s (%s: %v)\n", d.ID, d.Path, d.Err)
					continue
				}
				if _, err := h.Remove(d.ID); err != nil {
					return err
				}
				fmt.Fprintf(w, "removed damaged record %s (%v)\n", d.ID, d.Err)
			}
			fmt.Fprintf(w, "%d records readable, %d damaged\n", len(good), len(damaged))
			if len(damaged) > 0 && !fix {
				return &exitError{code: 1, err: fmt.Errorf("%d damaged records: `buildscope history doctor --fix` removes them", len(damaged))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&fix, "fix", false, "remove the damaged records")
	return cmd
}

// runHome is `buildscope` alone on a terminal: the history list. What is
// picked there (a replay, an image, an attach, a comparison) opens in its
// own UI, and the list comes back when it is left.
func runHome(cmd *cobra.Command, g *globals) error {
	ctx := cmd.Context()
	hs, err := buildrun.OpenHistorySource(ctx, buildrun.History{Dir: g.paths.History(), Warn: io.Discard}, g.builder, g.tls)
	if err != nil {
		return err
	}
	defer hs.Close()
	explain := func(ctx context.Context, row model.HistoryRow) (*model.Build, *model.Explanation, error) {
		o, err := hs.Open(ctx, row)
		if err != nil {
			return nil, nil, err
		}
		ex, err := o.Explain()
		return o.Build, ex, err
	}
	var notice, sel, filter string
	for ctx.Err() == nil {
		m := home.New(home.Options{Title: hs.BuilderName(), Load: hs.Entries, Explain: explain, Context: ctx, Notice: notice, Select: sel, Filter: filter})
		if err := common.Run(ctx, cmd.OutOrStdout(), m, nil); err != nil {
			return err
		}
		ch := m.Choice()
		if ch.Kind == home.ChoiceNone {
			return nil
		}
		sel, filter = ch.Rows[0].ID, m.Filter()
		notice = ""
		if err := homeChoice(cmd, g, hs, ch); err != nil {
			notice = err.Error()
		}
	}
	return nil
}

// homeChoice opens what was picked in the history list.
func homeChoice(cmd *cobra.Command, g *globals, hs *buildrun.HistorySource, ch home.Choice) error {
	row := ch.Rows[0]
	switch ch.Kind {
	case home.ChoiceReplay:
		o, err := hs.Open(cmd.Context(), row)
		if err != nil {
			return err
		}
		defer o.Close()
		if o.Build.Origin != nil {
			return replayForeign(cmd, o)
		}
		return replayBuild(cmd, g, hs.History, o.Build)
	case home.ChoiceInspect:
		if err := hs.Localize(cmd.Context(), g.paths, row); err != nil {
			return err
		}
		return runInspect(cmd, g, &inspectOptions{}, "build:"+row.ID)
	case home.ChoiceAttach:
		if hs.Builder == nil {
			return fmt.Errorf("build %s runs on a builder this list does not reach: `buildscope attach --builder ADDR %s`", row.ID, row.ID)
		}
		return attachTUI(cmd, hs.Builder, row.ID)
	case home.ChoiceCompare:
		for _, r := range ch.Rows {
			if err := hs.Localize(cmd.Context(), g.paths, r); err != nil {
				return err
			}
		}
		// the hook for the compare view (tui/compareview): until it is
		// here, the list says the command that compares the two
		return fmt.Errorf("compare them with: buildscope compare build:%s build:%s", ch.Rows[0].ID, ch.Rows[1].ID)
	}
	return nil
}
