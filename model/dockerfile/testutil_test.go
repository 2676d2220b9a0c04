package dockerfile

import (
	"os"
	"testing"
)

func loadPlan(t *testing.T, path string, args map[string]string) *Plan {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(path, data, args)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
