package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// A failed build does not wait for provenance BuildKit never writes (it
// used to poll for 5 s): BuildKit's history is asked once. Counted in
// the --debug log, not timed.
func TestFailedBuildAsksForProvenanceOnce(t *testing.T) {
	shared := newEnv(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM " + baseAddr + "/buildscope/busybox:latest\nRUN exit 3\n"})
	debug := filepath.Join(t.TempDir(), "debug.log")
	r := shared.run(t, nil, "--debug", debug, "build", "--builder", "embedded", "--progress", "plain", dir)
	if r.code == 0 || !strings.Contains(r.stderr, "exit code: 3") {
		t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 5))
	}
	m := regexp.MustCompile(`provenance of buildscope-[0-9a-f]+: read in \S+ \((\d+) polls\)`).FindStringSubmatch(readFile(t, debug))
	if m == nil || m[1] != "1" {
		t.Errorf("provenance polls of a failed build: %v, want 1\n%s", m, lastLines(readFile(t, debug), 10))
	}
}

// diff --image … -- /no/such/bin on BuildKit fails naming the cause; it
// exited 0 with no changes (every exit code is valid for the run, so
// that a failing command's changes are kept).
func TestDiffCommandThatCannotStart(t *testing.T) {
	shared := newEnv(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM " + baseAddr + "/buildscope/busybox:latest\n"})
	b, _ := shared.build(t, "--builder", "embedded", dir)
	r := shared.run(t, nil, "diff", "--builder", "embedded", "--image", "build:"+b.ID, "--", "/no/such/bin")
	want := `buildscope: running [/no/such/bin] on embedded: the command did not start: "/no/such/bin": stat /no/such/bin: no such file or directory` + "\n"
	if r.code == 0 || r.stderr != want || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr\n%s\nwant\n%s", r.code, r.stdout, r.stderr, want)
	}
}

// A file name holding escape sequences and a newline reaches the terminal
// escaped in `inspect --ci` and the plain summary (it could retitle the
// window or forge a row); --json keeps it exact.
func TestInspectEscapesHostileNames(t *testing.T) {
	shared := newEnv(t)
	name := "evil\x1b]2;pwned\x07\nA /forged/row"
	img := imagetest.Image(t, []imagetest.File{imagetest.Sized(name, 300000)}, []imagetest.File{imagetest.Sized(name, 300001)})
	dir := imagetest.WriteLayout(t, t.TempDir(), img)
	for _, args := range [][]string{{"inspect", "--ci", dir}, {"inspect", dir}} {
		r := shared.run(t, nil, args...)
		out := r.stdout + r.stderr
		if strings.ContainsRune(out, 0x1b) || strings.Contains(out, "\nA /forged/row") || !strings.Contains(out, `/evil\e]2;pwned\x07\nA /forged/row`) {
			t.Errorf("%v: exit %d, output %q", args, r.code, out)
		}
	}
	r := shared.mustRun(t, "inspect", "--json", dir)
	var rep struct {
		Inefficiencies []struct{ Path string } `json:"inefficiencies"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Inefficiencies) != 1 || rep.Inefficiencies[0].Path != "/"+name {
		t.Errorf("--json: %v %+v, want the name exact", err, rep.Inefficiencies)
	}
}
