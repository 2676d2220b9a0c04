package main

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// module is the import path every buildscope package starts with.
const module = "github.com/buildscope/buildscope/"

// goFile is one Go file of the tree, by its directory relative to the
// module root.
type goFile struct {
	dir, path string
	test      bool
}

// goFiles lists the tree's Go files, testdata and bench left out.
func goFiles(t *testing.T) []goFile {
	t.Helper()
	var out []goFile
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "bench" || strings.HasPrefix(d.Name(), ".")) && p != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		rel, _ := filepath.Rel("../..", p)
		out = append(out, goFile{dir: filepath.ToSlash(filepath.Dir(rel)), path: p, test: strings.HasSuffix(p, "_test.go")})
		return nil
	})
	if err != nil {
		t.Fatalf("walking the tree: %v", err)
	}
	return out
}

// under reports whether dir is pkg or inside it.
func under(dir, pkg string) bool { return dir == pkg || strings.HasPrefix(dir, pkg+"/") }

// mayNotImport is the README's "may import" column, as what each layer
// must not reach: the data flows cmd → tui → inspect → buildrun → model.
var mayNotImport = []struct{ pkg, forbidden string }{
	{"model", "buildrun"}, {"model", "inspect"}, {"model", "tui"}, {"model", "cmd"},
	{"buildrun", "inspect"}, {"buildrun", "tui"}, {"buildrun", "cmd"},
	{"inspect", "tui"}, {"inspect", "cmd"},
	{"tui", "cmd"},
	{"tui/common", "buildrun"}, {"tui/common", "inspect"},
}

// buildrunLayers is the order inside buildrun/, bottom first, as the
// README's map draws it: a package may import only packages of the layers
// below its own (not a sibling of its layer), and the facade, buildrun
// itself, is on top.
var buildrunLayers = [][]string{
	{"buildrun/state", "buildrun/secrets", "buildrun/engine", "buildrun/testdeps"},
	{"buildrun/builder"},
	{"buildrun/results", "buildrun/history", "buildrun/buildctx"},
	{"buildrun/cachekeys"},
	{"buildrun/build", "buildrun/builderhistory"},
	{"buildrun"},
}

// buildrunLayer is the layer of package dir inside buildrun/, -1 for one
// the order does not name.
func buildrunLayer(dir string) int {
	for i, l := range buildrunLayers {
		for _, p := range l {
			if dir == p {
				return i
			}
		}
	}
	return -1
}

// TestHouseLayering holds the README's map to the code: no package imports
// one a layer above it, so a newcomer can trust the map. Inside buildrun/
// it holds buildrunLayers, and every package there must be in it.
func TestHouseLayering(t *testing.T) {
	fset := token.NewFileSet()
	for _, f := range goFiles(t) {
		if f.test {
			continue // tests may reach further (e2e drives the binary)
		}
		af, err := parser.ParseFile(fset, f.path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("parsing %s: %v", f.path, err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			rel, ok := strings.CutPrefix(p, module)
			if !ok {
				continue
			}
			for _, r := range mayNotImport {
				if under(f.dir, r.pkg) && under(rel, r.forbidden) {
					t.Errorf("%s imports %s: %s may not import %s (README: How the code is laid out)", f.path, p, r.pkg, r.forbidden)
				}
			}
			if from, to := buildrunLayer(f.dir), buildrunLayer(rel); under(f.dir, "buildrun") && under(rel, "buildrun") && from >= 0 && to >= 0 && to >= from {
				t.Errorf("%s imports %s: %s may import only the layers below its own inside buildrun/ (README: How the code is laid out)", f.path, p, f.dir)
			}
		}
		if under(f.dir, "buildrun") && buildrunLayer(f.dir) < 0 {
			t.Errorf("%s: package %s is not in buildrunLayers (and the README's map)", f.path, f.dir)
		}
	}
}

// TestHouseOneWhiteoutReader holds issue 12's "no whiteout logic outside
// the one reader": only inspect/layertar reads ".wh." names (and
// inspect/imagetest, which writes them for tests).
func TestHouseOneWhiteoutReader(t *testing.T) {
	for _, f := range goFiles(t) {
		if f.test || under(f.dir, "inspect/layertar") || under(f.dir, "inspect/imagetest") {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `".wh.`) {
			t.Errorf("%s handles whiteout names itself: use inspect/layertar", f.path)
		}
	}
}

// TestHouseCmdIsFlagsAndPrinting holds cmd/buildscope to its budget
// (issue 12): flags and printing stay under ~1,000 lines; what a command
// computes belongs in the package of its concern.
func TestHouseCmdIsFlagsAndPrinting(t *testing.T) {
	const budget = 1000
	n := 0
	for _, f := range goFiles(t) {
		if f.test || f.dir != "cmd/buildscope" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(b, []byte("\n"))
	}
	if n == 0 || n > budget {
		t.Errorf("cmd/buildscope has %d lines of non-test code, budget %d: move what a command computes into its package", n, budget)
	}
}
