package trace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The replay of the build once per span, as savings were computed before
// (the path times the graph): the oracle of makespansWithout.
// makespanWithout replays the build with span skip taking no time: each
// span starts its recorded wait after its inputs end (spans without
// inputs keep their start). ends is scratch space, one per span.
func (g *spanGraph) makespanWithout(skip int, ends []float64) float64 {
	var span float64
	for _, i := range g.topo {
		s := g.start[i]
		if len(g.inputs[i]) > 0 {
			ready := 0.0
			for _, j := range g.inputs[i] {
				if ends[j] > ready {
					ready = ends[j]
				}
			}
			s = ready + g.gap[i]
		}
		d := g.dur[i]
		if i == skip {
			d = 0
		}
		ends[i] = s + d
		if ends[i] > span {
			span = ends[i]
		}
	}
	return span
}

// makespansWithout gives, for every span, the makespan the replay of the
// whole graph with that span taking no time gives, on random graphs of
// spans with and without inputs, waits and overlaps; and a chain of
// 20,000 steps (the replay per span: 4×10^8 span visits) is laid out.
func TestMakespansWithoutMatchTheReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 7))
	for round := 0; round < 300; round++ {
		n := 1 + rng.IntN(30)
		var vs []vertex
		for i := 0; i < n; i++ {
			start := float64(rng.IntN(40)) / 4
			v := vertex{name: fmt.Sprint("v", i), start: start, end: start + float64(rng.IntN(12))/4}
			for j := 0; j < i; j++ {
				if rng.IntN(4) == 0 {
					v.inputs = append(v.inputs, fmt.Sprint("v", j))
				}
			}
			vs = append(vs, v)
		}
		tl := New("r", hostileEvents(vs...), nil)
		g := newSpanGraph(tl)
		if g.cycle != nil {
			t.Fatalf("round %d: a cycle %v of inputs that all point back in the list", round, g.cycle)
		}
		all := make([]int, len(tl.Spans))
		for i := range all {
			all[i] = i
		}
		got := g.makespansWithout(all)
		ends := make([]float64, len(tl.Spans))
		for i := range all {
			if want := g.makespanWithout(i, ends); math.Abs(got[i]-want) > 1e-9 {
				t.Fatalf("round %d, span %d (%s): %v, the replay gives %v", round, i, tl.Spans[i].Name, got[i], want)
			}
		}
	}
	var chain []vertex
	for i := 0; i < 20000; i++ {
		v := vertex{name: fmt.Sprintf("[s %d/20000] RUN %d", i+1, i), start: float64(i), end: float64(i + 1)}
		if i > 0 {
			v.inputs = []string{chain[i-1].name}
		}
		chain = append(chain, v)
	}
	tl := New("chain", hostileEvents(chain...), nil)
	if len(tl.Critical) != 20000 || tl.Spans[5].Saving != 1 {
		t.Errorf("chain: critical path of %d, saving %v", len(tl.Critical), tl.Spans[5].Saving)
	}
}
