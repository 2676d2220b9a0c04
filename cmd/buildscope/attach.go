package main

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/buildui"
	"github.com/buildscope/buildscope/tui/progress"
)

func init() { commands = append(commands, newAttachCmd) }

func newAttachCmd(g *globals) *cobra.Command {
	var progressFlag string
	cmd := &cobra.Command{
		Use:   "attach [REF]",
		Short: "Watch a build someone else started on the builder",
		Long: `Follow a build running on the builder (--builder; default as for build),
whoever started it: docker buildx, buildctl, a CI job, another buildscope.
REF is BuildKit's ref of the build; without it, the most recently started
running build is followed. Progress is shown from the build's start until it
ends: on a terminal in the build UI (stages as BuildKit names them, steps,
logs; q detaches), else as BuildKit's plain progress. Ctrl-C detaches too;
the build goes on running.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			interactive, mode, err := progress.Mode(progressFlag, isTerminal())
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			b, err := g.connect(ctx)
			if err != nil {
				return err
			}
			defer b.Close()
			ref := ""
			if len(args) == 1 {
				ref = args[0]
			} else {
				running, err := buildrun.Running(ctx, b)
				if err != nil {
					return err
				}
				if len(running) == 0 {
					return fmt.Errorf("no build is running on the %s builder: start one, or name its ref", b.Name())
				}
				ref = running[0].Ref
				fmt.Fprintf(cmd.ErrOrStderr(), "attaching to %s (started %s; %d running)\n", ref, running[0].Started.Local().Format("15:04:05"), len(running))
			}
			if interactive {
				return attachTUI(cmd, b, ref)
			}
			return followBuild(ctx, cmd, b, ref, mode)
		},
	}
	cmd.Flags().StringVar(&progressFlag, "progress", "auto", "progress output: auto, tty, plain or json")
	return cmd
}

// followBuild shows a running build's progress with BuildKit's display.
func followBuild(ctx context.Context, cmd *cobra.Command, b *buildrun.Builder, ref string, mode progressui.DisplayMode) error {
	err := progress.Show(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), mode, func(onStatus func(*client.SolveStatus)) error {
		return buildrun.Attach(ctx, b, ref, onStatus)
	})
	if err == nil && ctx.Err() != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "detached from %s; it goes on running\n", ref)
	}
	return err
}

// attachTUI follows a running build in the build UI, without a Dockerfile:
// its stages are those BuildKit names. q or Ctrl-C detaches.
func attachTUI(cmd *cobra.Command, b *buildrun.Builder, ref string) error {
	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	ch := make(chan *client.SolveStatus, 256)
	m := buildui.New(buildui.Options{Title: "attached to " + ref, Builder: b.Name(), Events: ch, Cancel: cancel, Context: ctx, LogCap: 256 << 10})
	_, err := m.RunLive(ctx, cancel, cmd.OutOrStdout(), ch, func() (*model.Build, error) {
		rec := &model.Build{ID: ref, Builder: b.Name(), Status: model.StatusOK, Started: time.Now()}
		folder := model.NewFolder(rec, nil)
		err := buildrun.Attach(ctx, b, ref, func(s *client.SolveStatus) { folder.Add(s); ch <- s })
		rec = folder.Build()
		rec.Completed = time.Now()
		for _, st := range rec.Stages {
			for _, x := range st.Steps {
				if x.Error != "" {
					rec.Status = model.StatusError
				}
			}
		}
		if ctx.Err() != nil {
			rec.Status = model.StatusCanceled // detached: the UI quits
		}
		return rec, err
	})
	return err
}
