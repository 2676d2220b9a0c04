package cdiffrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
)

// buildkitStore names the OCI layout the image is handed to BuildKit in.
const buildkitStore = "buildscope-diff"

// BuildKitRunner runs commands with BuildKit itself: an LLB exec on the
// image, and llb.Diff(image, result) exported as an image whose one layer
// holds exactly the changes, whiteouts included. BuildKit removes the
// exec's container when it exits. o.Method does not apply.
type BuildKitRunner struct {
	Builder *builder.Builder
	// Paths locate the recorded builds an image spec may name.
	Paths state.Paths
}

// Run runs o.Args (or the image's command) on o.Image and diffs what it
// wrote. A run stopped by o.Timeout leaves no changes, so it is an error.
func (r *BuildKitRunner) Run(ctx context.Context, o RunOptions) (*Result, error) {
	img, err := source.Open(ctx, o.Image, source.Options{Paths: r.Paths, Platform: o.Platform})
	if err != nil {
		return nil, err
	}
	defer img.Close()
	dir, err := os.MkdirTemp("", "buildscope-diff-")
	if err != nil {
		return nil, fmt.Errorf("staging the image: %w", err)
	}
	defer os.RemoveAll(dir)
	st, storeDir, err := stageImage(img, filepath.Join(dir, "layout"))
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the config of %s: %w", o.Image, err)
	}
	args := append(append([]string{}, cfg.Config.Entrypoint...), o.Args...)
	if len(o.Args) == 0 {
		args = append(args, cfg.Config.Cmd...)
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("%s has no command: give one after --", o.Image)
	}
	if o.User != "" {
		st = st.User(o.User)
	}
	codes := make([]int, 256)
	for i := range codes {
		codes[i] = i
	}
	runName := fmt.Sprintf("[diff] %v", args)
	res, err := r.run(ctx, o, img, st, storeDir, dir, args, runName, codes, true)
	if err == errNoShell { // nothing ran: its exit status stays unknown
		res, err = r.run(ctx, o, img, st, storeDir, dir, args, runName, codes, false)
	}
	return res, err
}

// errNoShell says the run under /bin/sh did not start (the image has
// none), or that the shell found no command to start: either way nothing
// ran, and the command runs again as it is.
var errNoShell = errors.New("the image has no /bin/sh")

// run runs args once, under /bin/sh reporting its exit status when
// wrapped is set (exitWrapper).
func (r *BuildKitRunner) run(ctx context.Context, o RunOptions, img *source.Image, st llb.State, storeDir, dir string, args []string, runName string, codes []int, wrapped bool) (*Result, error) {
	execArgs, marker := args, ""
	if wrapped {
		execArgs, marker = exitWrapper(args)
	}
	runOpts := []llb.RunOption{llb.Args(execArgs), llb.IgnoreCache, llb.ValidExitCodes(codes...),
		llb.WithCustomName(runName)}
	if o.ReadOnly {
		runOpts = append(runOpts, llb.ReadonlyRootFS())
	}
	for _, p := range o.Tmpfs {
		runOpts = append(runOpts, llb.AddMount(p, llb.Scratch(), llb.Tmpfs()))
	}
	run := st.Run(runOpts...).Root()
	def, err := llb.Diff(st, run).Marshal(ctx)
	if err != nil {
		return nil, fmt.Errorf("defining the run: %w", err)
	}
	store, err := local.NewStore(storeDir)
	if err != nil {
		return nil, fmt.Errorf("staging the image: %w", err)
	}
	out := filepath.Join(dir, "changes.tar")
	sctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	statusCh := make(chan *client.SolveStatus)
	output := make(chan []byte, 1)
	go func() { output <- runOutput(statusCh, runName) }()
	_, err = r.Builder.Client.Solve(sctx, def, client.SolveOpt{
		OCIStores: map[string]content.Store{buildkitStore: store},
		Exports: []client.ExportEntry{{Type: client.ExporterDocker, Output: func(map[string]string) (io.WriteCloser, error) {
			return os.Create(out)
		}}},
	}, statusCh)
	if err != nil {
		if errors.Is(sctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, fmt.Errorf("the command did not exit within --timeout %s; on a BuildKit builder a stopped run leaves no changes to diff (use --builder docker to diff a stopped container)", o.Timeout)
		}
		return nil, fmt.Errorf("running %v on %s: %w", args, r.Builder.Name(), err)
	}
	res, err := layerChanges(img, out)
	if err != nil {
		return nil, err
	}
	res.Output = <-output
	if cause, ok := notStarted(res.Output); ok && wrapped && strings.Contains(cause, "/bin/sh") || wrapped && cannotStart(res.Output, marker) {
		return nil, errNoShell
	} else if ok {
		// every exit code is valid so that a failing command's changes are
		// kept; one that never started has none and must not pass as "no
		// changes"
		return nil, fmt.Errorf("running %v on %s: the command did not start: %s", args, r.Builder.Name(), cause)
	}
	if wrapped {
		var code int
		res.Output, code, res.ExitKnown = cutExitStatus(res.Output, marker)
		res.ExitCode = int64(code)
	}
	return res, nil
}

