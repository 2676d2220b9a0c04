package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/moby/api/types/container"
	dockerclient "github.com/moby/moby/client"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
)

// diffExport diffs a `docker export` tarball against --image, offline.
func diffExport(ctx context.Context, g *globals, o *diffOptions) (*diffResult, error) {
	f, err := os.Open(o.export)
	if err != nil {
		return nil, fmt.Errorf("opening --export: %w", err)
	}
	defer f.Close()
	img, err := source.Open(ctx, o.image, source.Options{Paths: g.paths})
	if err != nil {
		return nil, err
	}
	defer img.Close()
	base, err := imageTree(img, nil)
	if err != nil {
		return nil, err
	}
	res, err := exportChanges(base, f, o, func(keep map[string]bool) (*cdiff.Tree, error) { return imageTree(img, keep) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.export, err)
	}
	return res, nil
}

// diffRun runs a container of --image on the current builder and diffs it.
func diffRun(ctx context.Context, stderr io.Writer, g *globals, o *diffOptions, argv []string) (*diffResult, error) {
	b, err := g.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if b.Kind == buildrun.KindDocker {
		return engineRun(ctx, stderr, b.Docker, g, o, argv)
	}
	return buildkitRun(ctx, b, g, o, argv)
}

// engineRun runs argv in a container of the image on the engine, waits
// for it (or --timeout), diffs it and removes it.
func engineRun(ctx context.Context, stderr io.Writer, dc *dockerclient.Client, g *globals, o *diffOptions, argv []string) (*diffResult, error) {
	ref, cleanup, err := engineImage(ctx, dc, g, o.image)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	tmpfs := map[string]string{}
	for _, p := range o.tmpfs {
		tmpfs[p] = ""
	}
	cfg := &container.Config{Image: ref, User: o.user, Labels: map[string]string{"buildscope.diff": "1"}}
	if len(argv) > 0 {
		cfg.Cmd = argv
	}
	created, err := dc.ContainerCreate(ctx, dockerclient.ContainerCreateOptions{
		Config:     cfg,
		HostConfig: &container.HostConfig{ReadonlyRootfs: o.readOnly, Tmpfs: tmpfs},
	})
	if err != nil {
		return nil, fmt.Errorf("creating a container of %s: %w", o.image, err)
	}
	id := created.ID
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = dc.ContainerRemove(rctx, id, dockerclient.ContainerRemoveOptions{Force: true})
	}()
	if _, err := dc.ContainerStart(ctx, id, dockerclient.ContainerStartOptions{}); err != nil {
		return nil, fmt.Errorf("starting %v in %s: %w", argv, o.image, err)
	}
	code, err := waitContainer(ctx, dc, id, o.timeout)
	if err != nil {
		return nil, err
	}
	switch {
	case code < 0:
		fmt.Fprintf(stderr, "buildscope: stopped the container after --timeout %s\n", o.timeout)
	case code != 0:
		fmt.Fprintf(stderr, "buildscope: the command exited %d\n", code)
	}
	res, err := engineChanges(ctx, dc, id, o)
	if err != nil || !o.content {
		return res, err
	}
	// The container's layer goes with the container: read contents now.
	cdiff.AddContentDiffs(res.old, res.new, res.changes)
	res.old, res.new = nil, nil
	return res, nil
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
func engineImage(ctx context.Context, dc *dockerclient.Client, g *globals, spec string) (string, func(), error) {
	none := func() {}
	if n, ok := strings.CutPrefix(spec, "docker://"); ok {
		return n, none, nil
	}
	if id, ok := strings.CutPrefix(spec, "build:"); ok {
		b, err := (buildrun.History{Dir: g.paths.History()}).Get(id)
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
	img, err := source.Open(ctx, spec, source.Options{Paths: g.paths})
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
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(tag, img, pw)) }()
	resp, err := dc.ImageLoad(ctx, pr)
	if err != nil {
		pr.CloseWithError(err)
		return "", none, fmt.Errorf("loading %s into the engine: %w", spec, err)
	}
	defer resp.Close()
	if err := loadError(resp); err != nil {
		return "", none, fmt.Errorf("loading %s into the engine: %w", spec, err)
	}
	ref := tag.String()
	return ref, func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = dc.ImageRemove(rctx, ref, dockerclient.ImageRemoveOptions{})
	}, nil
}

// loadError reads the engine's load progress stream for an error.
func loadError(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
	}
}
