package cdiffrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/moby/api/types/container"
	dockerclient "github.com/moby/moby/client"

	"github.com/buildscope/buildscope/buildrun/engine"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
)

// EngineRunner runs containers on the Docker engine and reads what they
// changed from their overlay2 layer on disk when this process can read
// it, else from `docker export`.
type EngineRunner struct {
	Docker *dockerclient.Client
	// Paths locate the recorded builds an image spec may name.
	Paths state.Paths
}

// Run runs o.Args in a container of o.Image on the engine, waits for it
// (or o.Timeout), diffs it and removes it. An image the engine does not
// have is loaded into it for the run, and removed after.
func (r *EngineRunner) Run(ctx context.Context, o RunOptions) (*Result, error) {
	dc := r.Docker
	ref, cleanup, err := r.engineImage(ctx, o.Image, o.Platform)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	tmpfs := map[string]string{}
	for _, p := range o.Tmpfs {
		tmpfs[p] = ""
	}
	cfg := &container.Config{Image: ref, User: o.User, Labels: map[string]string{"buildscope.diff": "1"}}
	if len(o.Args) > 0 {
		cfg.Cmd = o.Args
	}
	created, err := dc.ContainerCreate(ctx, dockerclient.ContainerCreateOptions{
		Config:     cfg,
		HostConfig: &container.HostConfig{ReadonlyRootfs: o.ReadOnly, Tmpfs: tmpfs},
	})
	if err != nil {
		return nil, fmt.Errorf("creating a container of %s: %w", o.Image, err)
	}
	id := created.ID
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = dc.ContainerRemove(rctx, id, dockerclient.ContainerRemoveOptions{Force: true})
	}()
	if _, err := dc.ContainerStart(ctx, id, dockerclient.ContainerStartOptions{}); err != nil {
		return nil, fmt.Errorf("starting %v in %s: %w", o.Args, o.Image, err)
	}
	code, err := waitContainer(ctx, dc, id, o.Timeout)
	if err != nil {
		return nil, err
	}
	res, err := r.Changes(ctx, id, o)
	if err != nil {
		return nil, err
	}
	res.ExitCode, res.Stopped, res.ExitKnown = code, code < 0, code >= 0
	if o.Content {
		// The container's layer goes with the container: read contents now.
		cdiff.AddContentDiffs(res.Old, res.New, res.Changes)
		res.Old, res.New = nil, nil
	}
	return res, nil
}

// Changes diffs the engine's container id (a name or an id, running or
// stopped) against its image: from its overlay2 layer on disk when this
// process can read it (as fast as the engine, and exact: the lower layers
// include the engine's init layer), else from `docker export` against the
// image saved from the engine. o.Method and o.Content apply.
func (r *EngineRunner) Changes(ctx context.Context, id string, o RunOptions) (*Result, error) {
	dc := r.Docker
	ins, err := dc.ContainerInspect(ctx, id, dockerclient.ContainerInspectOptions{})
	if err != nil {
		if errdefs.IsNotFound(err) {
			return nil, fmt.Errorf("no such container %q in the Docker engine at %s", id, dc.DaemonHost())
		}
		return nil, fmt.Errorf("inspecting container %s: %w", id, err)
	}
	c := ins.Container
	if o.Method != "export" {
		upper, lowers, why := overlayDirs(c.GraphDriver.Name, c.GraphDriver.Data)
		if why == "" {
			return overlayChanges(upper, lowers)
		}
		if o.Method == "overlay" {
			return nil, fmt.Errorf("--method overlay: %s", why)
		}
	}
	base, err := engineImageTree(ctx, dc, c.Image, nil)
	if err != nil {
		return nil, err
	}
	rc, err := dc.ContainerExport(ctx, c.ID, dockerclient.ContainerExportOptions{})
	if err != nil {
		return nil, fmt.Errorf("exporting container %s: %w", id, err)
	}
	defer rc.Close()
	return exportChanges(base, rc, o.Content, func(keep map[string]bool) (*cdiff.Tree, error) {
		return engineImageTree(ctx, dc, c.Image, keep)
	})
}

