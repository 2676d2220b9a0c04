package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/assets/baseimage"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/model/why"
)

// buildkitImage is an image like the one buildx's docker-container driver
// runs: buildkitd and buildctl built from the BuildKit module (static:
// by make into BUILDSCOPE_STATIC_BUILDKIT, else here), Debian's runc and
// the libraries it links, on the busybox base.
func buildkitImage(t *testing.T) v1.Image {
	t.Helper()
	dir := os.Getenv("BUILDSCOPE_STATIC_BUILDKIT")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, name := range []string{"buildkitd", "buildctl"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			continue // built by make static
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), "github.com/moby/buildkit/cmd/"+name)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", name, err, out)
		}
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Fatalf("runc (Debian's package; make deps installs it): %v", err)
	}
	// the layer's members: directories (src "") and files copied from src
	type member struct{ name, src string }
	members := []member{{"run/", ""}, {"var/lib/buildkit/", ""}, {"usr/sbin/", ""},
		{"usr/bin/buildkitd", filepath.Join(dir, "buildkitd")}, {"usr/bin/buildctl", filepath.Join(dir, "buildctl")}, {"usr/sbin/runc", runc}}
	out, err := exec.Command("ldd", runc).Output()
	if err != nil {
		t.Fatalf("ldd runc: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		lib := ""
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib = f[0]
		}
		if lib != "" {
			real, _ := filepath.EvalSymlinks(lib)
			members = append(members, member{strings.TrimPrefix(lib, "/"), real})
		}
	}
	base, err := baseimage.Image(baseimage.DefaultBusybox)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if _, err := os.Stat(m.src); m.src != "" && err != nil {
			t.Fatal(err)
		}
	}
	// the layer's tar is streamed from the files at each read (digest,
	// diff ID, the load) and gzip'd without compression: ~120 MB of
	// binaries read into strings, made one tar in memory and deflated
	// twice took seconds of the run
	writeTar := func(w io.Writer) error {
		tw := tar.NewWriter(w)
		for _, m := range members {
			h := &tar.Header{Name: m.name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: imagetest.T0, Format: tar.FormatPAX}
			if m.src == "" {
				if err := tw.WriteHeader(h); err != nil {
					return err
				}
				continue
			}
			f, err := os.Open(m.src)
			if err != nil {
				return err
			}
			fi, err := f.Stat()
			if err == nil {
				h.Typeflag, h.Size = tar.TypeReg, fi.Size()
				if err = tw.WriteHeader(h); err == nil {
					_, err = io.Copy(tw, f)
				}
			}
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", m.src, err)
			}
		}
		return tw.Close()
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeTar(pw)) }()
		return pr, nil
	}, tarball.WithCompressionLevel(gzip.NoCompression))
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg.Config.Entrypoint = []string{"buildkitd"}
	cfg.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	return img
}

// A remote builder reached as docker-container://NAME, the way buildx's
// docker-container driver runs BuildKit: a privileged container of the
// image above. Builds, the cache, --load into the engine and why work
// through it.
func TestDockerContainerBuilder(t *testing.T) {
	parallel(t) // before the image is made and loaded: seconds of work
	requireDocker(t)
	img := buildkitImage(t)
	tag := "buildscope-e2e/buildkit:" + history.NewID()
	if err := baseimage.LoadDocker(context.Background(), img, tag); err != nil {
		t.Fatal(err)
	}
	defer runDocker(t, "rmi", "-f", tag)
	name := "bs-buildkit-" + history.NewID()
	state := t.TempDir()
	// as --privileged, but for CAP_SYS_RESOURCE, which this machine's own
	// bounding set lacks (--privileged fails here: "unable to apply caps"),
	// with the cgroup tree writable as --privileged makes it;
	// host network: the loopback base-image registry is the host's
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() }) // also when run fails half-way
	runDocker(t, "run", "-d", "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
		"--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
		"-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--network", "host", "--name", name, "-v", state+":/var/lib/buildkit", tag)
	addr := "docker-container://" + name
	e := newEnv(t)
	deadline := time.Now().Add(time.Minute)
	for {
		if r := e.run(t, nil, "history", "ls", "--builder", addr); r.code == 0 {
			break
		} else if time.Now().After(deadline) {
			logs, _ := exec.Command("docker", "logs", name).CombinedOutput()
			t.Fatalf("the builder in %s never answered: %s\n%s", name, r.stderr, logs)
		}
		time.Sleep(300 * time.Millisecond)
	}
	dir := copyDir(t, "../../assets/examples/cachedemo")
	nonce := history.NewID()
	os.WriteFile(filepath.Join(dir, "src", "lib.sh"), []byte("greet() { echo "+nonce+"; }\n"), 0o644)
	first, r := e.build(t, "--builder", addr, dir)
	if r.code != 0 {
		t.Fatalf("build on %s: %s", addr, lastLines(r.stderr, 20))
	}
	if first.Builder != addr || first.Result == nil || first.Image == nil {
		t.Errorf("record: builder %q, result %+v", first.Builder, first.Result)
	}
	os.WriteFile(filepath.Join(dir, "src", "lib.sh"), []byte("greet() { echo changed-"+nonce+"; }\n"), 0o644)
	loaded := "buildscope-e2e/remote:" + nonce
	second, r := e.build(t, "--builder", addr, "--load", "-t", loaded, dir)
	if r.code != 0 {
		t.Fatalf("second build: %s", lastLines(r.stderr, 20))
	}
	defer runDocker(t, "rmi", "-f", loaded)
	if second.Cache.StepsCached == 0 {
		t.Errorf("the second build hit no cache on the remote builder: %+v", second.Cache)
	}
	if id := strings.TrimSpace(runDocker(t, "image", "inspect", "--format", "{{.Id}}", loaded)); id == "" {
		t.Errorf("--load put no image in the engine")
	}
	ex := whyAfterNothing(t, e)
	requireMiss(t, ex, 16, why.ReasonContext)

	// debug on the same builder (issue 29: docker-container is one of
	// debug's builders): the invoked command runs in the failed step
	failing := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nWORKDIR /work\nRUN sh -c 'echo partial-"+nonce+" > /work/p && exit 3'\n")
	d := e.run(t, nil, "debug", "--builder", addr, "--invoke", "cat /work/p; pwd", failing)
	if d.code != 0 || !strings.Contains(d.stdout, "partial-"+nonce+"\n/work\n") || !strings.Contains(d.stderr, "exit code: 3") {
		t.Errorf("debug on %s: exit %d, stdout %q:\n%s", addr, d.code, d.stdout, lastLines(d.stderr, 15))
	}
}

// whyAfterNothing explains the last build of e.
func whyAfterNothing(t *testing.T, e *env) *why.Explanation {
	t.Helper()
	var ex why.Explanation
	if err := jsonUnmarshal(e.mustRun(t, "why", "--json").stdout, &ex); err != nil {
		t.Fatal(err)
	}
	return &ex
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
