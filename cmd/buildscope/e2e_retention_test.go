package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
)

// history rm frees the blobs of the removed build's image that no other
// record uses (a shared base layer stays, the other build's image still
// opens) and says what it left: the builder's own record, which rm
// --builder then removes. history prune --keep removes the older records
// and, with --builder, the builder's records of them.
func TestHistoryRmAndPruneFreeWhatNoRecordUses(t *testing.T) {
	e := newColdEnv(t)
	big := flagDir(t, "FROM "+baseAddr+"/buildscope/busybox\nRUN head -c 400000 /dev/urandom > /big # "+history.NewID()+"\n")
	small := flagDir(t, "")
	a, r := e.build(t, "--builder", "embedded", big)
	if r.code != 0 {
		t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
	b, r := e.build(t, "--builder", "embedded", small)
	if r.code != 0 {
		t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
	results := filepath.Join(e.dir, "state", "buildscope", "results")
	layersA := manifestLayers(t, results, a.Result.Ref)
	layersB := manifestLayers(t, results, b.Result.Ref)
	if len(layersA) != 2 || len(layersB) != 2 || layersA[0] != layersB[0] {
		t.Fatalf("want two images over one base layer: %v, %v", layersA, layersB)
	}

	rm := e.mustRun(t, "history", "rm", a.ID).stdout
	for _, want := range []string{
		"removed " + a.ID + " from buildscope's history (its record, events and inputs)\n",
		"freed 3 blobs (",
		"kept: the embedded builder's own record buildscope-" + a.ID + ", while it keeps it",
		"`buildscope history rm --builder embedded buildscope-" + a.ID + "` removes it",
	} {
		if !strings.Contains(rm, want) {
			t.Errorf("history rm says\n%s\nwithout %q", rm, want)
		}
	}
	if blobExists(results, a.Result.Ref) || blobExists(results, layersA[1]) {
		t.Error("the removed build's manifest or own layer is still in the results store")
	}
	if !blobExists(results, layersA[0]) {
		t.Fatal("the base layer another build's image uses was removed")
	}
	e.mustRun(t, "inspect", "--json", "build:"+b.ID)

	if got := e.mustRun(t, "history", "rm", "--builder", "embedded", "buildscope-"+a.ID).stdout; got != "removed buildscope-"+a.ID+" from the embedded builder's history\n" {
		t.Errorf("history rm of the builder's record: %q", got)
	}

	c, r := e.build(t, "--builder", "embedded", small) // cached: the same image as b's
	if r.code != 0 {
		t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
	var pr struct { // history prune --json, decoded apart from buildrun's type
		Removed     []string `json:"removed"`
		BuilderRefs []string `json:"builder_refs"`
		Results     *struct {
			Blobs   int    `json:"freed_blobs"`
			Skipped string `json:"sweep_skipped"`
		} `json:"results"`
	}
	out := e.mustRun(t, "history", "prune", "--keep", "1", "--builder", "embedded", "--json").stdout
	if err := json.Unmarshal([]byte(out), &pr); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Join(pr.Removed, " ") != b.ID || strings.Join(pr.BuilderRefs, " ") != "buildscope-"+b.ID || pr.Results == nil || pr.Results.Skipped != "" {
		t.Errorf("history prune --keep 1: %s", out)
	}
	if pr.Results.Blobs != 0 {
		t.Errorf("prune freed %d blobs that the kept build's identical image uses", pr.Results.Blobs)
	}
	e.mustRun(t, "inspect", "--json", "build:"+c.ID)
	ls := e.mustRun(t, "history", "ls", "--json", "--builder", "embedded").stdout
	for _, gone := range []string{a.ID, b.ID} {
		if strings.Contains(ls, gone) {
			t.Errorf("history ls still lists %s:\n%s", gone, ls)
		}
	}
	if !strings.Contains(ls, "buildscope-"+c.ID) {
		t.Errorf("the builder's record of the kept build went:\n%s", ls)
	}
	if r := e.run(t, nil, "history", "prune"); r.code == 0 || !strings.Contains(r.stderr, "say what to keep: --keep N") {
		t.Errorf("history prune with no retention: exit %d, %q", r.code, r.stderr)
	}
}

// manifestLayers are the layer digests of the manifest digest in the
// layout dir.
func manifestLayers(t *testing.T, dir, digest string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(digest, "sha256:")))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Layers []struct {
			Digest string `json:"digest"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range m.Layers {
		out = append(out, l.Digest)
	}
	return out
}

func blobExists(dir, digest string) bool {
	_, err := os.Stat(filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(digest, "sha256:")))
	return err == nil
}
