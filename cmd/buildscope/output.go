package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/buildscope/buildscope/model"
)

// isTerminal reports whether stdin and stdout are a terminal.
func isTerminal() bool {
	return term.IsTerminal(int(os.Stdout.Fd())) && term.IsTerminal(int(os.Stdin.Fd()))
}

// output prints v on stdout: as JSON with asJSON, else as text says.
func output(cmd *cobra.Command, asJSON bool, v any, text func() (string, error)) error {
	if asJSON {
		return model.WriteJSON(cmd.OutOrStdout(), v)
	}
	s, err := text()
	if err == nil {
		_, err = io.WriteString(cmd.OutOrStdout(), s)
	}
	return err
}

// warn prints notes on stderr as warnings.
func warn(cmd *cobra.Command, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(cmd.ErrOrStderr(), "buildscope: warning: "+n)
	}
}
