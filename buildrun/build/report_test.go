package build

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildscope/buildscope/model"
)

// The --report file is the user's only (it was 0644), and replacing an
// existing one narrows its mode too.
func TestWriteReportIsPrivate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "build.json")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(p, &model.Build{ID: "0a0a0a0a0a0a", Status: model.StatusOK}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want -rw-------", fi.Mode().Perm())
	}
	var b model.Build
	data, _ := os.ReadFile(p)
	if err := json.Unmarshal(data, &b); err != nil || b.ID != "0a0a0a0a0a0a" {
		t.Errorf("report %s: %v", data, err)
	}
}
