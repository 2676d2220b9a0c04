// Package modeltest holds the test helpers that model's packages (and the
// views that render their types) share: the readers of recorded builds.
// It ships with the code, as inspect/imagetest does, and imports only the
// record.
package modeltest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildscope/buildscope/model"
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
