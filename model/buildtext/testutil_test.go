package buildtext

import (
	"encoding/json"
	"os"
	"testing"
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
