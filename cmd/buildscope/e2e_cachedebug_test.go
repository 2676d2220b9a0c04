package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/util/cachedigest"

	"github.com/buildscope/buildscope/model/why"
)

// why's explanation agrees with BuildKit's own cache-key inputs, read
// here independently of buildscope with BuildKit's own database code: the
// embedded builder runs with --save-cache-debug, and the exec op of the
// RUN that why says missed for VERSION 1.0.0 → 2.0.0 has two cache-key
// entries in BuildKit's debug data that differ exactly in that variable.
func TestWhyAgreesWithBuildKitCacheDebug(t *testing.T) {
	e := newColdEnv(t)
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
