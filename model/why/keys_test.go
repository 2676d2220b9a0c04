package why

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/buildscope/buildscope/model"
)

// loadPair reads a previous and a current build recorded by real builds
// on the embedded builder (with BuildKit's cache keys), from testdata/why.
func loadPair(t *testing.T, name string) (prev, cur *model.Build) {
	t.Helper()
	var p struct{ Previous, Current *model.Build }
	modeltest.LoadJSON(t, filepath.Join("..", "testdata", "why", name+".json"), &p)
	return p.Previous, p.Current
}

// The pure explanation on recorded key data: every scenario names its
// reason and the exact input, from BuildKit's cache keys.
//
// The builds (testdata/why): a Dockerfile FROM busybox, ARG V=1, ENV E,
// COPY a.txt (line 4), RUN --mount=type=bind,source=scripts (line 5), RUN
// echo $V $E (line 6); and a two-stage one whose build stage copies
// deps.txt (line 2) and src.txt (line 4), exported with mode=min.
func TestExplainFromCacheKeys(t *testing.T) {
	for _, tc := range []struct {
		pair   string
		line   int
		reason string
		check  func(d Detail) bool
		hit    bool // a changed hit, not a miss
	}{
		{pair: "context", line: 4, reason: ReasonContext, check: func(d Detail) bool {
			return len(d.Changes) == 1 && d.Changes[0].Path == "a.txt" && d.Changes[0].Old != "" && d.Changes[0].New != "" && d.Changes[0].Old != d.Changes[0].New
		}},
		{pair: "bind-mount", line: 5, reason: ReasonContext, check: func(d Detail) bool {
			return len(d.Files) == 1 && d.Files[0] == "scripts/run.sh"
		}},
		{pair: "env", line: 5, reason: ReasonEnv, check: func(d Detail) bool { return d.Var == "E" && d.Old == "one" && d.New == "two" }},
		{pair: "env", line: 6, reason: ReasonEnv, check: func(d Detail) bool { return d.Var == "E" }},
		{pair: "build-arg", line: 5, reason: ReasonBuildArg, check: func(d Detail) bool { return d.Arg == "V" && d.Old == "1" && d.New == "7" }},
		{pair: "evicted", line: 4, reason: ReasonEvicted, check: func(d Detail) bool { return strings.HasPrefix(d.Key, "sha256:") }},
		{pair: "evicted", line: 5, reason: ReasonParent, check: func(d Detail) bool { return strings.Contains(d.Root, "COPY a.txt") }},
		{pair: "changed-hit", line: 4, reason: ReasonContext, hit: true, check: func(d Detail) bool {
			return len(d.Changes) == 1 && d.Changes[0].Path == "a.txt"
		}},
		{pair: "cache-from-min", line: 2, reason: ReasonNotImported, check: func(d Detail) bool {
			return strings.Contains(d.CacheFrom, "type=local,src=") && strings.Contains(d.CacheFrom, "mode=min")
		}},
		{pair: "cache-from-min", line: 4, reason: ReasonContext, check: func(d Detail) bool {
			return len(d.Files) == 1 && d.Files[0] == "src.txt" && strings.Contains(d.CacheFrom, "does not hold this step's key")
		}},
	} {
		t.Run(tc.pair+"/"+tc.reason, func(t *testing.T) {
			prev, cur := loadPair(t, tc.pair)
			ex := Explain(cur, prev)
			if ex.Source != SourceCacheKeys {
				t.Fatalf("source %q (%s), want cache-keys", ex.Source, ex.SourceNote)
			}
			var reason string
			var d Detail
			found := false
			if tc.hit {
				for _, h := range ex.ChangedHits {
					if h.Line == tc.line {
						reason, d, found = h.Reason, h.Detail, true
					}
				}
			} else {
				for _, m := range ex.Misses {
					if m.Line == tc.line {
						reason, d, found = m.Reason, m.Detail, true
					}
				}
			}
			if !found || reason != tc.reason || !tc.check(d) {
				t.Errorf("line %d: %v %s %+v, want %s; misses %+v, changed hits %+v", tc.line, found, reason, d, tc.reason, ex.Misses, ex.ChangedHits)
			}
			for _, m := range ex.Misses {
				if m.Reason == ReasonEvicted && tc.pair != "evicted" {
					t.Errorf("cache-evicted where the keys differ: %+v", m)
				}
			}
		})
	}
}

