package why

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
)

// variants are the recorded pairs of testdata/why as they are and with
// what each fallback path needs taken away: no cache keys, no op
// digests, no recorded inputs, no previous build, --no-cache, a previous
// build whose steps failed, a foreign build whose paths are known but not
// their digests.
func variants(t *testing.T) map[string][2]*model.Build {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", "testdata", "why", "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no recorded pairs: %v", err)
	}
	out := map[string][2]*model.Build{}
	each := func(b *model.Build, f func(st *model.Step)) {
		for si := range b.Stages {
			for k := range b.Stages[si].Steps {
				f(&b.Stages[si].Steps[k])
			}
		}
	}
	for _, n := range names {
		pair := strings.TrimSuffix(filepath.Base(n), ".json")
		mods := map[string]func(prev, cur *model.Build) (*model.Build, *model.Build){
			"as-recorded": func(p, c *model.Build) (*model.Build, *model.Build) { return p, c },
			"no-keys": func(p, c *model.Build) (*model.Build, *model.Build) {
				each(p, func(st *model.Step) { st.Key = nil })
				return p, c
			},
			"no-keys-no-llb": func(p, c *model.Build) (*model.Build, *model.Build) {
				each(p, func(st *model.Step) {
					st.Key = nil
					if st.Inputs != nil {
						st.Inputs.LLB = ""
					}
				})
				return p, c
			},
			"no-inputs": func(p, c *model.Build) (*model.Build, *model.Build) {
				each(p, func(st *model.Step) { st.Key, st.Inputs = nil, nil })
				each(c, func(st *model.Step) { st.Key, st.Inputs = nil, nil })
				return p, c
			},
			"first":    func(p, c *model.Build) (*model.Build, *model.Build) { return nil, c },
			"no-cache": func(p, c *model.Build) (*model.Build, *model.Build) { c.NoCache = true; return p, c },
			"prev-failed": func(p, c *model.Build) (*model.Build, *model.Build) {
				p.Status = model.StatusError
				each(p, func(st *model.Step) { st.Key = nil; st.Error = "exit code: 1" })
				return p, c
			},
			"foreign": func(p, c *model.Build) (*model.Build, *model.Build) {
				for _, b := range []*model.Build{p, c} {
					each(b, func(st *model.Step) {
						st.Key = nil
						if st.Inputs != nil && len(st.Inputs.Files) > 0 {
							st.Inputs.Selected = []string{"a.txt"}
							st.Inputs.Files = map[string]string{}
						}
					})
				}
				return p, c
			},
		}
		for mod, f := range mods {
			prev, cur := loadPair(t, pair)
			prev, cur = f(prev, cur)
			out[pair+"/"+mod] = [2]*model.Build{prev, cur}
		}
	}
	return out
}

var sources = []string{SourceCacheKeys, SourceRecordedInputs, SourceBuildRecord}

// Every answer names the data it came from, per miss and per changed hit;
// an inputs-unknown says what is missing; cache-evicted rests on
// BuildKit's keys only; and every step BuildKit did not answer from the
// cache is a miss, so why's counts are the build's.
func TestEveryAnswerNamesItsSource(t *testing.T) {
	reasons := map[string]int{}
	for name, pb := range variants(t) {
		prev, cur := pb[0], pb[1]
		ex := Explain(cur, prev)
		for _, m := range ex.Misses {
			reasons[m.Reason]++
			if !slices.Contains(sources, m.Source) {
				t.Errorf("%s: line %d %s: source %q", name, m.Line, m.Reason, m.Source)
			}
			if m.Reason == ReasonUnknown && m.Detail.Missing == "" {
				t.Errorf("%s: line %d: inputs-unknown that does not say what is missing", name, m.Line)
			}
			if m.Reason == ReasonEvicted && m.Source != SourceCacheKeys {
				t.Errorf("%s: line %d: cache-evicted from %s, not from BuildKit's keys", name, m.Line, m.Source)
			}
			if strings.Contains(m.Detail.Missing, "Docker engine") && prev != nil && prev.Builder != "docker" && cur.Builder != "docker" {
				t.Errorf("%s: line %d: blames the Docker engine on the %s builder: %s", name, m.Line, cur.Builder, m.Detail.Missing)
			}
		}
		for _, h := range ex.ChangedHits {
			if !slices.Contains(sources, h.Source) {
				t.Errorf("%s: changed hit line %d %s: source %q", name, h.Line, h.Reason, h.Source)
			}
		}
		if ran := cur.Cache.StepsTotal - cur.Cache.StepsCached; len(ex.Misses) != ran {
			t.Errorf("%s: %d misses, the build ran %d steps (%d/%d cached)", name, len(ex.Misses), ran, cur.Cache.StepsCached, cur.Cache.StepsTotal)
		}
	}
	// the variants reach every fallback
	for _, r := range []string{ReasonUnknown, ReasonEvicted, ReasonFirst, ReasonNoCache, ReasonPrevFailed, ReasonKeyOnly, ReasonContext, ReasonEnv} {
		if reasons[r] == 0 {
			t.Errorf("no variant gave %s: %v", r, reasons)
		}
	}
}

