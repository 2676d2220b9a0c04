package debug

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"github.com/sirupsen/logrus"

	"github.com/buildscope/buildscope/buildrun/dockeredit"
)

// ParseBreaks reads --break's value: Dockerfile line numbers, comma
// separated ("12" or "7,12"), sorted and without repeats.
func ParseBreaks(s string) ([]int, error) {
	var lines []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--break %q: say Dockerfile line numbers, comma separated (--break 7,12)", s)
		}
		lines = append(lines, n)
	}
	slices.Sort(lines)
	return slices.Compact(lines), nil
}

// pauseAtBreaks pauses the build res describes before the step at each
// of the session's break lines, in line order: it solves the LLB up to
// that step's inputs (what the steps before it made, from the cache when
// they already ran), opens the session's process there with the step's
// env, working directory, user and mounts, and goes on when it exits. A
// line with no step of this build (a comment, a stage not built) is said
// and skipped. The error is a step's before a break failing: the build's.
func (s *Session) pauseAtBreaks(ctx context.Context, gc gateway.Client, res *gateway.Result) error {
	if res.Ref == nil {
		fmt.Fprintln(s.Stderr, "debug: the build makes one image per platform: --break pauses a single-platform build (give one --platform); not paused")
		return nil
	}
	t0 := time.Now()
	g, err := graphOf(ctx, res.Ref, "--break")
	if err != nil {
		return err
	}
	logrus.Debugf("debug: reading the frontend's LLB for --break (%d ops) took %s", len(g.ops), time.Since(t0))
	type stop struct {
		line  int
		after bool
	}
	var stops []stop
	for _, l := range s.Breaks {
		stops = append(stops, stop{l, false})
	}
	for _, l := range s.After {
		stops = append(stops, stop{l, true})
	}
	slices.SortStableFunc(stops, func(a, b stop) int { return a.line - b.line }) // before a line, then after it
	for _, st := range stops {
		name := strconv.Itoa(st.line)
		if st.after {
			name = "after:" + name
		}
		d, ok := g.stepAt(st.line)
		if !ok {
			fmt.Fprintf(s.Stderr, "debug: --break %s: no step of this build is on line %d (a comment, a FROM, or a stage this build does not make): not paused\n", name, st.line)
			continue
		}
		pause := s.pauseBefore
		if st.after {
			pause = s.pauseAfter
		}
		if err := pause(ctx, gc, g, d, st.line); err != nil {
			return err
		}
	}
	return nil
}

// pauseAfter opens the session's process in the result of the step d on
// line (its root filesystem as the step left it, a copy the process may
// change without changing the build), with a RUN's env, cwd and user.
func (s *Session) pauseAfter(ctx context.Context, gc gateway.Client, g *graph, d digest.Digest, line int) error {
	op := g.ops[d]
	out := int64(0) // a file op's (COPY, WORKDIR) one output
	exec := op.GetExec()
	if exec != nil {
		out = -1
		for _, m := range exec.Mounts {
			if m.Dest == "/" {
				out = int64(m.Output)
			}
		}
		if out < 0 {
			fmt.Fprintf(s.Stderr, "debug: --break after:%d: the step on line %d keeps no root filesystem: not paused\n", line, line)
			return nil
		}
	}
	r, err := gc.Solve(ctx, gateway.SolveRequest{Definition: g.upTo(&pb.Input{Digest: string(d), Index: out}), Evaluate: true})
	if err != nil {
		return err
	}
	ref, err := r.SingleRef()
	if err != nil {
		return fmt.Errorf("the steps up to line %d: %w", line, err)
	}
	root := gateway.NewContainerRequest{Mounts: []gateway.Mount{{Dest: "/", Ref: ref, MountType: pb.MountType_BIND}}, Platform: op.Platform}
	if exec == nil {
		fmt.Fprintf(s.Stderr, "debug: paused after line %d, not a RUN: in its result, as root in / (the stage's ENV, WORKDIR and USER are not in the step's LLB); what the process changes is not kept\n", line)
		s.openAt(ctx, gc, line, true, root, nil, gateway.StartRequest{})
		return nil
	}
	meta := exec.Meta
	root.NetMode = exec.Network
	fmt.Fprintf(s.Stderr, "debug: paused after line %d, in its result (cwd %s, user %s); what the process changes is not kept. The step ran:\n  %s\n", line, orDefault(meta.Cwd, "/"), orDefault(meta.User, "root"), shellLine(meta.Args))
	s.openAt(ctx, gc, line, true, root, meta.Args, stepProcess(exec))
	return nil
}

