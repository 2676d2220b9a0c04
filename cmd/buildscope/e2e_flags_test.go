package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// A bad --platform is refused before any builder is contacted, naming the
// flag and the value.
func TestBadPlatformRefusedBeforeBuild(t *testing.T) {
	e := newColdEnv(t) // lifecycle: the builder must be left unstarted (it costs nothing: none starts)
	r := e.run(t, nil, "build", "--progress", "plain", "--platform", "linux/", "../../assets/examples/multistage")
	if r.code == 0 || !strings.Contains(r.stderr, `invalid --platform "linux/"`) {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "#1 ") {
		t.Errorf("the build started before the platform was refused:\n%s", r.stderr)
	}
	if st := e.run(t, nil, "builder", "status"); strings.Contains(st.stdout, "running") {
		t.Errorf("the embedded builder was started for a build refused up front: %s", st.stdout)
	}
}

// flagDir is a build context whose one RUN writes /x, fresh per test.
func flagDir(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	if dockerfile == "" {
		dockerfile = "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo " + history.NewID() + " > /x\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Every buildx flag does what it does in buildx on each builder, or is
// refused before anything is built with one line naming the flag and what
// to use instead. The effect is read from where it lands: the directory of
// -o, the registry, the engine's store, the metadata file.
func TestFlagsOnEachBuilder(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	refusals := []struct {
		name, builder string
		args          []string
		want          string
	}{
		{"docker -o with -t", "docker", []string{"-o", "type=local,dest=" + t.TempDir(), "-t", "flags/x:1"}, "on the docker builder -o cannot be combined with -t, --push or --load"},
		{"docker -o with --load", "docker", []string{"-o", "type=local,dest=" + t.TempDir(), "--load"}, "on the docker builder -o cannot be combined"},
		{"docker two platforms", "docker", []string{"--platform", "linux/amd64,linux/arm64"}, "the Docker engine's image store holds one platform per image, and --platform names 2"},
		{"docker --cache-to local", "docker", []string{"--cache-to", "type=local,dest=" + t.TempDir()}, "--cache-to type=local: the Docker engine's BuildKit exports cache only inline"},
		{"docker --cache-from local", "docker", []string{"--cache-from", "type=local,src=" + t.TempDir()}, "--cache-from type=local: the Docker engine's BuildKit imports cache only from a registry"},
		{"docker --build-context", "docker", []string{"--build-context", "extra=" + t.TempDir()}, "--build-context needs BuildKit 0.11 or later"},
		{"embedded --load of two platforms", "embedded", []string{"--load", "--platform", "linux/amd64,linux/arm64"}, "--load puts one image in the Docker engine, and 2 platforms were asked for"},
		{"--push without -t", "embedded", []string{"--push"}, "--push needs an image name"},
	}
	for _, c := range refusals {
		t.Run("refuses "+c.name, func(t *testing.T) {
			dir := flagDir(t, "")
			args := append(append([]string{"build", "--progress", "plain", "--builder", c.builder}, c.args...), dir)
			r := shared.run(t, nil, args...)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, want a refusal containing %q; stderr:\n%s", r.code, c.want, lastLines(r.stderr, 10))
			}
			if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n > 0 {
				t.Errorf("refusal takes %d lines, want one:\n%s", n+1, r.stderr)
			}
			if strings.Contains(r.stderr, "#1 ") {
				t.Errorf("something was built before the refusal:\n%s", r.stderr)
			}
		})
	}

	for _, builder := range []string{"embedded", "docker"} {
		t.Run(builder+" -o local", func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			dir := flagDir(t, "")
			if _, r := shared.build(t, "--builder", builder, "-o", "type=local,dest="+out, dir); r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
			}
			if _, err := os.Stat(filepath.Join(out, "x")); err != nil {
				t.Errorf("-o type=local wrote no /x: %v", err)
			}
		})
		t.Run(builder+" --push and --metadata-file", func(t *testing.T) {
			tag := baseAddr + "/flags/" + builder + ":" + history.NewID()
			if builder == "docker" { // the engine keeps the tag it pushed
				t.Cleanup(func() { exec.Command("docker", "rmi", tag).Run() })
			}
			meta := filepath.Join(t.TempDir(), "metadata.json")
			rec, r := shared.build(t, "--builder", builder, "--push", "-t", tag, "--metadata-file", meta, flagDir(t, ""))
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
			}
			ref, _ := name.ParseReference(tag)
			desc, err := remote.Head(ref)
			if err != nil {
				t.Fatalf("--push: %s is not in the registry: %v", tag, err)
			}
			var md map[string]any
			tuitest.LoadJSON(t, meta, &md)
			if md["containerimage.digest"] != desc.Digest.String() {
				t.Errorf("metadata containerimage.digest %v, registry has %s", md["containerimage.digest"], desc.Digest)
			}
			if md["image.name"] != tag {
				t.Errorf("metadata image.name %v, want %s", md["image.name"], tag)
			}
			if md["buildx.build.ref"] != "buildscope/"+builder+"/buildscope-"+rec.ID {
				t.Errorf("metadata buildx.build.ref %v", md["buildx.build.ref"])
			}
		})
		t.Run(builder+" --ssh", func(t *testing.T) {
			sock := sshAgent(t)
			out := filepath.Join(t.TempDir(), "out")
			dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN --mount=type=ssh test -S \"$SSH_AUTH_SOCK\" && echo forwarded-"+history.NewID()+" > /ssh.txt\n")
			r := shared.run(t, []string{"SSH_AUTH_SOCK=" + sock}, "build", "--progress", "plain", "--builder", builder, "--ssh", "default", "-o", "type=local,dest="+out, dir)
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
			}
			if data, err := os.ReadFile(filepath.Join(out, "ssh.txt")); err != nil || !strings.HasPrefix(string(data), "forwarded-") {
				t.Errorf("the agent socket did not reach the RUN: %q %v", data, err)
			}
			// BuildKit leaves a directory in its $TMPDIR for each ssh mount:
			// the embedded builder's own directory, never the user's
			if builder == "embedded" {
				if left, _ := filepath.Glob(filepath.Join(os.TempDir(), ".buildkit-ssh-sock*")); len(left) > 0 {
					t.Errorf("the ssh mount left %v in the user's $TMPDIR", left)
				}
			}
		})
	}
	t.Run("embedded -t alone warns where the image goes", func(t *testing.T) {
		_, r := shared.build(t, "--builder", "embedded", "-t", "flags/nowhere:1", flagDir(t, ""))
		if r.code != 0 || !strings.Contains(r.stderr, "warning: -t flags/nowhere:1 names an image that goes nowhere on the embedded builder: add --push or --load") {
			t.Errorf("exit %d, stderr:\n%s", r.code, lastLines(r.stderr, 5))
		}
	})
}

