package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model/why"
)

// why --builder ADDR without a ref explains that builder's last build
// (here buildctl's), and the embedded builder named by its socket is the
// embedded builder: its cache keys answer, naming the changed file.
func TestWhyBuilderBySocketExplainsItsLastBuild(t *testing.T) {
	e := newColdEnv(t) // the builder's own history: its last build must be the test's
	ref := twoBuildctlBuilds(t, e)
	sock := "unix://" + builderSock(e)
	var ex why.Explanation
	r := e.mustRun(t, "why", "--json", "--builder", sock)
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if ex.Build != ref || ex.Previous == "" {
		t.Fatalf("why --builder %s explained %q against %q, want the builder's last build %s", sock, ex.Build, ex.Previous, ref)
	}
	if ex.Source != why.SourceCacheKeys {
		t.Errorf("source %q (%s): the embedded builder named by its socket should answer from its cache keys", ex.Source, ex.SourceNote)
	}
	m := requireMiss(t, &ex, 3, why.ReasonContext)
	if len(m.Detail.Changes) != 1 || m.Detail.Changes[0].Path != "a.txt" {
		t.Errorf("line 3: %+v", m.Detail)
	}
}

// Another client's identical rebuild after a prune is explained from the
// keys buildscope captured when the first build was listed (before the
// prune erased them from the builder): cache-evicted from cache-keys,
// never a guess between a changed file and an evicted entry.
func TestWhyForeignRebuildAfterPrune(t *testing.T) {
	e := newColdEnv(t) // eviction: builder prune would evict other tests' cache
	e.mustRun(t, "builder", "start")
	ctl := buildctlBin(t)
	dir := flagDir(t, foreignDockerfile)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(history.NewID()), 0o644)
	if _, err := foreignBuild(t, e, ctl, dir); err != nil { // lists it: its keys are captured
		t.Fatal(err)
	}
	e.mustRun(t, "builder", "prune")
	ref, err := foreignBuild(t, e, ctl, dir)
	if err != nil {
		t.Fatal(err)
	}
	var ex why.Explanation
	r := e.mustRun(t, "why", ref, "--json", "--builder", "embedded")
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if ex.Previous == "" || ex.Source != why.SourceCacheKeys {
		t.Fatalf("previous %q, source %q (%s)\n%s", ex.Previous, ex.Source, ex.SourceNote, r.stdout)
	}
	m := requireMiss(t, &ex, 3, why.ReasonEvicted)
	if m.Source != why.SourceCacheKeys || m.Detail.Key == "" {
		t.Errorf("line 3: %+v from %s", m, m.Source)
	}
	for _, m := range ex.Misses {
		if m.Reason == why.ReasonContext || m.Reason == why.ReasonUnknown {
			t.Errorf("%+v: a guess, or an unknown, where the captured keys show the entry was evicted", m)
		}
	}
}

// A step whose previous run failed (here on a secret's value, which is
// no input of its cache key) and that ran again with the same inputs is
// previous-failed with that build's error, from the build records; it
// never names the Docker engine on the embedded builder.
func TestWhyPreviousFailed(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	// the nonce (line 2) makes the steps the test's own on the shared
	// builder; the base is ownBase
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM " + ownBase(t) + "\nRUN echo " + history.NewID() + " > /n\n" +
		"RUN --mount=type=secret,id=s test \"$(cat /run/secrets/s)\" = right-value\n"})
	secret := filepath.Join(t.TempDir(), "s")
	os.WriteFile(secret, []byte("wrong-value"), 0o600)
	if _, r := e.build(t, "--builder", "embedded", "--secret", "id=s,src="+secret, dir); r.code == 0 {
		t.Fatal("the first build should fail")
	}
	os.WriteFile(secret, []byte("right-value"), 0o600)
	ex := whyAfter(t, e, dir, "--builder", "embedded", "--secret", "id=s,src="+secret)
	m := requireMiss(t, ex, 3, why.ReasonPrevFailed)
	if m.Source != why.SourceBuildRecord || m.Detail.Old == "" {
		t.Errorf("line 3: %+v from %s, want the previous error from the build records", m.Detail, m.Source)
	}
	if plain := e.mustRun(t, "why").stdout; strings.Contains(plain, "Docker engine") || !strings.Contains(plain, "previous-failed") {
		t.Errorf("plain why:\n%s", plain)
	}
}
