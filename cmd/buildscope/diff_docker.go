package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/containerd/errdefs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	dockerclient "github.com/moby/moby/client"

	"github.com/buildscope/buildscope/buildrun/engine"
	"github.com/buildscope/buildscope/inspect/cdiff"
)

// diffContainer diffs an engine container against its image.
func diffContainer(ctx context.Context, name string, o *diffOptions) (*diffResult, error) {
	dc, err := engine.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer dc.Close()
	return engineChanges(ctx, dc, name, o)
}

// engineChanges diffs container id: from its overlay2 layer on disk when
// this process can read it (as fast as the engine, and exact: the lower
// layers include the engine's init layer), else from `docker export`
// against the image saved from the engine.
func engineChanges(ctx context.Context, dc *dockerclient.Client, id string, o *diffOptions) (*diffResult, error) {
	ins, err := dc.ContainerInspect(ctx, id, dockerclient.ContainerInspectOptions{})
	if err != nil {
		if errdefs.IsNotFound(err) {
			return nil, fmt.Errorf("no such container %q in the Docker engine at %s", id, dc.DaemonHost())
		}
		return nil, fmt.Errorf("inspecting container %s: %w", id, err)
	}
	c := ins.Container
	if o.method != "export" {
		upper, lowers, why := overlayDirs(c.GraphDriver.Name, c.GraphDriver.Data)
		if why == "" {
			return overlayChanges(upper, lowers)
		}
		if o.method == "overlay" {
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
	return exportChanges(base, rc, o, func(keep map[string]bool) (*cdiff.Tree, error) {
		return engineImageTree(ctx, dc, c.Image, keep)
	})
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

func overlayChanges(upper string, lowers []string) (*diffResult, error) {
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
	return &diffResult{changes: changes, old: base, new: &cdiff.Overlay{Lower: base, Upper: up}}, nil
}

// exportChanges diffs a `docker export` stream against the image's tree;
// reread gives the image's tree again keeping the given files' content,
// for --content.
func exportChanges(base *cdiff.Tree, export io.Reader, o *diffOptions, reread func(map[string]bool) (*cdiff.Tree, error)) (*diffResult, error) {
	ro := cdiff.ReadOptions{}
	if o.content {
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
	if o.content {
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
	return &diffResult{changes: changes, old: old, new: ctr}, nil
}

// engineImageTree reads an image from the engine's store (docker save).
func engineImageTree(ctx context.Context, dc *dockerclient.Client, ref string, keep map[string]bool) (*cdiff.Tree, error) {
	rc, err := dc.ImageSave(ctx, []string{ref})
	if err != nil {
		return nil, fmt.Errorf("saving image %s from the engine: %w", ref, err)
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "buildscope-diff-*.tar")
	if err != nil {
		return nil, fmt.Errorf("saving image %s: %w", ref, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, rc); err != nil {
		return nil, fmt.Errorf("saving image %s from the engine: %w", ref, err)
	}
	img, err := tarball.ImageFromPath(f.Name(), nil)
	if err != nil {
		return nil, fmt.Errorf("reading image %s saved by the engine: %w", ref, err)
	}
	return imageTree(img, keep)
}

// imageTree reads an image's filesystem, keeping the content of keep.
func imageTree(img v1.Image, keep map[string]bool) (*cdiff.Tree, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the image's layers: %w", err)
	}
	openers := make([]cdiff.Opener, len(layers))
	for i, l := range layers {
		openers[i] = l.Uncompressed
	}
	ro := cdiff.ReadOptions{}
	if len(keep) > 0 {
		ro.Keep = cdiff.KeepPaths(keep)
	}
	t, err := cdiff.ReadImage(openers, ro)
	if err != nil {
		return nil, fmt.Errorf("reading the image's filesystem: %w", err)
	}
	return t, nil
}