// No code path makes a reason without its source: a verdict is built
// with elements only by the constructors that name one (fromKeys,
// fromInputs, fromRecord, unknown), and every Miss and ChangedHit is
// built with its Source. A new path that skipped them fails here.
func TestReasonsOnlyWithSource(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	constructors := map[string]bool{"fromKeys": true, "fromInputs": true, "fromRecord": true, "unknown": true}
	checked := 0
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				cl, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				id, ok := cl.Type.(*ast.Ident)
				if !ok {
					return true
				}
				switch id.Name {
				case "verdict":
					checked++
					if len(cl.Elts) > 0 && !constructors[fn.Name.Name] {
						t.Errorf("%s: %s builds a verdict itself: use fromKeys, fromInputs, fromRecord or unknown", fset.Position(cl.Pos()), fn.Name.Name)
					}
				case "Miss", "ChangedHit":
					checked++
					has := false
					for _, e := range cl.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Source" {
								has = true
							}
						}
					}
					if !has {
						t.Errorf("%s: a %s without its Source", fset.Position(cl.Pos()), id.Name)
					}
				}
				return true
			})
		}
	}
	if checked < 4 {
		t.Errorf("only %d literals checked: the test no longer sees the code", checked)
	}
}

// A FROM that pulled its layers again is a miss naming the image and its
// digest: cache-evicted where BuildKit's keys of both FROMs are equal and
// a step built on it ran; cache-key-only where every step built on it
// was answered from the cache (BuildKit evaluated it for its key only).
func TestFromPulledAgain(t *testing.T) {
	prev, cur := loadPair(t, "evicted")
	ex := Explain(cur, prev)
	m := ex.Misses[0]
	if m.Line != 1 || m.Reason != ReasonEvicted || !strings.HasPrefix(m.Detail.New, "sha256:bcd4f38202e7") || m.Detail.Image == "" || m.Detail.Key == "" {
		t.Fatalf("first miss %+v, want the FROM, cache-evicted, naming its image and digest", m)
	}
	if !strings.Contains(m.Detail.Text(m.Reason), "pulled again") {
		t.Errorf("text %q", m.Detail.Text(m.Reason))
	}
	// the steps after it keep their own root cause: the FROM's equal key
	// does not change theirs
	if m := ex.Misses[1]; m.Line != 4 || m.Reason != ReasonEvicted {
		t.Errorf("second miss %+v, want the COPY on line 4 cache-evicted", m)
	}
	prev, cur = loadPair(t, "env")
	ex = Explain(cur, prev)
	if m := ex.Misses[len(ex.Misses)-1]; m.Line != 1 || m.Reason != ReasonKeyOnly || m.Source != SourceBuildRecord || m.Root {
		t.Errorf("env pair: last miss %+v, want the FROM as cache-key-only, listed after the causes", m)
	}
	if m := ex.Misses[0]; m.Line != 5 || m.Reason != ReasonEnv {
		t.Errorf("env pair: first miss %+v, want the root cause", m)
	}
}

