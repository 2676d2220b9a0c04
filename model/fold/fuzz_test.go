package fold

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// FuzzFolder: any sequence of status updates (decoded from bytes that are
// mutated recorded streams) folds without a panic, and every vertex seen
// lands in exactly one place: a stage's steps or Other.
func FuzzFolder(f *testing.F) {
	for _, p := range []string{"../../testdata/multistage-cold.jsonl", "../../testdata/graph-cold.jsonl", "../../testdata/fail.jsonl"} {
		if data, err := os.ReadFile(p); err == nil {
			if len(data) > 8<<10 {
				data = data[:8<<10]
			}
			f.Add(data)
		}
	}
	df, err := os.ReadFile("../../testdata/multistage.Dockerfile")
	if err != nil {
		f.Fatal(err)
	}
	plan, err := dockerfile.Parse("Dockerfile", df, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &model.Build{}
		fo := New(b, plan)
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
