package trace

import (
	"cmp"
	"container/heap"
	"slices"
	"sort"
)

// critical finds the critical path over BuildKit's vertex inputs (so
// mounts and COPY --from are edges), every span's slack, and what a cache
// hit would have saved on each step of the critical path.
func (tl *Timeline) critical() {
	n := len(tl.Spans)
	if n == 0 {
		return
	}
	g := newSpanGraph(tl)
	if g.cycle != nil {
		// no critical path, slack or saving exists on a graph that loops
		// (the walk back along it would never end): the events were
		// edited or imported damaged; Cycle names the loop
		for _, i := range g.cycle {
			tl.cycle = append(tl.cycle, tl.Spans[i].Digest)
		}
		return
	}
	last := 0
	for i := range tl.Spans {
		if tl.Spans[i].End.After(tl.Spans[last].End) {
			last = i
		}
	}
	// walk back from the span that ended last through the input that
	// ended last (or, for a span without inputs, what ended last before
	// it): each link's gap is the wait between them. A step answered from
	// the cache ran for no time: BuildKit reports it done once the cache
	// is resolved, so it gates its consumers only as late as its own
	// inputs did (see ready).
	var path []int
	for i := last; i >= 0; {
		path = append(path, i)
		tl.Spans[i].Critical = true
		i = g.lastInput(i)
	}
	for k := len(path) - 1; k >= 0; k-- {
		tl.Critical = append(tl.Critical, tl.Spans[path[k]].Digest)
	}
	// slack: how late a span could end without moving the build's end,
	// keeping every consumer's duration and its wait after its inputs
	lf := make([]float64, n)
	for i := range lf {
		lf[i] = tl.Wall
	}
	for k := n - 1; k >= 0; k-- {
		c := g.topo[k]
		ls := lf[c] - g.dur[c] - g.gap[c]
		for _, in := range g.inputs[c] {
			if ls < lf[in] {
				lf[in] = ls
			}
		}
	}
	for i := range tl.Spans {
		tl.Spans[i].Slack = round3(lf[i] - g.end(i))
	}
	// saving: replay the schedule with the step taking no time
	var steps []int
	for _, i := range path {
		if tl.Spans[i].Cached || g.dur[i] == 0 || !isStep(tl.Spans[i]) {
			continue
		}
		steps = append(steps, i)
	}
	for k, m := range g.makespansWithout(steps) {
		tl.Spans[steps[k]].Saving = round3(tl.Wall - m)
	}
}

func isStep(s Span) bool { return stepText(s.Name) != "" }

// spanGraph is the timeline as a graph: times are seconds from the
// build's start.
type spanGraph struct {
	inputs [][]int
	start  []float64
	dur    []float64
	gap    []float64 // wait between the last input's end (or the build's start) and the start
	// ready is when a span really let its consumers go: its end, but for a
	// cached step, when its inputs were ready (its reported times only say
	// when BuildKit got round to marking it cached)
	ready []float64
	topo  []int
	cycle []int // a cycle of inputs, when the graph has one
}

