// Package source opens the images buildscope inspects, whatever they come
// from: a recorded build (build:last, build:ID), an OCI layout directory, a
// `docker save` tar, the Docker engine's store (docker://NAME) or a
// registry. Everything is read through go-containerregistry's v1.Image.
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/buildrun/engine"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// Image is an opened image and where it came from.
type Image struct {
	v1.Image
	// Spec is what the user named.
	Spec string
	// Build is the build record when the image came from build:ID.
	Build   *model.Build
	cleanup func()
}

// Close releases temporary files (an image saved from the engine).
func (i *Image) Close() {
	if i.cleanup != nil {
		i.cleanup()
	}
}

// Options configure Open.
type Options struct {
	// Platform picks one image of a multi-platform index (os/arch[/variant]);
	// empty means the host's.
	Platform string
	// Paths locate the build history, for build:ID.
	Paths state.Paths
	// Warn reports the damaged records skipped while build:last or
	// build:last~N is resolved; nil reports nothing.
	Warn *history.Warner
	// Notes, when set, is told where an image reference was opened from
	// when it is not the registry (the local Docker engine's copy).
	Notes io.Writer
}

// Open opens the image spec names: build:last, build:ID, an OCI layout
// directory, a docker-archive tar, docker://NAME, or a registry reference.
// Whatever the source, its layers check their content against their
// digests and diff_ids as they are read. Errors name the spec escaped as
// model.Printable does.
func Open(ctx context.Context, spec string, o Options) (*Image, error) {
	img, err := open(ctx, spec, o)
	if err != nil {
		return nil, escapeSpec(err, spec)
	}
	img.Image = verified(img.Image, model.Printable(img.Spec))
	return img, nil
}

func open(ctx context.Context, spec string, o Options) (*Image, error) {
	s, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	switch s.Kind {
	case SpecBuild:
		return openBuild(ctx, s, o)
	case SpecDocker:
		return openDocker(ctx, s.Name, spec)
	}
	fi, err := os.Stat(spec)
	switch {
	case err == nil && fi.IsDir():
		return openLayout(spec, "", o)
	case err == nil:
		return openArchive(spec, fi)
	case looksLikePath(s):
		return nil, fmt.Errorf("%s %s: IMAGE is a path to an OCI layout or a docker save tar, or an image reference such as registry.example/app:tag", model.Printable(spec), statProblem(err))
	case s.Ref == nil:
		return nil, wrapOutside(s.RefErr, "%s is not a file, a directory, build:ID, docker://NAME or an image reference", model.Printable(spec))
	}
	ref := s.Ref
	plat, err := platform(o.Platform)
	if err != nil {
		return nil, err
	}
	local := "" // what the local engine said of the name
	if o.Platform == "" {
		var img *Image
		if img, local, err = openLocal(ctx, spec, o); img != nil || err != nil {
			return img, err
		}
	}
	desc, err := remote.Get(ref, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("interrupted while waiting for the registry of %s to answer", ref)
	}
	if err != nil {
		at := model.Printable(spec)
		if full := ref.Name(); full != spec {
			at += " (" + full + ")"
		}
		return nil, fmt.Errorf("fetching %s from its registry: %w: %s", at, err, local)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, fmt.Errorf("reading index %s: %w", ref, err)
		}
		img, err := SelectPlatform(idx, plat, spec)
		if err != nil {
			return nil, err
		}
		return &Image{Image: img, Spec: spec}, nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("reading image %s: %w", ref, err)
	}
	return &Image{Image: img, Spec: spec}, nil
}

