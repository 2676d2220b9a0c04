package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver"
	"github.com/moby/buildkit/solver/bboltcachestorage"
	"github.com/moby/buildkit/util/cachedigest"

	"github.com/buildscope/buildscope/model/why"
)

// why's explanation agrees with BuildKit's own cache-key inputs, read
// here independently of buildscope with BuildKit's own database code: the
// embedded builder runs with --save-cache-debug, and the exec op of the
// RUN that why says missed for VERSION 1.0.0 → 2.0.0 has two cache-key
// entries in BuildKit's debug data that differ exactly in that variable.
func TestWhyAgreesWithBuildKitCacheDebug(t *testing.T) {
	e := newColdEnv(t) // lifecycle: the builder is stopped to read its debug database
	dir := copyDir(t, "../../assets/examples/cachedemo")
	whyAfter(t, e, dir, "--builder", "embedded")
	ex := whyAfter(t, e, dir, "--builder", "embedded", "--build-arg", "VERSION=2.0.0")
	m := requireMiss(t, ex, 17, why.ReasonBuildArg)
	if m.Detail.Arg != "VERSION" {
		t.Fatalf("detail %v", m.Detail)
	}
	e.mustRun(t, "builder", "stop") // releases the debug database
	db, err := cachedigest.NewDB(filepath.Join(e.dir, "state", "buildscope", "buildkitd", "root", "cache-debug.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var old, cur []string
	err = db.All(context.Background(), func(key string, typ cachedigest.Type, frames []cachedigest.Frame) error {
		for _, f := range frames {
			s := string(f.Data)
			if !strings.Contains(s, "chmod 755 greeter") {
				continue
			}
			if strings.Contains(s, "VERSION=1.0.0") {
				old = append(old, s)
			}
			if strings.Contains(s, "VERSION=2.0.0") {
				cur = append(cur, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(old) == 0 || len(cur) == 0 {
		t.Fatalf("BuildKit's cache-key inputs of the RUN: %d with 1.0.0, %d with 2.0.0", len(old), len(cur))
	}
	agree := false
	for _, o := range old {
		for _, c := range cur {
			if strings.ReplaceAll(o, "VERSION=1.0.0", "VERSION=2.0.0") == c {
				agree = true
			}
		}
	}
	if !agree {
		t.Errorf("BuildKit's cache keys differ in more than VERSION:\n%v\n%v", old[0], cur[0])
	}
}

// Every step's recorded BuildKit key is a record of the builder's own key
// store, read here with BuildKit's own store code after the builder
// stopped: it exists, a source's is its digest, and every other is linked
// from the record of a step it builds on by the op digest buildscope
// recorded beside it.
func TestRecordedKeysAreTheBuildersRecords(t *testing.T) {
	e := newColdEnv(t) // lifecycle: the builder is stopped to read its key store
	dir := copyDir(t, "../../assets/examples/cachedemo")
	b, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatalf("build exited %d: %s", r.code, lastLines(r.stderr, 10))
	}
	e.mustRun(t, "builder", "stop") // releases the key store
	store, err := bboltcachestorage.NewStore(filepath.Join(e.dir, "state", "buildscope", "buildkitd", "root", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	checked := 0
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			k := st.Key
			if k == nil || k.BuildKitKey == "" {
				t.Errorf("%s: no BuildKit key recorded (%+v)", st.Name, k)
				continue
			}
			if !store.Exists(k.BuildKitKey) {
				t.Errorf("%s: BuildKit key %s is not in the builder's key store", st.Name, k.BuildKitKey)
				continue
			}
			if strings.HasPrefix(st.Instruction, "FROM ") {
				if k.BuildKitKey != k.Key {
					t.Errorf("%s: a source's BuildKit key %s is not its digest %s", st.Name, k.BuildKitKey, k.Key)
				}
				checked++
				continue
			}
			linked := false
			err := store.WalkBacklinks(k.BuildKitKey, func(_ string, l solver.CacheInfoLink) error {
				linked = linked || l.Digest.String() == k.OpDigest
				return nil
			})
			if err != nil || !linked {
				t.Errorf("%s: BuildKit key %s is not linked by op digest %s (%v)", st.Name, k.BuildKitKey, k.OpDigest, err)
				continue
			}
			checked++
		}
	}
	if checked < 5 {
		t.Errorf("only %d steps checked", checked)
	}
}