// A foreign build's COPY whose selected paths are known but not their
// digests, all else equal, is inputs-unknown naming the paths: changed
// content and an evicted entry are two causes the data cannot tell apart.
func TestForeignPathsAreNotAGuess(t *testing.T) {
	now := time.Now()
	mk := func(id string, at time.Time) *model.Build {
		t1 := at.Add(time.Second)
		return &model.Build{ID: id, Builder: "unix:///run/buildkit/buildkitd.sock", Status: model.StatusOK, Started: at, Stages: []model.Stage{{Name: "b", Steps: []model.Step{
			{Name: "[b 2/2] COPY a.txt /a.txt", Instruction: "COPY a.txt /a.txt", Line: 2, Digest: id + "copy", Started: &at, Completed: &t1,
				Inputs: &model.StepInputs{Text: "COPY a.txt /a.txt", Selected: []string{"a.txt"}, LLB: "sha256:llb", Key: "k"}}}}},
			Cache: model.CacheSummary{StepsTotal: 1}}
	}
	ex := Explain(mk("b", now.Add(time.Minute)), mk("a", now))
	m := ex.Misses[0]
	if m.Reason != ReasonUnknown || !slices.Equal(m.Detail.Files, []string{"a.txt"}) || !strings.Contains(m.Detail.Missing, "evicted") {
		t.Errorf("%+v, want inputs-unknown naming a.txt and both causes", m)
	}
}

// A step whose previous run failed is previous-failed with its error; a
// step of a failed previous build that kept no op digests names that
// build and its builder, not the Docker engine.
func TestPreviousFailed(t *testing.T) {
	now := time.Now()
	prev := whyBuild("a", now, "sha256:one", false, false, "")
	prev.Builder, prev.Status = "embedded", model.StatusError
	prev.Stages[1].Steps[0].Error = "process \"/bin/sh -c cat /m/v.txt\" did not complete successfully: exit code: 1"
	cur := whyBuild("b", now.Add(time.Minute), "sha256:one", true, false, "llb-run")
	cur.Builder = "embedded"
	ex := Explain(cur, prev)
	if len(ex.Misses) != 1 || ex.Misses[0].Reason != ReasonPrevFailed || !strings.Contains(ex.Misses[0].Detail.Old, "exit code: 1") {
		t.Fatalf("misses %+v, want previous-failed with the error", ex.Misses)
	}
	prev.Stages[1].Steps[0].Error = ""
	ex = Explain(cur, prev)
	if m := ex.Misses[0]; m.Reason != ReasonUnknown || strings.Contains(m.Detail.Missing, "Docker engine") || !strings.Contains(m.Detail.Missing, "embedded builder") {
		t.Errorf("%+v: want inputs-unknown naming the embedded builder", m)
	}
}

// After a .dockerignore edit that took README.md out of the context, the
// COPY missed because README.md is gone: the advice does not say to
// exclude it in .dockerignore, which the change just did; a README that
// changed and is still copied is advised to be excluded.
func TestAdviceNeverRepeatsTheChange(t *testing.T) {
	now := time.Now()
	mk := func(id string, at time.Time, files map[string]string) *model.Build {
		t1 := at.Add(time.Second)
		return &model.Build{ID: id, Builder: "embedded", Status: model.StatusOK, Started: at, Stages: []model.Stage{{Name: "s", Steps: []model.Step{
			{Name: "[s 2/2] COPY . /app", Instruction: "COPY . /app", Line: 2, Digest: id + "copy", Started: &at, Completed: &t1,
				Inputs: &model.StepInputs{Text: "COPY . /app", Files: files, LLB: "sha256:llb", Key: id}}}}},
			Cache: model.CacheSummary{StepsTotal: 1}}
	}
	prev := mk("a", now, map[string]string{"main.sh": "sha256:1", "README.md": "sha256:2"})
	excluded := mk("b", now.Add(time.Minute), map[string]string{"main.sh": "sha256:1"})
	ex := Explain(excluded, prev)
	if len(ex.Misses) != 1 || ex.Misses[0].Reason != ReasonContext || !slices.Equal(ex.Misses[0].Detail.Removed, []string{"README.md"}) {
		t.Fatalf("misses %+v", ex.Misses)
	}
	for _, a := range ex.Advice {
		if strings.Contains(a, ".dockerignore") {
			t.Errorf("advice after README.md was excluded: %q", a)
		}
	}
	edited := mk("c", now.Add(time.Minute), map[string]string{"main.sh": "sha256:1", "README.md": "sha256:3"})
	if ex := Explain(edited, prev); len(ex.Advice) != 1 || !strings.Contains(ex.Advice[0], "README.md") {
		t.Errorf("advice after README.md changed: %v", ex.Advice)
	}
}

