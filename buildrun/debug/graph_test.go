package debug

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// multistageGraph is the LLB BuildKit's Dockerfile frontend makes of the
// multistage example (testdata/multistage.Dockerfile, the same file as
// assets/examples/multistage), with its source map, read for --break.
func multistageGraph(t *testing.T) *graph {
	t.Helper()
	dt, err := os.ReadFile("../../testdata/multistage.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	sm := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", dt)
	res, err := dockerfile2llb.Dockerfile2LLB(context.Background(), dt, dockerfile2llb.ConvertOpt{SourceMap: sm})
	if err != nil {
		t.Fatal(err)
	}
	def, err := res.State.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	g, err := newGraph(def.ToPB())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The step on a line is the op the source map puts there (a RUN's exec,
// a COPY's file op), a comment or blank line has none, and the
// definition up to a step's input holds the steps before it and not it.
func TestStepAtAndUpTo(t *testing.T) {
	g := multistageGraph(t)
	for _, line := range []int{1, 6, 13, 22} {
		if d, ok := g.stepAt(line); ok {
			t.Errorf("line %d (a comment or blank) has step %s", line, d)
		}
	}
	d, ok := g.stepAt(19) // inside line 18's RUN, continued over 18-21
	if !ok || g.ops[d].GetExec() == nil || !strings.Contains(strings.Join(g.ops[d].GetExec().Meta.Args, " "), "echo 1.0.0 > /out/VERSION") {
		t.Fatalf("line 19: %v %v, want the RUN of lines 18-21", d, ok)
	}
	if d17, ok := g.stepAt(17); !ok || g.ops[d17].GetFile() == nil {
		t.Errorf("line 17 (COPY src/ ./src/): want a file op")
	}
	root := g.ops[d].GetExec().Mounts[0]
	sub := g.upTo(g.ops[d].Inputs[root.Input])
	in := map[digest.Digest]bool{}
	for _, dt := range sub.Def[:len(sub.Def)-1] {
		in[digest.FromBytes(dt)] = true
	}
	if in[d] {
		t.Errorf("the definition up to line 18's input holds line 18's own step")
	}
	for _, line := range []int{9, 15, 17} {
		if before, _ := g.stepAt(line); !in[before] {
			t.Errorf("the definition up to line 18's input lacks line %d's step", line)
		}
	}
	if after, _ := g.stepAt(26); in[after] {
		t.Errorf("the definition up to line 18's input holds line 26's step (production)")
	}
	var final pb.Op
	if err := final.UnmarshalVT(sub.Def[len(sub.Def)-1]); err != nil || len(final.Inputs) != 1 || final.Inputs[0].Digest != g.ops[d].Inputs[root.Input].Digest {
		t.Errorf("the definition's last op does not name line 18's input: %v %v", &final, err)
	}
}
