package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/shlex"

	"github.com/buildscope/buildscope/assets/help"
)

// Every command whose help lives in assets/help has its text there, and
// every example runs through that command's own flag parser: an example
// naming a flag the command lacks, or an example directory that does not
// exist, fails here rather than in a user's terminal.
func TestHelpExamplesParse(t *testing.T) {
	root := newRootCmd()
	files, err := filepath.Glob("../../assets/help/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no help files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		cmd := root
		if name != "buildscope" {
			if cmd, _, err = root.Find([]string{name}); err != nil || cmd == root {
				t.Errorf("%s: no command %q", f, name)
				continue
			}
		}
		if cmd.Long != help.Long(name) || cmd.Long == "" {
			t.Errorf("buildscope %s --help does not show %s", name, f)
		}
		if cmd.Example != help.Example(name) {
			t.Errorf("buildscope %s --help does not show the examples of %s", name, f)
		}
		for _, line := range strings.Split(cmd.Example, "\n") {
			if line != "" {
				checkExample(t, name, line)
			}
		}
	}
}

// checkExample parses one example line (a comment after '#' dropped) as
// the command line it shows, on a command tree of its own (flags keep
// their values between parses).
func checkExample(t *testing.T, name, line string) {
	t.Helper()
	root := newRootCmd()
	line, _, _ = strings.Cut(line, "#")
	args, err := shlex.Split(line)
	for i, a := range args {
		if a == ">" || a == "|" { // the shell's redirection or pipe, not the command's
			args = args[:i]
			break
		}
	}
	if err != nil || len(args) < 2 || args[0] != "buildscope" || args[1] != name {
		t.Errorf("%s example %q is not a `buildscope %s` command line (%v)", name, line, name, err)
		return
	}
	cmd, rest, err := root.Find(args[1:])
	if err != nil {
		t.Errorf("%s example %q: %v", name, line, err)
		return
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("%s example %q: %v", name, line, err)
		return
	}
	// wrong arguments, or a misspelled subcommand (an argument of its
	// parent, which takes none)
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		t.Errorf("%s example %q: %v", name, line, err)
	}
	for _, a := range cmd.Flags().Args() {
		if p, ok := strings.CutPrefix(a, "assets/"); ok {
			if _, err := os.Stat(filepath.Join("../../assets", p)); err != nil {
				t.Errorf("%s example %q names %s: %v", name, line, a, err)
			}
		}
	}
	for _, f := range []string{"file", "compare"} {
		if fl := cmd.Flags().Lookup(f); fl != nil && strings.HasPrefix(fl.Value.String(), "assets/") {
			if _, err := os.Stat(filepath.Join("../..", fl.Value.String())); err != nil {
				t.Errorf("%s example %q: --%s %v", name, line, f, err)
			}
		}
	}
}
