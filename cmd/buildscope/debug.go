package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun/debug"
)

func init() { commands = append(commands, newDebugCmd) }

func newDebugCmd(g *globals) *cobra.Command {
	f := &buildFlags{progress: "plain", logCap: 256 << 10}
	var invoke, on, breaks string
	cmd := &cobra.Command{
		Use: "debug [flags] PATH", Short: "Build, and open a shell in the state of the RUN step that fails",
		Long: help.Long("debug"), Example: help.Example("debug"), Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.opts.ContextDir = args[0]
			s, err := debug.NewSession(on, invoke, os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if err == nil {
				err = s.Break(breaks)
			}
			if err != nil {
				return err
			}
			return s.Exit(runBuild(cmd, g, f, s)) // the shell's status is debug's: CI reads it
		},
	}
	addInputFlags(cmd.Flags(), &f.opts, "stage to build (default: the last)")
	cmd.Flags().StringVar(&on, "on", "error", "when to open the shell: error (in a failed RUN step) or always (also in the built image when the build succeeds)")
	cmd.Flags().StringVar(&invoke, "invoke", "", "run CMD (with /bin/sh -c) in the failed step instead of an interactive shell, and exit with its status")
	cmd.Flags().StringVar(&breaks, "break", "", "pause before the step at each Dockerfile LINE[,LINE…]: the process (--invoke, or a shell) opens in its input state, and the build goes on when it exits")
	return cmd
}
