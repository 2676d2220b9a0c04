package main

// End-to-end tests of `buildscope inspect` on every kind of IMAGE: a
// build's result, an OCI layout, a docker save tar, the engine's store and
// a registry.

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/inspect/imagetest"
)

// wasteImage has known waste: data/big written twice (5000 wasted), an
// opaque directory hiding cache/old (300), and keep removed (10).
func wasteImage(t *testing.T) v1.Image {
	t.Helper()
	return stack(t,
		map[string]int{"data/big": 5000, "cache/old": 300, "keep": 10},
		map[string]int{"data/big": 5000, "cache/.wh..wh..opq": 0, "cache/new": 7},
		map[string]int{".wh.keep": 0},
	)
}

// stack makes an image whose layers hold the given files (name → size).
func stack(t *testing.T, layers ...map[string]int) v1.Image {
	t.Helper()
	img := empty.Image
	for i, files := range layers {
		img = appendLayer(t, img, tarOf(t, files), i)
	}
	return img
}

func tarOf(t *testing.T, files map[string]int) []byte {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(files[n]), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(bytes.Repeat([]byte{'x'}, files[n]))
	}
	tw.Close()
	return buf.Bytes()
}

func appendLayer(t *testing.T, img v1.Image, b []byte, i int) v1.Image {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "step " + string(rune('A'+i))}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func writeArchive(t *testing.T, img v1.Image, ref string) string {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "image.tar")
	if err := tarball.WriteToFile(p, tag, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// inspectOutput is what inspect --json prints, declared here and not
// taken from the package that writes it, so that a renamed field fails:
// the output is decoded strictly and its keys compared with this list.
type inspectOutput struct {
	Image             string         `json:"image"`
	Digest            string         `json:"digest"`
	Layers            []inspectLayer `json:"layers"`
	SizeBytes         int64          `json:"size_bytes"`
	CompressedBytes   int64          `json:"compressed_bytes"`
	UserSizeBytes     int64          `json:"user_size_bytes"`
	Efficiency        float64        `json:"efficiency"`
	WastedBytes       int64          `json:"wasted_bytes"`
	UserWastedPercent float64        `json:"user_wasted_percent"`
	Inefficiencies    []inspectWaste `json:"inefficiencies"`
	CI                *struct {
		Pass  bool `json:"pass"`
		Rules []struct {
			Rule    string `json:"rule"`
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"rules"`
	} `json:"ci"`
}

type inspectLayer struct {
	Index           int    `json:"index"`
	Digest          string `json:"digest"`
	DiffID          string `json:"diff_id"`
	SizeBytes       int64  `json:"size_bytes"`
	CompressedBytes int64  `json:"compressed_bytes"`
	CreatedBy       string `json:"created_by"`
	Added           int    `json:"added"`
	Modified        int    `json:"modified"`
	Removed         int    `json:"removed"`
}

type inspectWaste struct {
	Path        string `json:"path"`
	Count       int    `json:"count"`
	WastedBytes int64  `json:"wasted_bytes"`
}

// The keys of inspect --json, as README.md documents them.
var (
	inspectKeys      = "compressed_bytes digest efficiency image inefficiencies layers size_bytes user_size_bytes user_wasted_percent wasted_bytes"
	inspectLayerKeys = "added compressed_bytes created_by diff_id digest index modified removed size_bytes"
	inspectWasteKeys = "count path wasted_bytes"
	inspectCIKeys    = "pass rules"
	inspectRuleKeys  = "message rule status"
)

// decodeInspect decodes inspect --json strictly, and checks that every
// object has exactly the documented keys.
func decodeInspect(t *testing.T, raw string) inspectOutput {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var out inspectOutput
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, raw)
	}
	var shape map[string]any
	if err := json.Unmarshal([]byte(raw), &shape); err != nil {
		t.Fatal(err)
	}
	wantKeys := func(what string, v any, want string) {
		t.Helper()
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("inspect --json: %s is %T, not an object", what, v)
		}
		var got []string
		for k := range m {
			got = append(got, k)
		}
		sort.Strings(got)
		if g := strings.Join(got, " "); g != want {
			t.Errorf("inspect --json %s keys:\n got %s\nwant %s", what, g, want)
		}
	}
	list := func(v any) []any { l, _ := v.([]any); return l } // a missing list is reported by its key
	top := inspectKeys
	if ci, ok := shape["ci"]; ok {
		top = "ci " + top
		wantKeys("ci", ci, inspectCIKeys)
		for _, r := range list(ci.(map[string]any)["rules"]) {
			wantKeys("ci rule", r, inspectRuleKeys)
		}
	}
	wantKeys("top level", shape, top)
	for _, l := range list(shape["layers"]) {
		wantKeys("layer", l, inspectLayerKeys)
	}
	for _, w := range list(shape["inefficiencies"]) {
		wantKeys("inefficiency", w, inspectWasteKeys)
	}
	return out
}

// inspectJSONOf runs inspect --json and decodes it.
func inspectJSONOf(t *testing.T, e *env, args ...string) inspectOutput {
	t.Helper()
	r := e.mustRun(t, append([]string{"inspect", "--json"}, args...)...)
	return decodeInspect(t, r.stdout)
}

// checkWasteImage checks the figures of wasteImage, whatever it came from.
func checkWasteImage(t *testing.T, got inspectOutput) {
	t.Helper()
	if len(got.Layers) != 3 || got.SizeBytes != 10317 || got.WastedBytes != 5310 || got.UserSizeBytes != 5007 {
		t.Fatalf("layers %d size %d wasted %d user %d", len(got.Layers), got.SizeBytes, got.WastedBytes, got.UserSizeBytes)
	}
	want := []inspectWaste{{"/data/big", 2, 5000}, {"/cache/old", 2, 300}, {"/keep", 2, 10}}
	if !reflect.DeepEqual(got.Inefficiencies, want) {
		t.Errorf("inefficiencies %+v, want %+v", got.Inefficiencies, want)
	}
	if l := got.Layers[1]; l.Added != 1 || l.Modified != 1 || l.Removed != 1 || l.CreatedBy != "step B" {
		t.Errorf("layer 1: %+v", l) // added cache/new; modified data/big; removed cache/old
	}
	if got.Efficiency < 0.4852 || got.Efficiency > 0.4854 {
		t.Errorf("efficiency %v, want 1-5310/10317", got.Efficiency)
	}
}

func TestInspectBuildLast(t *testing.T) {
	shared := newEnv(t)
	b, r := shared.build(t, "--builder", "embedded", "../../assets/examples/multistage")
	if r.code != 0 || b.Image == nil {
		t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	raw := shared.mustRun(t, "inspect", "--json", "build:last").stdout
	// The DESIGN.md shape: these keys must be there with these types.
	var shape map[string]any
	if err := json.Unmarshal([]byte(raw), &shape); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"layers", "size_bytes", "efficiency", "wasted_bytes", "inefficiencies"} {
		if _, ok := shape[k]; !ok {
			t.Errorf("inspect --json has no %q", k)
		}
	}
	for _, k := range []string{"index", "digest", "size_bytes", "created_by", "added", "modified", "removed"} {
		if _, ok := shape["layers"].([]any)[0].(map[string]any)[k]; !ok {
			t.Errorf("inspect --json layers have no %q", k)
		}
	}
	got := inspectJSONOf(t, shared, "build:last")
	if got.Digest != b.Image.Digest || len(got.Layers) != len(b.Image.Layers) {
		t.Fatalf("inspect says %s with %d layers; the build made %s with %d", got.Digest, len(got.Layers), b.Image.Digest, len(b.Image.Layers))
	}
	for i, l := range got.Layers {
		if l.Digest != b.Image.Layers[i].Digest || l.CreatedBy == "" {
			t.Errorf("layer %d: %+v, build says %+v", i, l, b.Image.Layers[i])
		}
	}
	// The production stage appends a user to the base's /etc/passwd: the
	// base's copy is wasted.
	if len(got.Inefficiencies) == 0 || got.Inefficiencies[0].Path != "/etc/passwd" || got.Inefficiencies[0].Count != 2 {
		t.Errorf("inefficiencies %+v, want /etc/passwd first", got.Inefficiencies)
	}
	plain := shared.mustRun(t, "inspect", "build:"+b.ID).stdout
	for _, want := range []string{"LAYER", "COPY", "efficiency:", "/etc/passwd"} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain output lacks %q:\n%s", want, plain)
		}
	}
}

func TestInspectLayoutAndCI(t *testing.T) {
	shared := newEnv(t)
	dir := imagetest.WriteLayout(t, filepath.Join(t.TempDir(), "layout"), wasteImage(t))
	checkWasteImage(t, inspectJSONOf(t, shared, dir))

	cfg := filepath.Join(t.TempDir(), ".dive-ci")
	os.WriteFile(cfg, []byte("rules:\n  lowestEfficiency: 0.4\n  highestWastedBytes: 6KB\n  highestUserWastedPercent: disabled\n"), 0o644)
	r := shared.run(t, nil, "inspect", "--ci", "--ci-config", cfg, dir)
	if r.code != 0 || !strings.Contains(r.stdout, "PASS  lowestEfficiency (0.4)") ||
		!strings.Contains(r.stdout, "SKIP  highestUserWastedPercent") || !strings.Contains(r.stdout, "\nPASS [pass:2 skip:1]") {
		t.Errorf("CI pass run exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A flag wins over the file; 5310 wasted bytes are over 5kB.
	r = shared.run(t, nil, "inspect", "--ci", "--ci-config", cfg, "--highestWastedBytes", "5kB", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL  highestWastedBytes (too many bytes wasted (wasted-bytes=5310 > threshold=5000))") ||
		!strings.Contains(r.stdout, "\nFAIL [pass:1 fail:1 skip:1]") {
		t.Errorf("CI fail run exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	// dive's defaults (lowestEfficiency 0.9) without a config file.
	r = shared.run(t, nil, "inspect", "--ci", "--ci-config", filepath.Join(t.TempDir(), "none"), "--json", dir)
	if out := decodeInspect(t, r.stdout); r.code != 1 || out.CI == nil || out.CI.Pass || len(out.CI.Rules) != 3 {
		t.Errorf("CI --json run exited %d: %s", r.code, r.stdout)
	}
	r = shared.run(t, nil, "inspect", "--ci", "--lowestEfficiency", "2", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "lowestEfficiency") {
		t.Errorf("bad rule value exited %d: %s", r.code, r.stderr)
	}
}

func TestInspectRegistry(t *testing.T) {
	shared := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ref, err := name.ParseReference(ln.Addr().String() + "/e2e/waste:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, wasteImage(t)); err != nil {
		t.Fatal(err)
	}
	checkWasteImage(t, inspectJSONOf(t, shared, ref.String()))
}

func TestInspectDockerSaveAndEngine(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	tag := "buildscope-e2e/waste:inspect"
	if out, err := execOutput("docker", "load", "-i", writeArchive(t, wasteImage(t), tag)); err != nil {
		t.Fatalf("docker load: %v\n%s", err, out)
	}
	t.Cleanup(func() { execOutput("docker", "rmi", "-f", tag) })
	saved := filepath.Join(t.TempDir(), "saved.tar")
	if out, err := execOutput("docker", "save", "-o", saved, tag); err != nil {
		t.Fatalf("docker save: %v\n%s", err, out)
	}
	fromSave := inspectJSONOf(t, shared, saved)
	checkWasteImage(t, fromSave)
	fromEngine := inspectJSONOf(t, shared, "docker://"+tag)
	checkWasteImage(t, fromEngine)
	if fromSave.Layers[2].DiffID != fromEngine.Layers[2].DiffID {
		t.Errorf("save and engine disagree: %+v vs %+v", fromSave.Layers[2], fromEngine.Layers[2])
	}
}

func TestInspectCorruptLayer(t *testing.T) {
	shared := newEnv(t)
	good := tarOf(t, map[string]int{"a": 10})
	bad := tarOf(t, map[string]int{"big": 4000})
	img := appendLayer(t, appendLayer(t, empty.Image, good, 0), bad[:1000], 1)
	r := shared.run(t, nil, "inspect", writeArchive(t, img, "e2e/corrupt:1"))
	msg := strings.TrimRight(r.stderr, "\n")
	if r.code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, "reading layer 1 (sha256:") || !strings.Contains(msg, "unexpected EOF") {
		t.Errorf("exit %d, stderr %q: want one line naming layer 1", r.code, r.stderr)
	}
	r = shared.run(t, nil, "inspect", "--json", filepath.Join(t.TempDir(), "missing.tar"))
	if r.code == 0 || r.stdout != "" {
		t.Errorf("a missing image exited %d with %q", r.code, r.stdout)
	}
}

// inspect build:last~N opens the Nth build before the last one of the
// same context, Dockerfile and target, as compare does (it was read as a
// build ID "last~1" and not found); one too many back is one line saying
// so.
func TestInspectBuildLastBack(t *testing.T) {
	e := newEnv(t)
	_, a, b := twoChangedBuilds(t, e)
	digest := func(spec string) string {
		t.Helper()
		var out struct {
			Image  string `json:"image"`
			Digest string `json:"digest"`
		}
		if err := json.Unmarshal([]byte(e.mustRun(t, "inspect", "--json", spec).stdout), &out); err != nil {
			t.Fatalf("inspect %s: %v", spec, err)
		}
		if out.Image != spec || out.Digest == "" {
			t.Errorf("inspect %s names image %q, digest %q", spec, out.Image, out.Digest)
		}
		return out.Digest
	}
	if back, first := digest("build:last~1"), digest("build:"+a.ID); back != first {
		t.Errorf("build:last~1 is %s, want build A's image %s", back, first)
	}
	if zero, last := digest("build:last~0"), digest("build:"+b.ID); zero != last || zero == digest("build:"+a.ID) {
		t.Errorf("build:last~0 is %s, want build B's image %s", zero, last)
	}
	r := e.run(t, nil, "inspect", "--json", "build:last~2")
	want := "buildscope: build:last~2: there are not 2 earlier builds of the last build's context, Dockerfile and target\n"
	if r.code != 1 || r.stderr != want || r.stdout != "" {
		t.Errorf("build:last~2: exit %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
}

// An image name the local Docker engine holds opens from the engine, as
// dive opens it, saying so on stderr; a name neither the engine nor its
// registry has is an error naming the image and suggesting docker://.
func TestInspectNameFromTheLocalEngine(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	nonce := history.NewID()
	tag := "bakedemo-" + nonce + "/api:latest" // on Docker Hub it is not; the engine has it
	if out, err := execOutput("docker", "load", "-i", writeArchive(t, wasteImage(t), tag)); err != nil {
		t.Fatalf("docker load: %v\n%s", err, out)
	}
	t.Cleanup(func() { execOutput("docker", "rmi", "-f", tag) })
	r := shared.mustRun(t, "inspect", "--json", tag)
	checkWasteImage(t, decodeInspect(t, r.stdout))
	if !strings.Contains(r.stderr, "from the local Docker engine") {
		t.Errorf("inspect %s does not say it opened the engine's image:\n%s", tag, r.stderr)
	}
	missing := baseAddr + "/buildscope/nosuch-" + nonce + ":1"
	r = shared.run(t, nil, "inspect", "--json", missing)
	if r.code == 0 || !strings.Contains(r.stderr, missing) || !strings.Contains(r.stderr, "docker://") || strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") > 0 {
		t.Errorf("inspect %s: exit %d, want one line naming it and suggesting docker://:\n%s", missing, r.code, r.stderr)
	}
}