// pauseBefore opens the session's process in the input state of the step
// d on line: its inputs solved, its mounts, and for a RUN its env, cwd
// and user.
func (s *Session) pauseBefore(ctx context.Context, gc gateway.Client, g *graph, d digest.Digest, line int) error {
	op := g.ops[d]
	refs := make([]gateway.Reference, len(op.Inputs))
	for i, in := range op.Inputs {
		r, err := gc.Solve(ctx, gateway.SolveRequest{Definition: g.upTo(in), Evaluate: true})
		if err != nil {
			return err
		}
		if refs[i], err = r.SingleRef(); err != nil {
			return fmt.Errorf("the steps before line %d: %w", line, err)
		}
	}
	exec := op.GetExec()
	if exec == nil {
		if len(refs) == 0 {
			fmt.Fprintf(s.Stderr, "debug: --break %d: the step on line %d has no input to pause in: not paused\n", line, line)
			return nil
		}
		fmt.Fprintf(s.Stderr, "debug: paused before line %d, not a RUN: in its input filesystem, as root in / (the stage's ENV, WORKDIR and USER are not in the step's LLB)\n", line)
		s.openAt(ctx, gc, line, false, gateway.NewContainerRequest{Mounts: []gateway.Mount{{Dest: "/", Ref: refs[0], MountType: pb.MountType_BIND}}, Platform: op.Platform},
			nil, gateway.StartRequest{})
		return nil
	}
	var mounts []gateway.Mount
	for _, m := range exec.Mounts {
		gm := gateway.Mount{Selector: m.Selector, Dest: m.Dest, Readonly: m.Readonly, MountType: m.MountType,
			CacheOpt: m.CacheOpt, SecretOpt: m.SecretOpt, SSHOpt: m.SSHOpt}
		if m.Input >= 0 && int(m.Input) < len(refs) {
			gm.Ref = refs[m.Input]
		}
		mounts = append(mounts, gm)
	}
	meta := exec.Meta
	fmt.Fprintf(s.Stderr, "debug: paused before line %d, in its input state (cwd %s, user %s); the step will run:\n  %s\n", line, orDefault(meta.Cwd, "/"), orDefault(meta.User, "root"), shellLine(meta.Args))
	s.openAt(ctx, gc, line, false, gateway.NewContainerRequest{Mounts: mounts, NetMode: exec.Network, Platform: op.Platform}, meta.Args,
		stepProcess(exec))
	return nil
}

// paused records what ran at the break on line (nothing when no process
// could start) and says that the build goes on.
func (s *Session) paused(line int, r *Ran) {
	if r == nil {
		return
	}
	r.Line = line
	s.Paused = append(s.Paused, *r)
	fmt.Fprintf(s.Stderr, "debug: the process at line %d exited %d; the build goes on\n", line, r.ExitCode)
}

// graph is an LLB definition read for --break: its ops by digest, their
// marshalled bytes and metadata, and its source map.
type graph struct {
	ops             map[digest.Digest]*pb.Op
	raw             map[digest.Digest][]byte
	def             *pb.Definition
	dockerfileLines map[digest.Digest][][2]int32 // the Dockerfile line ranges of each op
}

// graphOf reads the LLB of the frontend's result ref; what names what it
// is read for, in its errors (--break, an edited re-run).
func graphOf(ctx context.Context, ref gateway.Reference, what string) (*graph, error) {
	wrap := func(err error) error { return fmt.Errorf("reading the frontend's LLB for %s: %w", what, err) }
	st, err := ref.ToState()
	if err != nil {
		return nil, wrap(err)
	}
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, wrap(err)
	}
	g, err := newGraph(def.ToPB())
	if err != nil {
		return nil, wrap(err)
	}
	return g, nil
}

func newGraph(def *pb.Definition) (*graph, error) {
	g := &graph{ops: map[digest.Digest]*pb.Op{}, raw: map[digest.Digest][]byte{}, def: def, dockerfileLines: map[digest.Digest][][2]int32{}}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, fmt.Errorf("decoding an op: %w", err)
		}
		d := digest.FromBytes(dt)
		g.ops[d], g.raw[d] = &op, dt
	}
	if def.Source == nil {
		return g, nil
	}
	for d, locs := range def.Source.Locations {
		for _, l := range locs.Locations {
			if l.SourceIndex < 0 || int(l.SourceIndex) >= len(def.Source.Infos) || !dockeredit.IsDockerfile(def.Source.Infos[l.SourceIndex]) {
				continue
			}
			for _, r := range l.Ranges {
				if r.Start != nil && r.End != nil {
					g.dockerfileLines[digest.Digest(d)] = append(g.dockerfileLines[digest.Digest(d)], [2]int32{r.Start.Line, r.End.Line})
				}
			}
		}
	}
	return g, nil
}

// stepAt is the op of the step on Dockerfile line: of the ops whose
// source range holds it, the first one (none of its inputs is another),
// a RUN's exec op before any other.
func (g *graph) stepAt(line int) (digest.Digest, bool) {
	var at []digest.Digest
	for d, rs := range g.dockerfileLines {
		if _, ok := g.ops[d]; !ok {
			continue
		}
		for _, r := range rs {
			if int(r[0]) <= line && line <= int(r[1]) {
				at = append(at, d)
				break
			}
		}
	}
	slices.Sort(at) // one answer for one definition
	var best digest.Digest
	for _, d := range at {
		first := true
		for _, in := range g.ops[d].Inputs {
			if slices.Contains(at, digest.Digest(in.Digest)) {
				first = false
			}
		}
		if !first {
			continue
		}
		if best == "" || (g.ops[d].GetExec() != nil && g.ops[best].GetExec() == nil) {
			best = d
		}
	}
	return best, best != ""
}

// upTo is the definition of in alone: the ops it is made from, in
// dependency order, and the final op that names it, as llb marshals one.
func (g *graph) upTo(in *pb.Input) *pb.Definition {
	out := &pb.Definition{Metadata: map[string]*pb.OpMetadata{}, Source: g.def.Source}
	seen := map[digest.Digest]bool{}
	var visit func(d digest.Digest)
	visit = func(d digest.Digest) {
		if seen[d] {
			return
		}
		seen[d] = true
		op, ok := g.ops[d]
		if !ok {
			return
		}
		for _, i := range op.Inputs {
			visit(digest.Digest(i.Digest))
		}
		out.Def = append(out.Def, g.raw[d])
		if md, ok := g.def.Metadata[string(d)]; ok {
			out.Metadata[string(d)] = md
		}
	}
	visit(digest.Digest(in.Digest))
	final, _ := (&pb.Op{Inputs: []*pb.Input{{Digest: in.Digest, Index: in.Index}}}).MarshalVT() // a message of two plain fields: no error
	out.Def = append(out.Def, final)
	return out
}
