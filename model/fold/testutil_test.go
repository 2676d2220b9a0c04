package fold

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// loadEvents reads a SolveStatus stream recorded with
// `buildscope build --progress json` from a real build.
func loadEvents(t *testing.T, path string) []*client.SolveStatus {
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

func loadPlan(t *testing.T, path string, args map[string]string) *dockerfile.Plan {
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

// loadPair reads a previous and a current build recorded by real builds
// on the embedded builder, from testdata/why.
func loadPair(t *testing.T, name string) (prev, cur *model.Build) {
	t.Helper()
	return modeltest.LoadPair(t, filepath.Join("..", "testdata", "why"), name)
}
