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
	var o debug.Flags
	cmd := &cobra.Command{
		Use: "debug [flags] PATH", Short: "Build, and open a shell in the state of the RUN step that fails",
		Long: help.Long("debug"), Example: help.Example("debug"), Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.opts.ContextDir, o.Context, o.Dockerfile = args[0], args[0], f.opts.Dockerfile
			s, err := debug.NewCLISession(o, os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			return s.Exit(runBuild(cmd, g, f, s)) // the shell's status is debug's: CI reads it
		},
	}
	addInputFlags(cmd.Flags(), &f.opts, "stage to build (default: the last)")
	cmd.Flags().StringVar(&o.On, "on", "error", "when to open the shell: error (in a failed RUN step) or always (also in the built image when the build succeeds)")
	cmd.Flags().StringVar(&o.Invoke, "invoke", "", "run CMD (with /bin/sh -c) in the failed step instead of an interactive shell, and exit with its status")
	cmd.Flags().StringVar(&o.Break, "break", "", "pause before the step at each Dockerfile LINE[,LINE…]: the process (--invoke, or a shell) opens in its input state, and the build goes on when it exits")
	cmd.Flags().BoolVar(&o.Edit, "edit", false, "then open $EDITOR (else vi) on the failed instruction and re-run the build with it edited (only that step and those after it run; nothing is exported)")
	cmd.Flags().StringVar(&o.EditWith, "edit-with", "", "as --edit, editing with CMD (run as `CMD FILE`, e.g. \"sed -i 's/exit 3/exit 0/'\") instead of $EDITOR")
	cmd.Flags().BoolVar(&o.WriteBack, "write-back", false, "with --edit: write the edited instruction into the Dockerfile (refused if the file changed since the build read it)")
	return cmd
}
