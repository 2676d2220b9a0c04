// Package baseimage makes a small base image from the distribution's static
// busybox, so that examples and tests build offline, and serves it from a
// loopback registry (go-containerregistry's pkg/registry) or loads it into
// a Docker engine.
package baseimage

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// DefaultBusybox is where Debian's busybox-static installs its binary.
const DefaultBusybox = "/bin/busybox"

// Repository is the name the base image is served and loaded under.
const Repository = "buildscope/busybox"

// epoch is the fixed mtime of every file, so the image digest depends on
// the busybox binary only and the build cache stays warm across runs.
var epoch = time.Unix(1700000000, 0).UTC()

// Image builds the base image: busybox, a link for each of its applets,
// /etc/passwd and /etc/group, /tmp and /root. It fails with the package
// to install when busybox is missing or is not static.
func Image(busybox string) (v1.Image, error) {
	bin, err := os.ReadFile(busybox)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w (install it with `apt-get install busybox-static`)", busybox, err)
	}
	if !bytes.Contains(bin, []byte("busybox")) {
		return nil, fmt.Errorf("%s does not look like busybox", busybox)
	}
	out, err := exec.Command(busybox, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("listing applets of %s: %w (Debian's busybox-static is needed, not the dynamic busybox)", busybox, err)
	}
	layer, err := layerTar(bin, strings.Fields(string(out)))
	if err != nil {
		return nil, err
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layer)), nil })
	if err != nil {
		return nil, fmt.Errorf("making the base layer: %w", err)
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: l, History: v1.History{
		Created: v1.Time{Time: epoch}, CreatedBy: "buildscope base image from " + busybox,
	}})
	if err != nil {
		return nil, fmt.Errorf("making the base image: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", runtime.GOARCH
	cf.Created = v1.Time{Time: epoch}
	cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cf.Config.Cmd = []string{"sh"}
	return mutate.ConfigFile(img, cf)
}

// layerTar writes the single layer of the base image.
func layerTar(bin []byte, applets []string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{"bin": true, "etc": true, "tmp": true, "root": true, "usr": true}
	for _, a := range applets {
		for d := parent(a); d != ""; d = parent(d) {
			dirs[d] = true
		}
	}
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	hdr := func(h *tar.Header) error { h.ModTime = epoch; h.Format = tar.FormatPAX; return tw.WriteHeader(h) }
	for _, d := range names {
		mode := int64(0o755)
		switch d {
		case "tmp":
			mode = 0o1777
		case "root":
			mode = 0o700
		}
		if err := hdr(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: mode}); err != nil {
			return nil, err
		}
	}
	if err := hdr(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bin))}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	}
	for _, name := range []string{"etc/group", "etc/passwd"} {
		c := files[name]
		if err := hdr(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(c))}); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, c); err != nil {
			return nil, err
		}
	}
	sort.Strings(applets)
	for _, a := range applets {
		if a == "bin/busybox" {
			continue
		}
		if err := hdr(&tar.Header{Typeflag: tar.TypeSymlink, Name: a, Linkname: "/bin/busybox", Mode: 0o777}); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return ""
	}
	return p[:i]
}