// waitContainer waits for the container to stop and returns its exit
// code; after timeout it kills it and returns -1.
func waitContainer(ctx context.Context, dc *dockerclient.Client, id string, timeout time.Duration) (int64, error) {
	wctx, cancel := withTimeout(ctx, timeout)
	defer cancel()
	w := dc.ContainerWait(wctx, id, dockerclient.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case r := <-w.Result:
		if r.Error != nil && r.Error.Message != "" {
			return 0, fmt.Errorf("waiting for the container: %s", r.Error.Message)
		}
		return r.StatusCode, nil
	case err := <-w.Error:
		if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return 0, fmt.Errorf("waiting for the container: %w", err)
		}
	}
	if _, err := dc.ContainerKill(ctx, id, dockerclient.ContainerKillOptions{Signal: "KILL"}); err != nil {
		return 0, fmt.Errorf("stopping the container after --timeout: %w", err)
	}
	w = dc.ContainerWait(ctx, id, dockerclient.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case <-w.Result:
	case err := <-w.Error:
		return 0, fmt.Errorf("waiting for the killed container: %w", err)
	}
	return -1, nil
}

// engineImage names spec in the engine's store, loading it there when it
// is not: docker://NAME and engine builds as they are, an image the engine
// already has by that name, else whatever source.Open reads.
func (r *EngineRunner) engineImage(ctx context.Context, spec, platform string) (string, func(), error) {
	dc := r.Docker
	none := func() {}
	if n, ok := strings.CutPrefix(spec, "docker://"); ok {
		return n, none, nil
	}
	if id, ok := strings.CutPrefix(spec, "build:"); ok {
		b, err := (history.History{Dir: r.Paths.History()}).Get(id)
		if err != nil {
			return "", none, err
		}
		if b.Result != nil && b.Result.Kind == model.ResultDocker {
			return b.Result.Ref, none, nil
		}
	} else if _, err := os.Stat(spec); err != nil {
		if _, err := dc.ImageInspect(ctx, spec); err == nil {
			return spec, none, nil
		}
	}
	img, err := source.Open(ctx, spec, source.Options{Paths: r.Paths, Platform: platform})
	if err != nil {
		return "", none, err
	}
	defer img.Close()
	dgst, err := img.Digest()
	if err != nil {
		return "", none, fmt.Errorf("reading %s: %w", spec, err)
	}
	tag, err := name.NewTag("buildscope-diff:" + dgst.Hex[:12])
	if err != nil {
		return "", none, err
	}
	if err := engine.Load(ctx, dc, img, tag); err != nil {
		return "", none, fmt.Errorf("%s: %w", spec, err)
	}
	ref := tag.String()
	return ref, func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = dc.ImageRemove(rctx, ref, dockerclient.ImageRemoveOptions{})
	}, nil
}

// overlayDirs returns the container's overlay2 upper and lower dirs when
// they can be read here, else why not.
func overlayDirs(driver string, data map[string]string) (string, []string, string) {
	if driver != "overlay2" {
		return "", nil, fmt.Sprintf("the engine's storage driver is %q, not overlay2", driver)
	}
	upper, lower := data["UpperDir"], data["LowerDir"]
	if upper == "" || lower == "" {
		return "", nil, "the engine does not say where the container's layers are"
	}
	lowers := strings.Split(lower, ":")
	for _, d := range append([]string{upper}, lowers...) {
		if _, err := os.ReadDir(d); err != nil {
			return "", nil, fmt.Sprintf("cannot read the container's layers here (%v): run as root on the engine's host", err)
		}
	}
	return upper, lowers, ""
}

func overlayChanges(upper string, lowers []string) (*Result, error) {
	up, err := cdiff.ReadUpperDir(upper)
	if err != nil {
		return nil, err
	}
	base := cdiff.NewDirLayers(lowers)
	changes, err := cdiff.DiffLayer(base, up)
	if err != nil {
		return nil, err
	}
	cdiff.DeletedSizes(base, changes)
	return &Result{Changes: changes, Old: base, New: &cdiff.Overlay{Lower: base, Upper: up}}, nil
}

// engineImageTree reads an image from the engine's store (docker save).
func engineImageTree(ctx context.Context, dc *dockerclient.Client, ref string, keep map[string]bool) (*cdiff.Tree, error) {
	img, err := engine.Save(ctx, dc, ref)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	return cdiff.ImageTree(img, keep)
}
