package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/bakespec"
)

// Without buildscope-bake anywhere, bake says what reads bake files and
// how to get it, instead of exec's "file not found".
func TestBakeReaderMissingSaysHowToGetIt(t *testing.T) {
	t.Setenv("BUILDSCOPE_BAKE", "")
	t.Setenv("PATH", t.TempDir())
	_, err := ReadBakeFiles(context.Background(), bakespec.Request{})
	if err == nil || !strings.Contains(err.Error(), "buildscope-bake") || !strings.Contains(err.Error(), "make build") {
		t.Fatalf("error %v", err)
	}
}

// The reader's own one-line account of bad input (exit 1) is bake's
// error as it is; anything else names the reader and how it failed.
func TestBakeReaderErrorsPassThrough(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, body, want string }{
		{"bad input", `echo "bake target app: dockerfile-inline is not supported" >&2; exit 1`, "bake target app: dockerfile-inline is not supported"},
		{"crashed", `echo "SIGSEGV" >&2; exit 2`, "exit status 2: SIGSEGV"},
		{"not JSON", `echo '{"targets": [}'`, "is it the one built with this buildscope?"},
		{"request", `case "$1" in *'"files":["a.hcl"]'*'"push":true'*) echo '{"targets":[],"definition":{}}';; *) echo "$1" >&2; exit 1;; esac`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("BUILDSCOPE_BAKE", script(strings.ReplaceAll(tc.name, " ", "-"), tc.body))
			res, err := ReadBakeFiles(context.Background(), bakespec.Request{Files: []string{"a.hcl"}, Push: true})
			switch {
			case tc.want == "" && (err != nil || res == nil):
				t.Fatalf("error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			case tc.name == "bad input" && err.Error() != tc.want:
				t.Fatalf("error %q, want it as the reader said it", err)
			}
		})
	}
}
