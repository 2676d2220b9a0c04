// Package cdiffrun produces the two views inspect/cdiff compares from
// containers: a Runner runs a command in a container of an image and diffs
// what it wrote (EngineRunner on the Docker engine, BuildKitRunner with
// BuildKit's own exec and llb.Diff); ContainerChanges reads an engine
// container; ExportChanges reads a `docker export` offline. Request,
// CheckSelection and ImageDiffer are `buildscope diff`'s and the build UI's
// ways in.
package cdiffrun

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/source"
)

// Result is a computed diff and the two views it compared, for content
// diffs. Old and New are nil when the content diffs were made already,
// before the container whose layer they read was removed.
type Result struct {
	Changes  []cdiff.Change
	Old, New cdiff.FS
	// ExitCode is the command's exit code where the runner knows it
	// (ExitKnown: the engine's, and BuildKit's for an image with /bin/sh);
	// Stopped says the runner killed it after RunOptions.Timeout.
	ExitCode  int64
	ExitKnown bool
	Stopped   bool
	// Output is what the command wrote to stdout and stderr, where the
	// runner sees it (BuildKit's, which streams it as the run's log).
	Output []byte
}

// Select returns the changes under the glob patterns (all of them when
// there are none), with unified diffs of added and changed text files
// when content is set and the result still holds the two views.
func (r *Result) Select(patterns []string, content bool) []cdiff.Change {
	changes := cdiff.Filter(r.Changes, patterns)
	if content && r.Old != nil && r.New != nil {
		cdiff.AddContentDiffs(r.Old, r.New, changes)
	}
	if changes == nil {
		changes = []cdiff.Change{}
	}
	return changes
}

// RunOptions say what to run in a container of an image, and how to read
// what it changed.
type RunOptions struct {
	// Image is the image, as source.Open names it.
	Image string
	// Platform picks the image of a multi-platform index ("": the host's).
	Platform string
	// Args is the command; none runs the image's own.
	Args     []string
	User     string
	ReadOnly bool
	Tmpfs    []string
	// Timeout stops the command after this long; zero waits for it.
	Timeout time.Duration
	// Content keeps what content diffs of added and changed files need.
	Content bool
	// Method is how the engine's container is read: auto, overlay (its
	// layer on disk) or export (docker export).
	Method string
}

// A Runner runs a command in a container of an image, waits for it to exit
// and diffs what it wrote against the image. The container is gone when
// Run returns.
type Runner interface {
	Run(ctx context.Context, o RunOptions) (*Result, error)
}

// NewRunner returns the runner of builder b: the Docker engine's for the
// docker builder, BuildKit's own for every other. paths locate the
// recorded builds images may name.
func NewRunner(b *builder.Builder, paths state.Paths) Runner {
	if b.Kind == builder.KindDocker {
		return &EngineRunner{Docker: b.Docker, Paths: paths}
	}
	return &BuildKitRunner{Builder: b, Paths: paths}
}

// ExportChanges diffs a `docker export` tarball of a container of image
// against the image, offline.
func ExportChanges(ctx context.Context, image, platform, export string, paths state.Paths, content bool) (*Result, error) {
	f, err := os.Open(export)
	if err != nil {
		return nil, fmt.Errorf("opening --export: %w", err)
	}
	defer f.Close()
	img, err := source.Open(ctx, image, source.Options{Paths: paths, Platform: platform})
	if err != nil {
		return nil, err
	}
	defer img.Close()
	base, err := cdiff.ImageTree(img, nil)
	if err != nil {
		return nil, err
	}
	res, err := exportChanges(base, f, content, func(keep map[string]bool) (*cdiff.Tree, error) { return cdiff.ImageTree(img, keep) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", export, err)
	}
	return res, nil
}

// exportChanges diffs a `docker export` stream against the image's tree;
// reread gives the image's tree again keeping the given files' content,
// for content diffs.
func exportChanges(base *cdiff.Tree, export io.Reader, content bool, reread func(map[string]bool) (*cdiff.Tree, error)) (*Result, error) {
	ro := cdiff.ReadOptions{}
	if content {
		ro.Keep = func(e *cdiff.Entry) bool {
			b, err := base.Lstat(e.Path)
			return err != nil || b.Digest != e.Digest
		}
	}
	ctr := cdiff.NewTree()
	if err := ctr.ApplyLayer(export, ro); err != nil {
		return nil, fmt.Errorf("reading the container's export: %w", err)
	}
	cdiff.AddDockerInit(base, ctr)
	changes, err := cdiff.Diff(base, ctr)
	if err != nil {
		return nil, err
	}
	cdiff.DeletedSizes(base, changes)
	old := base
	if content {
		keep := map[string]bool{}
		for _, c := range changes {
			if c.Kind == cdiff.Changed {
				keep[c.Path] = true
			}
		}
		if len(keep) > 0 {
			if old, err = reread(keep); err != nil {
				return nil, err
			}
		}
	}
	return &Result{Changes: changes, Old: old, New: ctr}, nil
}

// withTimeout bounds ctx by d when d is set.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
