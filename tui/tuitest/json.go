package tuitest

import (
	"encoding/json"
	"os"
	"testing"
)

// LoadJSON decodes the JSON file at path (recorded output of a real
// run, in testdata) into v, failing the test on any error.
func LoadJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
