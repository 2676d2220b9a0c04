package fold

import (
	"path/filepath"
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/buildscope/buildscope/model"
)

// loadPair reads a previous and a current build recorded by real builds
// on the embedded builder, from testdata/why.
func loadPair(t *testing.T, name string) (prev, cur *model.Build) {
	t.Helper()
	return modeltest.LoadPair(t, filepath.Join("..", "testdata", "why"), name)
}
