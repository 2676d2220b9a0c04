// Package modeltest holds the test helpers that model's packages (and the
// views that render their types) share: the readers of recorded builds.
// It ships with the code, as inspect/imagetest does, and imports only the
// record and the Dockerfile plan.
package modeltest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// LoadJSON decodes the JSON file at path (recorded output of a real run,
// in testdata) into v, failing the test on any error.
func LoadJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
}

// LoadPair reads a previous and a current build recorded by real builds
// on the embedded builder (with BuildKit's cache keys) from dir/name.json.
func LoadPair(t testing.TB, dir, name string) (prev, cur *model.Build) {
	t.Helper()
	var p struct{ Previous, Current *model.Build }
	LoadJSON(t, filepath.Join(dir, name+".json"), &p)
	return p.Previous, p.Current
}

// LoadEvents reads a SolveStatus stream recorded with
// `buildscope build --progress json` from a real build.
func LoadEvents(t testing.TB, path string) []*client.SolveStatus {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*client.SolveStatus
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var s client.SolveStatus
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, &s)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no events", path)
	}
	return out
}

// LoadPlan parses the Dockerfile at path with build args args.
func LoadPlan(t testing.TB, path string, args map[string]string) *dockerfile.Plan {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dockerfile.Parse(path, data, args)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