// sshAgent starts a real ssh-agent holding one new key and returns its
// socket; the agent is killed when the test ends.
func sshAgent(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("ssh-agent"); err != nil {
		t.Fatalf("ssh-agent not found (Debian's openssh-client; make deps installs it): %v", err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	key := filepath.Join(dir, "id")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	var err error
	for i := 0; i < 50; i++ {
		add := exec.Command("ssh-add", key)
		add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
		var out []byte
		if out, err = add.CombinedOutput(); err == nil {
			return sock
		}
		_ = out
		exec.Command("sleep", "0.1").Run()
	}
	t.Fatalf("ssh-add: %v", err)
	return ""
}

// --build-context NAME=oci-layout://DIR[:TAG] reads an image from a local
// OCI layout: by tag, and the only image when no tag is given.
func TestOCILayoutBuildContext(t *testing.T) {
	shared := newEnv(t)
	nonce := history.NewID()
	img, err := mutate.AppendLayers(empty.Image, imagetest.Layer(t, imagetest.Text("note.txt", "from the layout "+nonce)))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg.OS, cfg.Architecture = "linux", runtime.GOARCH
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "v1"})); err != nil {
		t.Fatal(err)
	}
	ctx := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nCOPY --from=lay /note.txt /note.txt\n")
	for _, spec := range []string{"oci-layout://" + dir + ":v1", "oci-layout://" + dir} {
		out := filepath.Join(t.TempDir(), "out")
		r := shared.run(t, nil, "build", "--progress", "plain", "--builder", "embedded", "--build-context", "lay="+spec, "-o", "type=local,dest="+out, ctx)
		if r.code != 0 {
			t.Fatalf("%s: exit %d:\n%s", spec, r.code, lastLines(r.stderr, 20))
		}
		if data, err := os.ReadFile(filepath.Join(out, "note.txt")); err != nil || string(data) != "from the layout "+nonce {
			t.Errorf("%s: /note.txt = %q, %v", spec, data, err)
		}
	}
	r := shared.run(t, nil, "build", "--progress", "plain", "--builder", "embedded", "--build-context", "lay=oci-layout://"+dir+":nosuch", ctx)
	if r.code == 0 || !strings.Contains(r.stderr, `--build-context lay: no image tagged "nosuch" in `) {
		t.Errorf("unknown tag: exit %d, stderr:\n%s", r.code, lastLines(r.stderr, 5))
	}
}

