package model

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

// FuzzParseDockerfile: any Dockerfile text parses to a plan or a
// *ParseError naming the file; a plan's stages, steps and dependencies
// are consistent, and Reachable never panics.
func FuzzParseDockerfile(f *testing.F) {
	for _, p := range []string{"../testdata/graph/Dockerfile", "../testdata/multistage.Dockerfile", "../testdata/corpus/buildx-shape.Dockerfile",
		"../testdata/corpus/buildkit-shape.Dockerfile", "../testdata/corpus/arch-shape.Dockerfile"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data, "linux/arm64")
		}
	}
	f.Add([]byte("FROM scratch AS a\nCOPY --from=a x y\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, plat string) {
		auto := AutoArgs{}
		if ps, err := ParsePlatforms([]string{plat}); err == nil && len(ps) > 0 {
			auto.Target = &ps[0]
		}
		p, err := ParseDockerfileFor("Dockerfile", data, map[string]string{"X": "1"}, auto)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "Dockerfile") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i, s := range p.Stages {
			if s.Index != i {
				t.Fatalf("stage %d has index %d", i, s.Index)
			}
			for _, k := range s.Steps {
				if k < 0 || k >= len(s.Instructions) {
					t.Fatalf("stage %s step → instruction %d of %d", s.Name, k, len(s.Instructions))
				}
			}
			for _, d := range s.DependsOn {
				if ds := p.Stage(d); ds == nil || ds.Index >= i {
					t.Fatalf("stage %s depends on %q, not an earlier stage", s.Name, d)
				}
			}
		}
		_, _ = p.Reachable("")
		_, _ = p.Reachable("nosuch")
	})
}

// FuzzFolder: any sequence of status updates (decoded from bytes that are
// mutated recorded streams) folds without a panic, and every vertex seen
// lands in exactly one place: a stage's steps or Other.
func FuzzFolder(f *testing.F) {
	for _, p := range []string{"../testdata/multistage-cold.jsonl", "../testdata/graph-cold.jsonl", "../testdata/fail.jsonl"} {
		if data, err := os.ReadFile(p); err == nil {
			if len(data) > 8<<10 {
				data = data[:8<<10]
			}
			f.Add(data)
		}
	}
	df, err := os.ReadFile("../testdata/multistage.Dockerfile")
	if err != nil {
		f.Fatal(err)
	}
	plan, err := ParseDockerfile("Dockerfile", df, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &Build{}
		fo := NewFolder(b, plan)
		seen := map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			var s client.SolveStatus
			if json.Unmarshal(sc.Bytes(), &s) != nil {
				continue
			}
			for _, v := range s.Vertexes {
				if v != nil {
					seen[v.Digest.String()] = true
				}
			}
			s.Vertexes = nonNil(s.Vertexes)
			fo.Add(&s)
		}
		got := fo.Build()
		where := map[string]int{}
		for _, st := range got.Stages {
			for _, x := range st.Steps {
				where[x.Digest]++
			}
		}
		for _, x := range got.Other {
			where[x.Digest]++
		}
		for d := range seen {
			if where[d] != 1 {
				t.Fatalf("vertex %s recorded %d times", d, where[d])
			}
		}
	})
}

func nonNil(vs []*client.Vertex) []*client.Vertex {
	out := vs[:0]
	for _, v := range vs {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}
