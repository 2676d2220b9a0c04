package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// A panic anywhere in a command becomes one line naming where it
// happened and what to do, exit 70, never a Go stack dump: a command
// that panics is added for the test and run through execute, as main
// runs every command. (Where it names is buildrun.PanicSite's test:
// main's runtime.Caller(3) names cobra's frame for this panic.)
func TestPanicBecomesOneLine(t *testing.T) {
	saved := commands
	t.Cleanup(func() { commands = saved })
	commands = append(append([]func(*globals) *cobra.Command{}, saved...), func(*globals) *cobra.Command {
		return &cobra.Command{Use: "crash-for-test", Hidden: true, RunE: func(*cobra.Command, []string) error {
			panic("a bug")
		}}
	})
	args := os.Args
	t.Cleanup(func() { os.Args = args })
	os.Args = []string{"buildscope", "crash-for-test"}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	err := execute(context.Background())
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 70 {
		t.Fatalf("error %v, want exit code 70", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "internal error (panic: a bug) at ") ||
		!strings.HasSuffix(msg, ": please report it with the command you ran (README: Reporting a problem)") {
		t.Errorf("message %q", msg)
	}
}
