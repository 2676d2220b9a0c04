// Command buildscope is a terminal build explorer for container images: it
// drives BuildKit builds, records them, and explains their results.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/stagesize"
	"github.com/buildscope/buildscope/tui/launch"
)

// exitError carries a specific exit code (130 for a canceled build).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string   { return e.err.Error() }
func (e *exitError) ExitStatus() int { return e.code }

// ended is how a build (what names it) ended, as the command's error:
// canceled exits 130.
func ended(what string, err error) error {
	if errors.Is(err, build.ErrCanceled) {
		return &exitError{code: 130, err: fmt.Errorf("%s canceled", what)}
	}
	if err != nil {
		return fmt.Errorf("%s failed: %w", what, err)
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	buildrun.ExitWhenStuck(ctx, buildrun.InterruptGrace, os.Stderr, os.Exit)
	err := execute(ctx)
	if err == nil {
		return
	}
	code := 1
	var ee interface{ ExitStatus() int } // exitError, cdiffrun.CommandExited
	if errors.As(err, &ee) {
		code = ee.ExitStatus()
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, "buildscope:", msg)
	}
	os.Exit(code)
}

// execute runs the command line. A panic in it becomes one line naming
// where it happened (the end-to-end tests look for "panic:"), exit 70,
// never a Go stack dump on the user's terminal.
func execute(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			where := buildrun.PanicSite()
			err = &exitError{code: 70, err: fmt.Errorf("internal error (panic: %v) at %s: please report it with the command you ran (README: Reporting a problem)", r, where)}
		}
	}()
	return newRootCmd().ExecuteContext(ctx)
}

// commands are the subcommands defined in their own files; each file
// registers its constructor from init, so commands can be added without
// touching this one.
var commands []func(*globals) *cobra.Command

// globals are flags every command shares.
type globals struct {
	debug   string
	version bool // --version
	builder string
	tls     builder.ConnectOptions
	paths   state.Paths
	hist    history.History // names each damaged record once, on stderr
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use: "buildscope", Short: "Build, inspect and explain container images",
		Long:          help.Long("buildscope"),
		SilenceUsage:  true,
		SilenceErrors: true, // no Args: cobra's own check suggests a command for a mistyped one
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.version {
				return g.versions(cmd, false)
			}
			if !isTerminal() {
				return cmd.Help()
			}
			return g.env(cmd).Home(cmd.Context()) // the history list
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			p, err := state.DefaultPaths()
			if err != nil {
				return err
			}
			g.paths = p
			g.hist = history.History{Dir: p.History(), Warn: history.NewWarner(os.Stderr)}
			g.tls.Paths, g.tls.Env = p, builder.EnvFromOS()
			g.tls.ContentSizes = stagesize.ContentSizer(p) // a record's sizes, as inspect and stages count them
			return buildrun.SetupLogging(g.debug)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.debug, "debug", "", "write debug logs (BuildKit client, session) to this file")
	root.Flags().BoolVar(&g.version, "version", false, "print buildscope's, its BuildKit client's and the builder's versions")
	pf.StringVar(&g.builder, "builder", "", "where builds run: embedded, docker, or a BuildKit address (unix://, tcp://, docker-container://, kube-pod://, ssh://)")
	pf.StringVar(&g.tls.TLSCACert, "tlscacert", "", "CA certificate for a tcp:// builder")
	pf.StringVar(&g.tls.TLSCert, "tlscert", "", "client certificate for a tcp:// builder")
	pf.StringVar(&g.tls.TLSKey, "tlskey", "", "client key for a tcp:// builder")
	pf.StringVar(&g.tls.TLSServerName, "tlsservername", "", "server name to verify for a tcp:// builder")
	root.AddCommand(newBuildCmd(g), newHistoryCmd(g), newBuilderCmd(g))
	for _, c := range commands {
		root.AddCommand(c(g))
	}
	return root
}

// connect connects to the chosen builder.
func (g *globals) connect(ctx context.Context) (*builder.Builder, error) {
	return builder.Connect(ctx, g.builder, g.tls)
}

// env is what the UIs cmd starts reach.
func (g *globals) env(cmd *cobra.Command) launch.Env {
	return launch.Env{Paths: g.paths, Connect: g.connect, Builder: g.builder, TLS: g.tls, Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr(),
		BeforeUI: buildrun.LimitMemory, Inspect: func(_ context.Context, spec string) error { return runInspect(cmd, g, &inspectOptions{}, spec) }}
}