// openArchive reads a docker save tar. Anything but a regular file (a
// FIFO, a device, a socket) is refused before it is opened: reading it
// could block forever or never end.
func openArchive(spec string, fi os.FileInfo) (*Image, error) {
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a file: IMAGE is an OCI layout directory, a docker save tar or an image reference", model.Printable(spec), fileKind(fi.Mode()))
	}
	img, err := tarball.ImageFromPath(spec, nil)
	if err != nil {
		return nil, wrapOutside(err, "reading %s as a docker-archive tar (docker save)", spec)
	}
	members, links, err := indexTar(spec)
	if err != nil {
		return nil, wrapOutside(err, "reading %s as a docker-archive tar (docker save)", spec)
	}
	d, cf, err := checkArchiveLayers(spec, img, members, links)
	if err != nil {
		return nil, err
	}
	if d != nil {
		img = lazyArchive(spec, img, d, cf, members, links)
	}
	return &Image{Image: img, Spec: spec}, nil
}

func openBuild(ctx context.Context, s Spec, o Options) (*Image, error) {
	h := history.History{Dir: o.Paths.History(), Warn: o.Warn}
	id := s.Build
	if s.Back > 0 {
		var err error
		if id, err = BuildBack(h, s, h.List); err != nil {
			return nil, err
		}
	}
	b, err := h.Get(id)
	if err != nil {
		return nil, err
	}
	spec := s.Raw
	if b.Result == nil {
		return nil, fmt.Errorf("build %s kept no image (status %s): rebuild it, or open its --output", b.ID, b.Status)
	}
	var img *Image
	switch b.Result.Kind {
	case model.ResultOCILayout:
		img, err = openLayout(b.Result.Path, b.Result.Ref, o)
	case model.ResultDocker:
		img, err = openDocker(ctx, b.Result.Ref, spec)
	default:
		return nil, fmt.Errorf("build %s: unknown result kind %q", b.ID, b.Result.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the image of build %s: %w", b.ID, err)
	}
	img.Spec, img.Build = spec, b
	return img, nil
}

// openLayout opens an OCI layout: the image with digest dgst, or the only
// (or host-platform) image of its index.
func openLayout(dir, dgst string, o Options) (*Image, error) {
	if dgst != "" {
		img, err := results.LayoutImage(dir, dgst, o.Platform)
		if err != nil {
			return nil, err
		}
		// the record names the manifest or its index: check the config
		got, err := img.Digest()
		if err != nil {
			return nil, fmt.Errorf("reading image %s in %s: %w", dgst, dir, err)
		}
		if err := checkManifest(img, got, dir); err != nil {
			return nil, err
		}
		return &Image{Image: img, Spec: dir}, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
		return nil, fmt.Errorf("%s is not an OCI layout (no oci-layout file): pass a layout directory, a docker save tar or an image reference", dir)
	}
	for _, f := range []string{"oci-layout", "index.json"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%s has no %s: the layout is incomplete", dir, f)
		case err == nil && !fi.Mode().IsRegular():
			return nil, fmt.Errorf("%s in %s is %s, not a file: the layout is corrupt", f, dir, fileKind(fi.Mode()))
		}
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading index of %s: %w", dir, err)
	}
	plat, err := platform(o.Platform)
	if err != nil {
		return nil, err
	}
	img, err := SelectPlatform(idx, plat, dir)
	if err != nil {
		return nil, err
	}
	return &Image{Image: img, Spec: dir}, nil
}

// openDocker saves an image from the engine's store to a temp file and
// reads it as a docker-archive; closing the image removes the file.
// openLocal opens an image reference from the local Docker engine when
// it holds an image of that name, as dive does (and says so on
// o.Notes); else it says, for an error of the registry, what the engine
// said: none answers, or it has no such image.
func openLocal(ctx context.Context, spec string, o Options) (*Image, string, error) {
	dc, err := engine.Connect(ctx)
	if err != nil {
		return nil, "no local Docker engine answers, where an image of that name would open first; an image of a Docker engine opens as docker://NAME (with DOCKER_HOST)", nil
	}
	_, ierr := dc.ImageInspect(ctx, spec)
	dc.Close()
	if ierr != nil {
		return nil, "the local Docker engine has no image of that name either (`docker image ls` lists its images, which open by name or as docker://NAME)", nil
	}
	if o.Notes != nil {
		fmt.Fprintf(o.Notes, "buildscope: opening %s from the local Docker engine (docker://%s), not its registry: `docker pull %s` updates it\n", model.Printable(spec), model.Printable(spec), model.Printable(spec))
	}
	img, err := openDocker(ctx, spec, spec)
	return img, "", err
}

