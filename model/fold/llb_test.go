package fold

import (
	"encoding/json"
	"testing"
)

func llbSteps(session, cmd string) []LLBStep {
	op := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	return []LLBStep{
		{ID: "step0", Op: op(map[string]any{"Op": map[string]any{"source": map[string]any{"identifier": "local://context",
			"attrs": map[string]any{"local.session": session, "local.sharedkeyhint": "context", "local.includepattern": `["src"]`}}}})},
		{ID: "step1", Op: op(map[string]any{"Op": map[string]any{"source": map[string]any{"identifier": "docker-image://busybox@sha256:1"}}})},
		{ID: "step2", Op: op(map[string]any{"inputs": []any{map[string]any{"digest": "sha256:" + session}}, "Op": map[string]any{"file": "copy src"}}), Inputs: []string{"step1:0", "step0:0"}},
		{ID: "step3", Op: op(map[string]any{"Op": map[string]any{"exec": map[string]any{"args": []any{"sh", "-c", cmd}}}}), Inputs: []string{"step2:0"}},
	}
}

var llbMapping = map[string]string{"v-local": "step0", "v-base": "step1", "v-copy": "step2", "v-run": "step3"}

func TestNormalizeLLBIgnoresSessions(t *testing.T) {
	a, err := NormalizeLLB(llbSteps("session-a", "make"), llbMapping)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NormalizeLLB(llbSteps("session-b", "make"), llbMapping)
	if err != nil {
		t.Fatal(err)
	}
	for v := range llbMapping {
		if a[v] == "" || a[v] != b[v] {
			t.Errorf("%s: %q vs %q across sessions", v, a[v], b[v])
		}
	}
	c, _ := NormalizeLLB(llbSteps("session-a", "make install"), llbMapping)
	if c["v-run"] == a["v-run"] || c["v-copy"] != a["v-copy"] {
		t.Errorf("a changed command: run %v copy %v", c["v-run"] != a["v-run"], c["v-copy"] == a["v-copy"])
	}
	inc := llbSteps("session-a", "make")
	inc[0].Op = json.RawMessage(`{"Op":{"source":{"identifier":"local://context","attrs":{"local.includepattern":"[\"lib\"]"}}}}`)
	d, _ := NormalizeLLB(inc, llbMapping)
	if d["v-local"] == a["v-local"] || d["v-run"] == a["v-run"] {
		t.Error("a different include pattern must change the source and what depends on it")
	}
	if _, err := NormalizeLLB(llbSteps("s", "x")[:2], llbMapping); err == nil {
		t.Error("a missing step must be an error")
	}
}
