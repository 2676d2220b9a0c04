package model_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildscope/buildscope/model"
)

// loadJSON decodes the JSON file at path (recorded output of a real
// build, in testdata) into v.
func loadJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
}

// loadPair reads a previous and a current build recorded by real builds
// on the embedded builder (with BuildKit's cache keys), from testdata/why.
func loadPair(t *testing.T, name string) (prev, cur *model.Build) {
	t.Helper()
	var p struct{ Previous, Current *model.Build }
	loadJSON(t, filepath.Join("testdata", "why", name+".json"), &p)
	return p.Previous, p.Current
}
