package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
	"github.com/buildscope/buildscope/model"
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
			ref := ""
			if len(args) == 1 {
				ref = args[0]
			} else {
				r, n, err := builderhistory.Newest(ctx, b)
				if err != nil {
					return err
				}
				ref = r.Ref
				fmt.Fprintf(cmd.ErrOrStderr(), "attaching to %s (started %s; %d running)\n", model.Printable(ref), r.Started.Local().Format("15:04:05"), n)
			}
			if interactive {
				return g.env(cmd).Attach(ctx, b, ref)
			}
			return g.env(cmd).Follow(ctx, b, ref, mode)
		},
	}
	cmd.Flags().StringVar(&progressFlag, "progress", "auto", "progress output: auto, tty, plain or json")
	return cmd
}