// A build for two platforms (no emulation: only a $BUILDPLATFORM stage
// runs commands) records each platform's image, the host's as the build's
// image; inspect opens the one --platform names and lists the platforms
// when the asked one is absent.
func TestMultiPlatformResult(t *testing.T) {
	shared := newEnv(t)
	b, r := shared.build(t, "--builder", "embedded", "--platform", "linux/amd64,linux/arm64", "-f", "../../testdata/corpus/arch-shape.Dockerfile", t.TempDir())
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	plats := map[string]string{} // platform → manifest digest
	for _, im := range b.Images {
		plats[im.Platform] = im.Digest
	}
	if len(b.Images) != 2 || plats["linux/amd64"] == "" || plats["linux/arm64"] == "" || plats["linux/amd64"] == plats["linux/arm64"] {
		t.Fatalf("record images %+v, want one per platform", b.Images)
	}
	host := "linux/" + runtime.GOARCH
	if b.Image == nil || b.Image.Platform != host || b.Image.Digest != plats[host] {
		t.Errorf("record image %+v, want the host's (%s)", b.Image, host)
	}
	// both out-amd64 and out-arm64 ran, one per platform: both are recorded
	got := map[string]bool{}
	for _, s := range b.Stages {
		got[s.Name] = len(s.Steps) > 0
	}
	if !got["out-amd64"] || !got["out-arm64"] {
		t.Errorf("record stages %v: want out-amd64 and out-arm64 with their steps", got)
	}
	for _, plat := range []string{"linux/amd64", "linux/arm64"} {
		var out struct {
			Layers []struct {
				Digest string `json:"digest"`
			} `json:"layers"`
		}
		ins := shared.mustRun(t, "inspect", "--json", "--platform", plat, "build:"+b.ID)
		if err := json.Unmarshal([]byte(ins.stdout), &out); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, im := range b.Images {
			if im.Platform == plat {
				for _, l := range im.Layers {
					want = append(want, l.Digest)
				}
			}
		}
		var have []string
		for _, l := range out.Layers {
			have = append(have, l.Digest)
		}
		if strings.Join(have, ",") != strings.Join(want, ",") {
			t.Errorf("inspect --platform %s shows layers %v, the record's %s image has %v", plat, have, plat, want)
		}
	}
	for _, args := range [][]string{
		{"inspect", "--json", "--platform", "linux/s390x", "build:" + b.ID},
		{"diff", "--builder", "embedded", "--image", "build:" + b.ID, "--platform", "linux/s390x", "--", "true"},
	} {
		r = shared.run(t, nil, args...)
		if r.code == 0 || !strings.Contains(r.stderr, "has no linux/s390x image: it has linux/amd64, linux/arm64") {
			t.Errorf("%s of an absent platform: exit %d, stderr:\n%s", args[0], r.code, r.stderr)
		}
	}
}
