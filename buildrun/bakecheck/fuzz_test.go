package bakecheck

import (
	"os"
	"strings"
	"testing"

	"github.com/docker/buildx/bake/hclparser"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// bakeConfig mirrors the blocks of buildx's bake.Config that hold plain
// values (its other attributes need buildx's flag types, which carry
// BuildKit): enough for buildx's HCL evaluator to expand variables
// and functions as it does for a real file.
type bakeConfig struct {
	Groups  []*bakeGroup  `hcl:"group,block" cty:"group"`
	Targets []*bakeTarget `hcl:"target,block" cty:"target"`
}

type bakeGroup struct {
	Name        string   `hcl:"name,label" cty:"name"`
	Description string   `hcl:"description,optional" cty:"description"`
	Targets     []string `hcl:"targets" cty:"targets"`
}

type bakeTarget struct {
	Name        string             `hcl:"name,label" cty:"name"`
	Description string             `hcl:"description,optional" cty:"description"`
	Inherits    []string           `hcl:"inherits,optional" cty:"inherits"`
	Context     *string            `hcl:"context,optional" cty:"context"`
	Contexts    map[string]string  `hcl:"contexts,optional" cty:"contexts"`
	Dockerfile  *string            `hcl:"dockerfile,optional" cty:"dockerfile"`
	Args        map[string]*string `hcl:"args,optional" cty:"args"`
	Labels      map[string]*string `hcl:"labels,optional" cty:"labels"`
	Tags        []string           `hcl:"tags,optional" cty:"tags"`
	Target      *string            `hcl:"target,optional" cty:"target"`
	Platforms   []string           `hcl:"platforms,optional" cty:"platforms"`
	NoCache     *bool              `hcl:"no-cache,optional" cty:"no-cache"`
	Remain      hcl.Body           `hcl:",remain"`
}

// readBake is what `buildscope bake` does to a file before it resolves
// targets: the bounds, then buildx's own HCL or JSON parser and
// evaluator (hclparser, the core of bake.ParseFiles).
func readBake(name string, data []byte) (*bakeConfig, error) {
	if err := Files([]File{{Name: name, Data: data}}); err != nil {
		return nil, err
	}
	p := hclparse.NewParser()
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(name, ".json") {
		f, diags = p.ParseJSON(data, name)
	} else {
		f, diags = p.ParseHCL(data, name)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	var c bakeConfig
	if _, diags := hclparser.Parse(hclparser.MergeFiles([]*hcl.File{f}), hclparser.Opt{
		LookupVar: func(string) (string, bool) { return "", false },
	}, &c); diags.HasErrors() {
		return nil, diags
	}
	return &c, nil
}

// FuzzReadBake feeds the bake reader (bounds, then buildx's own parser
// and evaluator) any HCL or JSON file: it returns the targets or an
// error, never panics or hangs. Seeds: the example bake file and small
// HCL/JSON shapes. The corpus found is kept in testdata/fuzz/FuzzReadBake
// and replayed by go test. It lives here, away from buildx's bake package
// and BuildKit, so that it runs at speed (in buildrun/build it ran 5
// inputs in 1m50s).
func FuzzReadBake(f *testing.F) {
	if data, err := os.ReadFile("../../assets/examples/bake/docker-bake.hcl"); err == nil {
		f.Add(data, false)
	}
	f.Add([]byte(`variable "V" { default = "x" }
group "default" { targets = ["a"] }
target "a" { dockerfile = "Dockerfile" args = { A = "${V}${V}" } }
`), false)
	f.Add([]byte(`target "b" { inherits = ["a"] tags = ["x:${upper("t")}"] }
target "a" { context = "." }
`), false)
	f.Add([]byte(`{"group":{"default":{"targets":["a"]}},"target":{"a":{"context":".","tags":["x"]}}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		name := "docker-bake.hcl"
		if asJSON {
			name = "docker-bake.json"
		}
		_, _ = readBake(name, data)
	})
}

// The fuzzer's reader reads what buildx reads: the example bake file and
// a matrix give their targets, and the bounds refuse before the parser.
func TestFuzzReaderReadsBakeFiles(t *testing.T) {
	data, err := os.ReadFile("../../assets/examples/bake/docker-bake.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := readBake("docker-bake.hcl", data); err != nil || len(c.Targets) == 0 {
		t.Fatalf("the example: %v", err)
	}
	c, err := readBake("docker-bake.hcl", []byte("variable \"V\" {\n  default = \"x\"\n}\ntarget \"a\" {\n  tags = [\"${V}-${upper(\"t\")}\"]\n}\n"))
	if err != nil || len(c.Targets) != 1 || len(c.Targets[0].Tags) != 1 || c.Targets[0].Tags[0] != "x-T" {
		t.Fatalf("a variable and a function: %v %+v", err, c)
	}
	if _, err := readBake("docker-bake.json", []byte(strings.Repeat("[", 300))); err == nil || !strings.Contains(err.Error(), "nests more than 200 levels") {
		t.Fatalf("deep JSON: %v", err)
	}
}