// Two builds of the same inputs (before and after a prune, in two
// sessions) have equal keys on every step.
func TestEqualInputsEqualKeys(t *testing.T) {
	prev, cur := loadPair(t, "evicted")
	for si := range cur.Stages {
		for k, st := range cur.Stages[si].Steps {
			old := prev.Stages[si].Steps[k]
			if st.Digest == old.Digest && k > 0 {
				t.Errorf("%s: the same vertex digest in two sessions: the test proves nothing", st.Name)
			}
			if st.Key == nil || old.Key == nil || st.Key.Key != old.Key.Key {
				t.Errorf("%s: keys %v and %v of the same inputs differ", st.Name, st.Key, old.Key)
			}
		}
	}
}

// Without keys on both builds the answer comes from recorded inputs, and
// the explanation says why.
func TestExplainSaysWhenKeysAreMissing(t *testing.T) {
	prev, cur := loadPair(t, "env")
	for si := range prev.Stages {
		for k := range prev.Stages[si].Steps {
			prev.Stages[si].Steps[k].Key = nil
		}
	}
	prev.Builder = "docker"
	ex := Explain(cur, prev)
	if ex.Source != SourceRecordedInputs || !strings.Contains(ex.SourceNote, "Docker engine") {
		t.Fatalf("source %q, note %q", ex.Source, ex.SourceNote)
	}
	found := false
	for _, m := range ex.Misses {
		if m.Line == 5 {
			found = true
			if m.Reason != ReasonEnv || m.Detail.Var != "E" || m.Source != SourceRecordedInputs {
				t.Errorf("recorded inputs: %+v", m)
			}
		}
	}
	if !found {
		t.Errorf("line 5 missing from %+v", ex.Misses)
	}
	if !strings.Contains(ex.Text(cur), "Docker engine") {
		t.Errorf("plain why does not say where the answer came from:\n%s", ex.Text(cur))
	}
}

// A cache that could not be read is named in the advice.
func TestExplainImportFailure(t *testing.T) {
	prev, cur := loadPair(t, "cache-from-failed")
	ex := Explain(cur, prev)
	if len(ex.Advice) == 0 || !strings.Contains(ex.Advice[0], "failed to import") || !strings.Contains(ex.Advice[0], "nonexistent") {
		t.Errorf("advice %v", ex.Advice)
	}
}

// opDiff names the field of BuildKit's op that differs.
func TestOpDiff(t *testing.T) {
	exec := func(cmd, env, arch, mountDest string) string {
		return `{"Type":"buildkit.exec.v0","Exec":{"meta":{"args":["/bin/sh","-c","` + cmd + `"],"env":["PATH=/bin","` + env + `"],"cwd":"/"},"mounts":[{"dest":"/"},{"input":1,"dest":"` + mountDest + `"}]},"OS":"linux","Arch":"` + arch + `"}`
	}
	base := exec("make", "A=1", "amd64", "/src")
	for _, tc := range []struct {
		name, new, reason, field, old, now string
	}{
		{"command", exec("make all", "A=1", "amd64", "/src"), ReasonInstruction, "command", "make", "make all"},
		{"env", exec("make", "A=2", "amd64", "/src"), ReasonEnv, "", "1", "2"},
		// the edited line is named first when an ENV changed too
		{"command and env", exec("make all", "A=2", "amd64", "/src"), ReasonInstruction, "command", "make", "make all"},
		{"platform", exec("make", "A=1", "arm64", "/src"), ReasonPlatform, "", "linux/amd64", "linux/arm64"},
		{"mount", exec("make", "A=1", "amd64", "/other"), ReasonInstruction, "mounts.1.dest", `"/src"`, `"/other"`},
		{"image", `{"Digest":"sha256:b","OS":"linux","Arch":"amd64"}`, ReasonBase, "", "sha256:a", "sha256:b"},
	} {
		old := base
		if tc.reason == ReasonBase {
			old = `{"Digest":"sha256:a","OS":"linux","Arch":"amd64"}`
		}
		r, d := opDiff(old, tc.new)
		if r != tc.reason || d.Field != tc.field || d.Old != tc.old || d.New != tc.now {
			t.Errorf("%s: %s %+v, want %s %s %s → %s", tc.name, r, d, tc.reason, tc.field, tc.old, tc.now)
		}
	}
	// a file op's actions are compared decoded: a COPY's destination
	act := func(dest string) string {
		return `{"Type":"buildkit.file.v0","Actions":["` + base64.StdEncoding.EncodeToString([]byte(`{"src":"a.txt","dest":"`+dest+`"}`)) + `"]}`
	}
	if r, d := opDiff(act("/a"), act("/b")); r != ReasonInstruction || d.Field != "file op dest" || d.Old != `"/a"` {
		t.Errorf("file op: %s %+v", r, d)
	}
}
