package source

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// What each kind of IMAGE spec reads as, from its text alone.
func TestParseSpec(t *testing.T) {
	for spec, want := range map[string]Spec{
		"build:last":          {Kind: SpecBuild, Build: "last"},
		"build:last~0":        {Kind: SpecBuild, Build: "last"},
		"build:last~2":        {Kind: SpecBuild, Build: "last", Back: 2},
		"build:0524017c190f":  {Kind: SpecBuild, Build: "0524017c190f"},
		"docker://app:1":      {Kind: SpecDocker, Name: "app:1"},
		"./out":               {Kind: SpecPath},
		"/tmp/x":              {Kind: SpecPath},
		"~/img":               {Kind: SpecPath},
		"image.tar":           {Kind: SpecPath},
		"busybox:1":           {Kind: SpecName},
		"127.0.0.1:5015/base": {Kind: SpecName},
	} {
		got, err := ParseSpec(spec)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if got.Kind != want.Kind || got.Build != want.Build || got.Back != want.Back || got.Name != want.Name {
			t.Errorf("%s read as %+v, want %+v", spec, got, want)
		}
		if (got.Kind == SpecName) != (got.Ref != nil) {
			t.Errorf("%s: reference %v", spec, got.Ref)
		}
	}
	for spec, want := range map[string]string{
		"":              "IMAGE is empty: " + specHint,
		"build:":        "build: names no build: use build:ID (`buildscope history ls` lists them) or build:last",
		"build:last~x":  "build:last~x: use build:last~N with N a number of builds back",
		"build:last~-1": "build:last~-1: use build:last~N with N a number of builds back",
		"build:abc~1":   "build:abc~1: only build:last counts back (build:last~N); name an earlier build by its ID",
		"build:../x":    "build:../x: a build ID is letters, digits, - and _ (`buildscope history ls` lists them)",
		"docker://":     "docker:// names no image: use docker://NAME with NAME an image of the Docker engine (`docker images`)",
	} {
		_, err := ParseSpec(spec)
		wantError(t, spec, err, want)
	}
}

// A bad IMAGE spec is named in its error escaped, as model.Printable
// does: escape sequences and line breaks in it neither reach the terminal
// nor split the error into lines (the path and reference errors printed
// the spec raw; a reference's own error quoted it raw too).
func TestOpenEscapesABadSpec(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	fifo := "pipe\x1b]0;pwned\x07.tar"
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	notLayout := "dir\x1b[2J"
	os.Mkdir(notLayout, 0o755)
	const hint = ": IMAGE is a path to an OCI layout or a docker save tar, or an image reference such as registry.example/app:tag"
	for spec, want := range map[string]string{
		"./no\x1b]0;pwned\x07/layout":  `./no\e]0;pwned\x07/layout does not exist` + hint,
		"app\n:1":                      `app\n:1 is not a file, a directory, build:ID, docker://NAME or an image reference: could not parse reference: app\n:1`,
		"build:\x1b[2J":                `build:\e[2J: a build ID is letters, digits, - and _ (` + "`buildscope history ls`" + ` lists them)`,
		"build:last~1\n":               `build:last~1\n: use build:last~N with N a number of builds back`,
		"docker://app\r:1":             `docker://app\r:1: an image name of the Docker engine holds no spaces or control characters`,
		fifo:                           `pipe\e]0;pwned\x07.tar is a named pipe (FIFO), not a file: IMAGE is an OCI layout directory, a docker save tar or an image reference`,
		notLayout:                      `dir\e[2J is not an OCI layout (no oci-layout file): pass a layout directory, a docker save tar or an image reference`,
		filepath.Join(dir, "x\ty.tar"): filepath.Join(dir, `x\ty.tar`) + " does not exist" + hint,
	} {
		_, err := Open(context.Background(), spec, Options{})
		wantError(t, spec, err, want)
	}
}
