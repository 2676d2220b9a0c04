package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/bakecheck"
	"github.com/buildscope/buildscope/buildrun/bundle"
	"github.com/buildscope/buildscope/buildrun/bundle/bundletest"
)

// hostileCase is one case of the hostile-input catalogue: its name
// ("class: what"), the door the input goes in by (a library reader,
// in-process, or the real binary), and run, which makes the input, goes
// in by the door and holds the outcome to the expected one: the exact
// one-line error, or the exit status and a line printed, or what a right
// result holds.
type hostileCase struct {
	name string
	door string
	run  func(t *testing.T, shared *env)
}

// The doors. The cheap cases go in by the library readers, in-process;
// only those whose door is the command itself (its flags, its printing,
// its exit status, a builder) run the binary.
const (
	doorInspect = "inspect's reader (in-process: source.Open, layers.Analyze)"
	doorBundle  = "history import's reader (in-process: bundle.Unpack)"
	doorBake    = "bake's bounds (in-process: bakecheck.Files)"
	doorBinary  = "the binary"
)

// hostileCatalogue is the one list of hostile inputs (issue 30): crafted
// images, layouts and archives; bundles; bake files; Dockerfiles,
// contexts, secrets and builder addresses; records on disk; and the
// commands' flags. The README lists it by class.
func hostileCatalogue(t *testing.T) []hostileCase {
	var all []hostileCase
	for _, c := range append(append(layoutCases(), layerCases()...), archiveCases()...) {
		all = append(all, hostileCase{c.name, doorInspect, func(t *testing.T, _ *env) { c.run(t) }})
	}
	for _, c := range bundleCases() {
		all = append(all, hostileCase{c.name, doorBundle, func(t *testing.T, _ *env) { c.run(t) }})
	}
	for _, c := range bakeBoundCases() {
		all = append(all, hostileCase{c.name, doorBake, func(t *testing.T, _ *env) { c.run(t) }})
	}
	for _, c := range cliCases() {
		all = append(all, hostileCase{c.name, doorBinary, c.run})
	}
	for _, c := range shapeCases(t) {
		all = append(all, hostileCase{c.name, doorBinary, c.run})
	}
	for _, c := range doorCases() {
		all = append(all, hostileCase{c.name, doorBinary, c.run})
	}
	return all
}

// TestHostileCatalogue runs every case of the catalogue, and holds it to
// at least 100 cases, each named once.
func TestHostileCatalogue(t *testing.T) {
	shared := newEnv(t)
	cases := hostileCatalogue(t)
	if len(cases) < 100 {
		t.Errorf("the catalogue holds %d cases, fewer than 100", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Errorf("two cases named %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) { c.run(t, shared) })
	}
}

// bundleCase is a file given to history import's reader, with the line
// its error holds.
type bundleCase struct {
	name    string
	entries map[string][]byte // a gzip'd tar of them; nil: plain
	plain   string            // the file's content when not a tar
	want    string
}

func (c bundleCase) run(t *testing.T) {
	file := filepath.Join(t.TempDir(), "b.dockerbuild")
	data := []byte(c.plain)
	if c.entries != nil {
		data = bundletest.GzipTar(c.entries)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, cleanup, err := bundle.Unpack(file)
	if err == nil {
		cleanup()
		t.Fatalf("want an error with %q, got a bundle", c.want)
	}
	if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("err %v, want one line with %q", err, c.want)
	}
}

func bundleCases() []bundleCase {
	good := []byte(`{"schemaVersion":2}`)
	blob := bundletest.BlobName(good)
	return []bundleCase{
		{"import: a damaged blob", map[string][]byte{"index.json": good, blob: []byte("other")}, "", "the bundle is damaged"},
		{"import: no index.json", map[string][]byte{blob: good}, "", "has no index.json: make it with `docker buildx history export`"},
		{"import: a Dockerfile as a bundle", nil, "FROM busybox\n", "docker buildx history export"},
	}
}

// bakeBoundCase is a bake file given to the bounds checked before
// buildx's parser reads it, with the error it gets ("" none: left to the
// parser).
type bakeBoundCase struct {
	name, file, content, want string
}

func (c bakeBoundCase) run(t *testing.T) {
	err := bakecheck.Files([]bakecheck.File{{Name: c.file, Data: []byte(c.content)}})
	switch {
	case c.want == "" && err != nil:
		t.Fatalf("want it left to buildx's parser, got %v", err)
	case c.want != "" && (err == nil || err.Error() != c.want):
		t.Fatalf("err %v\nwant %s", err, c.want)
	}
}

func bakeBoundCases() []bakeBoundCase {
	return []bakeBoundCase{
		{"bake: 201 levels of braces", "docker-bake.json", strings.Repeat("{", 201),
			"bake file docker-bake.json nests more than 200 levels deep (line 1): more than buildscope reads; a bake file needs a few"},
		{"bake: brackets inside a string are not nesting", "docker-bake.hcl",
			"target \"default\" {\n  args = { A = \"" + strings.Repeat("[", 1000) + "\\\"\" }\n}\n", ""},
		{"bake: a variable that names itself is left to buildx", "docker-bake.hcl",
			"variable \"a\" {\n  default = \"${a}${a}\"\n}\n", ""},
	}
}