// A FROM that pulled its base image again names the layers it fetched,
// with their size, from the build's progress (recorded: a build, `builder
// prune`, the same build on the embedded builder); where the record names
// none, the answer says that they are unknown.
func TestFromListsThePulledLayers(t *testing.T) {
	prev, cur := loadPair(t, "pulled")
	m := Explain(cur, prev).Misses[0]
	if m.Line != 1 || m.Reason != ReasonEvicted || len(m.Detail.Pulled) != 1 || m.Detail.PulledUnknown != "" {
		t.Fatalf("first miss %+v, want the FROM, cache-evicted, with the layer it pulled", m)
	}
	if l := m.Detail.Pulled[0]; !strings.HasPrefix(l.Digest, "sha256:529577cb0b05") || l.SizeBytes != 1148963 || !l.Extracted {
		t.Errorf("pulled %+v, want the busybox layer, 1148963 B, extracted", l)
	}
	if txt := m.Detail.Text(m.Reason); !strings.Contains(txt, "pulled sha256:529577cb0b05 1.15MB") {
		t.Errorf("text %q does not name the layer and its size", txt)
	}
	for si := range cur.Stages {
		for k := range cur.Stages[si].Steps {
			cur.Stages[si].Steps[k].Pulled = nil
		}
	}
	m = Explain(cur, prev).Misses[0]
	if m.Reason != ReasonEvicted || len(m.Detail.Pulled) != 0 || !strings.Contains(m.Detail.Text(m.Reason), "unknown: the layers it pulled") {
		t.Errorf("without the progress: %+v, text %q; want the layers said unknown", m, m.Detail.Text(m.Reason))
	}
	// a FROM evaluated for its key only pulled nothing: nothing to list
	prev, cur = loadPair(t, "env")
	if m := Explain(cur, prev).Misses[len(Explain(cur, prev).Misses)-1]; m.Reason != ReasonKeyOnly || m.Detail.PulledUnknown != "" || len(m.Detail.Pulled) != 0 {
		t.Errorf("cache-key-only FROM %+v lists pulled layers", m)
	}
}

// cache-evicted rests on the comparable key (BuildKit's record IDs are
// chosen when a record is made, so they differ after a prune whatever the
// inputs); where both builds' record IDs are known, the answer names them,
// and a new one says BuildKit made the record again (recorded: a build,
// `builder prune`, the same build).
func TestEvictedNamesBuildKitsRecords(t *testing.T) {
	prev, cur := loadPair(t, "pulled")
	var m Miss
	for _, x := range Explain(cur, prev).Misses {
		if x.Line == 2 {
			m = x
		}
	}
	if m.Reason != ReasonEvicted || m.Source != SourceCacheKeys || m.Detail.RecordOld == "" || m.Detail.RecordNew == "" || m.Detail.RecordOld == m.Detail.RecordNew {
		t.Fatalf("COPY on line 2: %+v, want cache-evicted from the keys, naming both record IDs", m)
	}
	if txt := m.Detail.Text(m.Reason); !strings.Contains(txt, "BuildKit made its record again ("+m.Detail.RecordOld[:12]) {
		t.Errorf("text %q", txt)
	}
}
