package main

import (
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
	"github.com/buildscope/buildscope/tui/progress"
)

func init() { commands = append(commands, newAttachCmd) }

func newAttachCmd(g *globals) *cobra.Command {
	var progressFlag string
	cmd := &cobra.Command{
		Use:   "attach [REF]",
		Short: "Watch a build someone else started on the builder",
		Long:  help.Long("attach"),
		Args:  cobra.MaximumNArgs(1),
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
			ref, err := builderhistory.AttachRef(ctx, b, append(args, "")[0], cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if interactive {
				defer builderhistory.Detached(ctx, b, ref, cmd.ErrOrStderr()) // says whether the build goes on
				return g.env(cmd).Attach(ctx, b, ref)
			}
			return g.env(cmd).Follow(ctx, b, ref, mode)
		},
	}
	cmd.Flags().StringVar(&progressFlag, "progress", "auto", "progress output: auto, tty, plain or json")
	return cmd
}
