package main

import (
	"strings"
	"testing"
)

// BuildKit's own Dockerfile checks run with every build: each warning is
// kept with the line it names, and history show prints it there; a
// secret passed through ARG is flagged.
func TestBuildKitChecksAtTheirLines(t *testing.T) {
	e := newEnv(t)
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox as builder\nARG DB_PASSWORD=hunter2\nRUN echo hi > /x\n")
	b, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	found := map[string]int{}
	for _, w := range b.Warnings {
		for _, rule := range []string{"FromAsCasing", "SecretsUsedInArgOrEnv"} {
			if strings.HasPrefix(w.Short, rule+":") {
				found[rule] = w.Line
			}
		}
	}
	if found["FromAsCasing"] != 1 || found["SecretsUsedInArgOrEnv"] != 2 {
		t.Errorf("warnings %+v, want FromAsCasing at line 1 and SecretsUsedInArgOrEnv at line 2", b.Warnings)
	}
	if show := e.mustRun(t, "history", "show", "last").stdout; !strings.Contains(show, "warning: line 2: SecretsUsedInArgOrEnv:") {
		t.Errorf("history show:\n%s", show)
	}
}