func openDocker(ctx context.Context, ref, spec string) (*Image, error) {
	dc, err := engine.New()
	if err != nil {
		return nil, err
	}
	defer dc.Close()
	saved, err := engine.Save(ctx, dc, ref)
	if err != nil {
		return nil, err
	}
	return &Image{Image: saved, Spec: spec, cleanup: func() { saved.Close() }}, nil
}

func platform(s string) (v1.Platform, error) {
	if s == "" {
		return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, nil
	}
	p, err := v1.ParsePlatform(s)
	if err == nil && (p.OS == "" || p.Architecture == "") {
		err = fmt.Errorf("os and architecture are both needed")
	}
	if err != nil {
		return v1.Platform{}, fmt.Errorf("invalid --platform %q: use os/arch[/variant]: %w", s, err)
	}
	return *p, nil
}

// maxIndexDepth bounds how deeply indexes may nest (an index of indexes
// of images is 2; real layouts stay well below this).
const maxIndexDepth = 8

// SelectPlatform picks the image for plat from an index; with one image
// and no match it names what exists. Nested indexes are followed to
// maxIndexDepth; an index that names itself, directly or through others,
// is refused. Every manifest followed is checked against its digest.
func SelectPlatform(idx v1.ImageIndex, plat v1.Platform, where string) (v1.Image, error) {
	return selectPlatform(idx, plat, where, nil)
}

func selectPlatform(idx v1.ImageIndex, plat v1.Platform, where string, path []v1.Hash) (v1.Image, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index of %s: %w", where, err)
	}
	var have []string
	var images []v1.Descriptor
	for _, d := range im.Manifests {
		if !d.MediaType.IsImage() {
			if d.MediaType.IsIndex() {
				img, err := selectSubIndex(idx, d.Digest, plat, where, path)
				if img != nil {
					return img, nil
				}
				var ce *CorruptError
				if errors.As(err, &ce) {
					return nil, err
				}
			}
			continue
		}
		images = append(images, d)
		if d.Platform == nil {
			have = append(have, "unknown")
			continue
		}
		if d.Platform.Satisfies(plat) {
			return indexImage(idx, d.Digest, where)
		}
		have = append(have, d.Platform.String())
	}
	if len(images) == 1 && (images[0].Platform == nil || images[0].Platform.Architecture == "unknown") {
		return indexImage(idx, images[0].Digest, where)
	}
	if len(images) == 0 {
		return nil, fmt.Errorf("%s holds no image", where)
	}
	return nil, fmt.Errorf("%s has no image for %s; it has %s: choose one with --platform", where, plat.String(), strings.Join(have, ", "))
}

// selectSubIndex follows a nested index, refusing cycles and depth.
func selectSubIndex(idx v1.ImageIndex, h v1.Hash, plat v1.Platform, where string, path []v1.Hash) (v1.Image, error) {
	for _, p := range path {
		if p == h {
			return nil, corrupt("index %s in %s names itself (a cycle of %d indexes): the layout is corrupt", h, where, len(path))
		}
	}
	if len(path) >= maxIndexDepth {
		return nil, corrupt("%s nests indexes more than %d deep (at %s): refused", where, maxIndexDepth, h)
	}
	sub, err := idx.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	if err := checkIndex(sub, h, where); err != nil {
		return nil, err
	}
	return selectPlatform(sub, plat, where, append(path, h))
}

// indexImage opens the image h of idx and checks its manifest and config
// against their digests.
func indexImage(idx v1.ImageIndex, h v1.Hash, where string) (v1.Image, error) {
	img, err := idx.Image(h)
	if err != nil {
		return nil, fmt.Errorf("reading image %s in %s: %w", h, where, err)
	}
	if err := checkManifest(img, h, where); err != nil {
		return nil, err
	}
	return img, nil
}
