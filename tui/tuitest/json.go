package tuitest

import (
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"
)

// LoadJSON decodes the JSON file at path (recorded output of a real
// run, in testdata) into v, failing the test on any error.
func LoadJSON(t testing.TB, path string, v any) { modeltest.LoadJSON(t, path, v) }
