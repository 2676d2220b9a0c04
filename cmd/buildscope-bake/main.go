// Command buildscope-bake reads bake files for `buildscope bake`: it takes
// the request (bakespec.Request) as JSON in its one argument, reads the
// files with buildx's own parser from the working directory (stdin for
// `-f -`), and writes the resolved targets (bakespec.Resolved) as JSON on
// stdout; on bad input it writes one line on stderr and exits 1.
//
// It is a process of its own so that buildx's package initialisers (its
// bake parser brings Compose's JSON schemas, OPA and sigstore) run only
// when a bake file is read, not at the start of every buildscope command.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/buildscope/buildscope/buildrun/bakefile"
	"github.com/buildscope/buildscope/buildrun/bakespec"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "buildscope-bake is run by `buildscope bake`, with its request as JSON in one argument")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run resolves the request and writes the answer; a panic in the parser
// is one line, never a stack on the user's terminal.
func run(ctx context.Context, request string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("buildx's bake parser failed on these files (panic: %v): please report it with the bake file", r)
		}
	}()
	var req bakespec.Request
	if err := json.Unmarshal([]byte(request), &req); err != nil {
		return fmt.Errorf("buildscope-bake: reading the request: %w", err)
	}
	res, err := bakefile.Resolve(ctx, req)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return fmt.Errorf("buildscope-bake: writing the targets: %w", err)
	}
	return nil
}
