package build

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadBake feeds the bake reader (bounds, then buildx's own parser)
// any HCL or JSON file: it returns the targets or an error, never panics
// or hangs. Seeds: the example bake file and small HCL/JSON shapes. The
// corpus found is kept in testdata/fuzz/FuzzReadBake and replayed by go
// test.
func FuzzReadBake(f *testing.F) {
	if data, err := os.ReadFile("../../assets/examples/bake/docker-bake.hcl"); err == nil {
		f.Add(data, false)
	}
	f.Add([]byte(`variable "V" { default = "x" }
group "default" { targets = ["a"] }
target "a" { dockerfile = "Dockerfile" args = { A = "${V}${V}" } }
`), false)
	f.Add([]byte(`{"group":{"default":{"targets":["a"]}},"target":{"a":{"context":".","tags":["x"]}}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		name := "docker-bake.hcl"
		if asJSON {
			name = "docker-bake.json"
		}
		file := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = ReadBake(context.Background(), BakeOptions{Files: []string{file}})
	})
}
