package cdiffrun

import (
	"context"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/engine"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/model"
)

// CheckSelection checks, before any work, how an engine container is to
// be read (auto, overlay or export) and the path globs that select the
// changes shown.
func CheckSelection(method string, patterns []string) error {
	switch method {
	case "auto", "overlay", "export":
	default:
		return fmt.Errorf("--method %q: use auto, overlay or export", method)
	}
	for _, p := range patterns {
		if _, err := path.Match(p, "/"); err != nil {
			return fmt.Errorf("--path %q: %w", p, err)
		}
	}
	return nil
}

// RunOn connects to the builder, runs o's command in a container of
// o.Image there and diffs what it wrote. What the command printed (where
// the runner kept it) goes to stderr, and a note when it was stopped
// after o.Timeout or its exit status is unknown; a non-zero status is the
// result's, for Request.Print to return.
func RunOn(ctx context.Context, connect builder.Connector, paths state.Paths, o RunOptions, stderr io.Writer) (*Result, error) {
	b, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	res, err := NewRunner(b, paths).Run(ctx, o)
	if err != nil {
		return nil, err
	}
	stderr.Write(res.Output)
	switch {
	case res.Stopped:
		fmt.Fprintf(stderr, "buildscope: stopped the container after --timeout %s\n", o.Timeout)
	case !res.ExitKnown:
		fmt.Fprintln(stderr, "buildscope: the command's exit status is unknown: the image has no /bin/sh to report it on a BuildKit builder (--builder docker reports it)")
	}
	return res, nil
}

// ImageDiffer returns the build UI's diff: it runs a recorded build's
// image with its own command (for at most a minute) on the builder
// connect reaches and returns every change, with content diffs.
func ImageDiffer(connect builder.Connector, paths state.Paths) func(context.Context, *model.Build) ([]cdiff.Change, error) {
	return func(ctx context.Context, b *model.Build) ([]cdiff.Change, error) {
		o := RunOptions{Image: "build:" + b.ID, Timeout: time.Minute, Content: true}
		res, err := RunOn(ctx, connect, paths, o, io.Discard)
		if err != nil {
			return nil, err
		}
		return res.Select(nil, true), nil
	}
}

// Request is one `buildscope diff`: whose changes to read (a `docker
// export` tarball, a run of Args on the builder, or else an engine
// container), how, and which to show.
type Request struct {
	RunOptions
	// Run runs Args (none: the image's own command) in a new container
	// of Image on the builder.
	Run bool
	// Container is the engine container to read (diff CONTAINER).
	Container string
	// Export is a `docker export` tarball of a container of Image, read
	// offline.
	Export string
	// Patterns select the changes shown (Select).
	Patterns []string
}

// Print reads the request's diff (Changes) and writes it to stdout, as
// JSON with asJSON. When the command it ran exited non-zero, it returns a
// *CommandExited after the changes, so that buildscope exits with the
// command's status.
func (r Request) Print(ctx context.Context, connect builder.Connector, paths state.Paths, stdout, stderr io.Writer, asJSON bool) error {
	res, err := r.result(ctx, connect, paths, stderr)
	if err != nil {
		return err
	}
	if err := cdiff.Write(stdout, res.Select(r.Patterns, r.Content), asJSON); err != nil {
		return err
	}
	if res.ExitKnown && res.ExitCode != 0 && !res.Stopped {
		return &CommandExited{Code: int(res.ExitCode)}
	}
	return nil
}

// result reads the request's diff (ExportChanges, RunOn the builder
// connect reaches with its notes on stderr, or ContainerChanges).
func (r Request) result(ctx context.Context, connect builder.Connector, paths state.Paths, stderr io.Writer) (*Result, error) {
	var (
		res *Result
		err error
	)
	switch {
	case r.Export != "":
		res, err = ExportChanges(ctx, r.Image, r.Platform, r.Export, paths, r.Content)
	case r.Run:
		res, err = RunOn(ctx, connect, paths, r.RunOptions, stderr)
	default:
		res, err = ContainerChanges(ctx, r.Container, r.RunOptions)
	}
	return res, err
}

// ContainerChanges diffs the Docker engine's container name (running or
// stopped) against its image; o.Method and o.Content apply.
func ContainerChanges(ctx context.Context, name string, o RunOptions) (*Result, error) {
	dc, err := engine.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer dc.Close()
	return (&EngineRunner{Docker: dc}).Changes(ctx, name, o)
}