func newSpanGraph(tl *Timeline) *spanGraph {
	n := len(tl.Spans)
	g := &spanGraph{inputs: make([][]int, n), start: make([]float64, n), dur: make([]float64, n), gap: make([]float64, n)}
	idx := make(map[string]int, n)
	for i, s := range tl.Spans {
		idx[s.Digest] = i
	}
	consumers := make([][]int, n)
	indeg := make([]int, n)
	for i, s := range tl.Spans {
		g.start[i] = s.Start.Sub(tl.Start).Seconds()
		g.dur[i] = s.Seconds()
		for _, d := range s.Inputs {
			if j, ok := idx[d]; ok && j != i {
				g.inputs[i] = append(g.inputs[i], j)
				consumers[j] = append(consumers[j], i)
				indeg[i]++
			}
		}
	}
	// a span BuildKit gives no inputs (loading the definition, a FROM,
	// exporting) waited for what ran before it: its input is the span that
	// ended last before it started, so the path runs back to the start
	madeUp := make([]bool, n) // i's one input is the span that ended last before it
	byEnd := make([]int, n)   // spans by end, then index
	for i := range byEnd {
		byEnd[i] = i
	}
	slices.SortFunc(byEnd, func(a, b int) int {
		if c := cmp.Compare(g.end(a), g.end(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for i := range tl.Spans {
		if len(g.inputs[i]) > 0 {
			continue
		}
		// the span that ended last at or before i started; among equal
		// ends an earlier span only, so that no two spans wait on each other
		k := sort.Search(n, func(k int) bool { return g.end(byEnd[k]) > g.start[i] }) - 1
		for k >= 0 && byEnd[k] >= i && g.end(byEnd[k]) == g.start[i] {
			k--
		}
		if k < 0 || byEnd[k] == i {
			continue
		}
		best := byEnd[k]
		g.inputs[i] = append(g.inputs[i], best)
		consumers[best] = append(consumers[best], i)
		indeg[i]++
		madeUp[i] = true
	}
	for i := range tl.Spans {
		ready := 0.0
		for _, j := range g.inputs[i] {
			if e := g.end(j); e > ready {
				ready = e
			}
		}
		if g.gap[i] = g.start[i] - ready; g.gap[i] < 0 {
			g.gap[i] = 0
		}
	}
	g.topo = kahn(consumers, indeg)
	if len(g.topo) < n {
		// a made-up wait closes a loop where a span's recorded input
		// ended after the span began (BuildKit's clocks): such spans keep
		// their own start instead
		for i := range indeg {
			if indeg[i] > 0 && madeUp[i] {
				j := g.inputs[i][0]
				g.inputs[i], g.gap[i], madeUp[i] = nil, g.start[i], false
				consumers[j] = slices.DeleteFunc(consumers[j], func(c int) bool { return c == i })
			}
		}
		for i := range indeg {
			indeg[i] = len(g.inputs[i])
		}
		g.topo = kahn(consumers, indeg)
	}
	if len(g.topo) < n { // a cycle of recorded inputs: foreign or edited data
		g.cycle = findCycle(g.inputs, indeg)
		return g
	}
	g.ready = make([]float64, n)
	for _, i := range g.topo {
		g.ready[i] = g.end(i)
		if tl.Spans[i].Cached && g.dur[i] == 0 && len(g.inputs[i]) > 0 {
			g.ready[i] = 0
			for _, j := range g.inputs[i] {
				g.ready[i] = max(g.ready[i], g.ready[j])
			}
		}
	}
	return g
}

func (g *spanGraph) end(i int) float64 { return g.start[i] + g.dur[i] }

// lastInput is the input of i that was ready last, or -1.
func (g *spanGraph) lastInput(i int) int {
	best := -1
	for _, j := range g.inputs[i] {
		if best < 0 || g.ready[j] > g.ready[best] {
			best = j
		}
	}
	return best
}

// makespansWithout is, for each span of skip, the makespan of the build
// replayed with that span taking no time: each span starts its recorded
// wait after its inputs end (spans without inputs keep their start).
//
// Replaying the whole graph once per span cost the path's length times
// the graph (a chain of 100,000 steps: 10^10). Here it is one pass each
// way and a sweep: the replay is a longest path (F, the longest ending at
// a span; B, the longest after it), and a path that avoids span x either
// lies wholly before x in topological order, wholly after it, or jumps
// over it by one edge (u, v), worth F[u] + w[v] + B[v]; the paths through
// x are worth F[x] + B[x] less x's duration.
func (g *spanGraph) makespansWithout(skip []int) []float64 {
	n := len(g.topo)
	pos := make([]int, n)
	for k, i := range g.topo {
		pos[i] = k
	}
	w := make([]float64, n) // what a span adds after its inputs are ready
	F := make([]float64, n)
	consumers := make([][]int, n)
	for _, i := range g.topo {
		w[i] = g.gap[i] + g.dur[i]
		if len(g.inputs[i]) == 0 {
			F[i] = g.start[i] + g.dur[i]
			continue
		}
		ready := 0.0
		for _, j := range g.inputs[i] {
			ready = max(ready, F[j])
			consumers[j] = append(consumers[j], i)
		}
		F[i] = ready + w[i]
	}
	B := make([]float64, n)
	for k := n - 1; k >= 0; k-- {
		i := g.topo[k]
		for _, c := range consumers[i] {
			B[i] = max(B[i], w[c]+B[c])
		}
	}
	before := make([]float64, n+1) // before[k]: the latest end among topo[:k]
	for k, i := range g.topo {
		before[k+1] = max(before[k], F[i])
	}
	after := make([]float64, n+1) // after[k]: the longest path from a source in topo[k:]
	for k := n - 1; k >= 0; k-- {
		after[k] = after[k+1]
		if i := g.topo[k]; len(g.inputs[i]) == 0 {
			after[k] = max(after[k], F[i]+B[i])
		}
	}
	type jump struct {
		from, to int // topological positions
		val      float64
	}
	var jumps []jump
	for i := range g.inputs {
		for _, j := range g.inputs[i] {
			if pos[i]-pos[j] > 1 {
				jumps = append(jumps, jump{pos[j], pos[i], F[j] + w[i] + B[i]})
			}
		}
	}
	slices.SortFunc(jumps, func(a, b jump) int { return cmp.Compare(a.from, b.from) })
	order := make([]int, len(skip)) // skip's indexes by topological position
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(pos[skip[a]], pos[skip[b]]) })
	out := make([]float64, len(skip))
	h := &jumpHeap{}
	next := 0
	for _, k := range order {
		x := skip[k]
		p := pos[x]
		for next < len(jumps) && jumps[next].from < p {
			heap.Push(h, jumpEnd{jumps[next].to, jumps[next].val})
			next++
		}
		for h.Len() > 0 && (*h)[0].to <= p {
			heap.Pop(h) // ends at or before x: never jumps over a later one
		}
		m := max(before[p], after[p+1], F[x]+B[x]-g.dur[x])
		if h.Len() > 0 {
			m = max(m, (*h)[0].val)
		}
		out[k] = m
	}
	return out
}

// jumpEnd is an edge over the spans between its ends, by its far end.
type jumpEnd struct {
	to  int
	val float64
}

// jumpHeap is a max-heap of jumps by value.
type jumpHeap []jumpEnd

func (h jumpHeap) Len() int           { return len(h) }
func (h jumpHeap) Less(i, j int) bool { return h[i].val > h[j].val }
func (h jumpHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *jumpHeap) Push(x any)        { *h = append(*h, x.(jumpEnd)) }
func (h *jumpHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// kahn is a topological order of the spans (spans are sorted by start,
// which breaks ties); a span on or after a cycle is left out, its indeg
// above zero.
func kahn(consumers [][]int, indeg []int) []int {
	queue := make([]int, 0, len(indeg))
	for i := range indeg {
		if indeg[i] == 0 {
			queue = append(queue, i)
		}
	}
	var topo []int
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		topo = append(topo, i)
		for _, c := range consumers[i] {
			if indeg[c]--; indeg[c] == 0 {
				queue = append(queue, c)
			}
		}
	}
	return topo
}

// findCycle returns one cycle of the input graph, first vertex repeated
// at the end, given what Kahn's order left: every vertex whose indeg is
// still above zero is on a cycle or downstream of one, and each has an
// input left in that set, so following such inputs from any of them
// must come back to a vertex already walked.
func findCycle(inputs [][]int, indeg []int) []int {
	start := -1
	for i, d := range indeg {
		if d > 0 {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	at := map[int]int{} // vertex → its position in walk
	var walk []int
	for i := start; ; {
		if k, ok := at[i]; ok {
			return append(walk[k:], i)
		}
		at[i] = len(walk)
		walk = append(walk, i)
		next := -1
		for _, j := range inputs[i] {
			if indeg[j] > 0 {
				next = j
				break
			}
		}
		if next < 0 {
			return nil // cannot happen: see above
		}
		i = next
	}
}
