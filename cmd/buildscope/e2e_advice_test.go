package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/advice"
)

// The seeds' practices, each broken once in a small project: history show
// prints the advice at its line beside BuildKit's own warnings, and the
// record says what each costs where it is measurable.
func TestAdviceAtTheirLines(t *testing.T) {
	e := newEnv(t)
	dir := flagDir(t, `FROM 127.0.0.1:5015/buildscope/busybox AS app
ENV API_TOKEN=abc123
WORKDIR /app
COPY deps.txt ./
RUN grep -c . deps.txt > /count
ARG DB_PASSWORD
RUN echo migrating > /migrated
COPY . .
RUN ./pip install -r requirements.txt
`)
	files := map[string]string{
		"deps.txt":         "a\nb\n" + history.NewID() + "\n", // the first COPY's nonce: every step after it runs, as on a cold builder
		"requirements.txt": "httpkit\n",
		"pip":              "#!/bin/sh\nsleep 0.3\nmkdir -p site-packages && cp requirements.txt site-packages/\n",
		".git/objects/big": strings.Repeat("x", 200_000),
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b, r := e.build(t, "--builder", "embedded", "--build-arg", "DB_PASSWORD=hunter2", dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	byRule := map[string]model.Advice{}
	for _, a := range b.Advice {
		byRule[a.Rule] = a
	}
	if a := byRule[advice.ManifestsFirst]; a.Line != 9 || a.CostSeconds <= 0 {
		t.Errorf("manifests first: %+v, want line 9 with the install's time", a)
	}
	// its cost is the COPY's layer (the ARG passed a value is in the
	// image's history too: the sizes still line up)
	var layer int64
	if st, ok := stepsByLine(b)["app:4"]; ok && st.SizeBytes != nil {
		layer = *st.SizeBytes
	}
	if a := byRule[advice.BindMount]; a.Line != 4 || layer <= 0 || a.CostBytes != layer {
		t.Errorf("bind mount: %+v, want line 4 costing the layer's %d bytes", a, layer)
	}
	if a := byRule[advice.Dockerignore]; a.CostBytes < 200_000 || !strings.Contains(a.Message, ".git") {
		t.Errorf("dockerignore: %+v, want .git's 200kB", a)
	}
	show := e.mustRun(t, "history", "show", b.ID).stdout
	for _, want := range []string{
		"warning: line 2: SecretsUsedInArgOrEnv:", // BuildKit's own
		"advice: line 2: secret-leak: leak: ENV API_TOKEN",
		"advice: line 4: bind-mount-over-copy: deps.txt is read only by the RUN at line 5",
		"advice: line 6: secret-leak: leak: ARG DB_PASSWORD has a value and the RUN at line 7 sees it",
		"advice: line 9: manifests-before-sources:",
		"advice: dockerignore: the context has no .dockerignore: the whole context is copied, with .git",
	} {
		if !strings.Contains(show, want) {
			t.Errorf("history show lacks %q:\n%s", want, show)
		}
	}
}
