package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/model"
)

// TestOneImageSizeEverywhere: one image's size_bytes is one figure in the
// build's record and summary, `history show --json`, `inspect --json`,
// `stages --json` and `compare --json`, on the embedded builder and the
// engine, and it is what `docker image ls` counts (the engine's Size of
// the same Dockerfile's image); compressed_bytes is go-containerregistry's
// sum of the layer blobs where the layers are compressed, and not given
// for the engine's, which it stores uncompressed.
func TestOneImageSizeEverywhere(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	ex := "../../assets/examples/multistage"
	tag := "buildscope-e2e/sizes:" + strings.ToLower(t.Name()[:8])
	t.Cleanup(func() { execOutput("docker", "rmi", "-f", tag) })
	var dockerSize int64
	for _, bl := range []string{"docker", "embedded"} {
		args := []string{"--builder", bl, ex}
		if bl == "docker" {
			args = append([]string{"-t", tag}, args...)
		}
		rec, r := shared.build(t, args...)
		if r.code != 0 || rec.Image == nil {
			t.Fatalf("%s: build exited %d: %s", bl, r.code, lastLines(r.stderr, 10))
		}
		if bl == "docker" {
			out, err := execOutput("docker", "image", "inspect", "--format", "{{.Size}}", tag)
			if err != nil {
				t.Fatal(err)
			}
			dockerSize, _ = strconv.ParseInt(strings.TrimSpace(out), 10, 64)
		}
		id := "build:" + rec.ID
		var shown model.Build
		json.Unmarshal([]byte(shared.mustRun(t, "history", "show", rec.ID, "--json").stdout), &shown)
		var ins struct {
			Size       int64 `json:"size_bytes"`
			Compressed int64 `json:"compressed_bytes"`
			Layers     []struct {
				Size       int64 `json:"size_bytes"`
				Compressed int64 `json:"compressed_bytes"`
			} `json:"layers"`
		}
		json.Unmarshal([]byte(shared.mustRun(t, "inspect", "--json", id).stdout), &ins)
		var st struct {
			Final struct {
				Size int64 `json:"size_bytes"`
			} `json:"final"`
		}
		json.Unmarshal([]byte(shared.mustRun(t, "stages", "--json", id).stdout), &st)
		var cmp struct {
			Image struct {
				Size [2]int64 `json:"size_bytes"`
			} `json:"image"`
		}
		json.Unmarshal([]byte(shared.mustRun(t, "compare", "--json", id, id).stdout), &cmp)
		got := map[string]int64{"record": rec.Image.SizeBytes, "history show": shown.Image.SizeBytes, "inspect": ins.Size,
			"stages": st.Final.Size, "compare": cmp.Image.Size[1]}
		for where, n := range got {
			if n != dockerSize {
				t.Errorf("%s: %s says size_bytes %d, docker image ls counts %d (all: %v)", bl, where, n, dockerSize, got)
			}
		}
		if !strings.Contains(r.stderr, "("+model.HumanSize(dockerSize)+")") {
			t.Errorf("%s: the build summary does not say %s:\n%s", bl, model.HumanSize(dockerSize), lastLines(r.stderr, 2))
		}
		for i, l := range ins.Layers {
			if l.Compressed > 0 && l.Size == 0 && l.Compressed > 1024 {
				t.Errorf("%s: layer %d of 0 B is %d bytes compressed", bl, i, l.Compressed)
			}
		}
		if bl == "docker" {
			if rec.Image.CompressedBytes != 0 || ins.Compressed != 0 {
				t.Errorf("engine: compressed %d (record) %d (inspect), want none: the engine stores layers uncompressed", rec.Image.CompressedBytes, ins.Compressed)
			}
			continue
		}
		comp := blobBytes(t, rec.Result.Path, rec.Result.Ref)
		if rec.Image.CompressedBytes != comp || ins.Compressed != comp {
			t.Errorf("embedded: compressed %d (record) %d (inspect), go-containerregistry's layers %d", rec.Image.CompressedBytes, ins.Compressed, comp)
		}
	}
}

// blobBytes is the compressed size of a build's image (its result's
// layout path and ref) as go-containerregistry reads it: its layer blobs.
func blobBytes(t *testing.T, path, ref string) int64 {
	t.Helper()
	img, err := results.LayoutImage(path, ref, "")
	if err != nil {
		t.Fatal(err)
	}
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, l := range ls {
		size, err := l.Size()
		if err != nil {
			t.Fatal(err)
		}
		n += size
	}
	return n
}
