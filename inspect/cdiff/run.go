package cdiff

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/source"
)

// Result is a computed diff and the two views it compared, for content
// diffs. Old and New are nil when the content diffs were made already,
// before the container whose layer they read was removed.
type Result struct {
	Changes  []Change
	Old, New FS
	// ExitCode is the command's exit code where the runner knows it (the
	// engine's); Stopped says the runner killed it after RunOptions.Timeout.
	ExitCode int64
	Stopped  bool
	// Output is what the command wrote to stdout and stderr, where the
	// runner sees it (BuildKit's, which streams it as the run's log).
	Output []byte
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
	base, err := imageTree(img, nil)
	if err != nil {
		return nil, err
	}
	res, err := exportChanges(base, f, content, func(keep map[string]bool) (*Tree, error) { return imageTree(img, keep) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", export, err)
	}
	return res, nil
}

// exportChanges diffs a `docker export` stream against the image's tree;
// reread gives the image's tree again keeping the given files' content,
// for content diffs.
func exportChanges(base *Tree, export io.Reader, content bool, reread func(map[string]bool) (*Tree, error)) (*Result, error) {
	ro := ReadOptions{}
	if content {
		ro.Keep = func(e *Entry) bool {
			b, err := base.Lstat(e.Path)
			return err != nil || b.Digest != e.Digest
		}
	}
	ctr := NewTree()
	if err := ctr.ApplyLayer(export, ro); err != nil {
		return nil, fmt.Errorf("reading the container's export: %w", err)
	}
	AddDockerInit(base, ctr)
	changes, err := Diff(base, ctr)
	if err != nil {
		return nil, err
	}
	DeletedSizes(base, changes)
	old := base
	if content {
		keep := map[string]bool{}
		for _, c := range changes {
			if c.Kind == Changed {
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

// imageTree reads an image's filesystem, keeping the content of keep.
func imageTree(img v1.Image, keep map[string]bool) (*Tree, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the image's layers: %w", err)
	}
	openers := make([]Opener, len(layers))
	for i, l := range layers {
		openers[i] = l.Uncompressed
	}
	ro := ReadOptions{}
	if len(keep) > 0 {
		ro.Keep = KeepPaths(keep)
	}
	t, err := ReadImage(openers, ro)
	if err != nil {
		return nil, fmt.Errorf("reading the image's filesystem: %w", err)
	}
	return t, nil
}

// withTimeout bounds ctx by d when d is set.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