// stageImage puts the image where BuildKit can read it (an OCI layout it
// reaches through the session: a build's own result layout, else a copy)
// and returns its LLB state, configured as the image says (env, workdir,
// user).
func stageImage(img *source.Image, dir string) (llb.State, string, error) {
	dgst, err := img.Digest()
	if err != nil {
		return llb.State{}, "", fmt.Errorf("reading %s: %w", img.Spec, err)
	}
	if b := img.Build; b != nil && b.Result != nil && b.Result.Kind == model.ResultOCILayout {
		if _, err := os.Stat(filepath.Join(b.Result.Path, "blobs", "sha256", dgst.Hex)); err == nil {
			dir = b.Result.Path
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs", "sha256", dgst.Hex)); err != nil {
		p, err := layout.Write(dir, empty.Index)
		if err != nil {
			return llb.State{}, "", fmt.Errorf("staging the image: %w", err)
		}
		if err := p.AppendImage(img); err != nil {
			return llb.State{}, "", fmt.Errorf("staging the image: %w", err)
		}
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		return llb.State{}, "", fmt.Errorf("reading the config of %s: %w", img.Spec, err)
	}
	st := llb.OCILayout("buildscope/diff@"+dgst.String(), llb.OCIStore("", buildkitStore),
		llb.WithCustomName("[diff] load "+img.Spec))
	st, err = st.WithImageConfig(raw)
	if err != nil {
		return llb.State{}, "", fmt.Errorf("reading the config of %s: %w", img.Spec, err)
	}
	return st, dir, nil
}

// layerChanges reads the exported diff image (one layer of changes, or
// none when nothing changed) and diffs it against the image.
func layerChanges(img *source.Image, tarPath string) (*Result, error) {
	res, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		return nil, fmt.Errorf("reading BuildKit's export of the changes: %w", err)
	}
	layers, err := res.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading BuildKit's export of the changes: %w", err)
	}
	upper := cdiff.NewTree()
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			return nil, fmt.Errorf("reading the layer of changes: %w", err)
		}
		upper, err = cdiff.ReadChanges(rc, cdiff.ReadOptions{Keep: cdiff.KeepAll})
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the layer of changes: %w", err)
		}
	}
	if len(layers) > 1 {
		return nil, fmt.Errorf("BuildKit exported %d layers of changes, expected one", len(layers))
	}
	keep := map[string]bool{}
	upper.Walk(func(e *cdiff.Entry) { keep[e.Path] = true })
	base, err := cdiff.ImageTree(img, keep)
	if err != nil {
		return nil, err
	}
	cdiff.DropMountpoints(base, upper)
	changes, err := cdiff.DiffLayer(base, upper)
	if err != nil {
		return nil, err
	}
	cdiff.DeletedSizes(base, changes)
	return &Result{Changes: changes, Old: base, New: &cdiff.Overlay{Lower: base, Upper: upper}}, nil
}
