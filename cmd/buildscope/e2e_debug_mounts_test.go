package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
)

// What the failed step wrote shows the content of a small text file
// (escaped), and says of a binary file and of a large one why their
// content is not shown.
func TestDebugWroteShowsTextContent(t *testing.T) {
	e := newEnv(t)
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\n"+
		"RUN sh -c 'mkdir /o && printf \"line one "+nonce+"\\nred \\033[31mX\\n\" > /o/log.txt && "+
		"printf \"\\000\\001\\002\" > /o/bin && head -c 5000 /dev/zero | tr \"\\\\000\" a > /o/big && exit 2'\n")
	r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "true", dir)
	if r.code != 0 {
		t.Fatalf("debug exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	for _, want := range []string{
		"  A /o/log.txt  ", "    | line one " + nonce + "\n    | red \\e[31mX\n",
		"  A /o/bin  3B  (binary: content not shown)\n",
		"  A /o/big  5kB  (content not shown: over 2KiB)\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("what the step wrote lacks %q:\n%s", want, lastLines(r.stderr, 20))
		}
	}
	if strings.Contains(r.stderr, "\x1b[31m") {
		t.Errorf("the file's escape sequence reached the terminal raw")
	}
}

// A failed step's secret mount is readable in the debug process, and its
// value is nowhere in buildscope's state (record, events, logs) nor the
// builder's; a file the process writes into the step's cache mount is
// there when the step runs in the next build.
func TestDebugSecretAndCacheMounts(t *testing.T) {
	e := newEnv(t)
	nonce := history.NewID()
	secret := "s3cr3t-" + history.NewID() + "-value"
	file := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(file, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\n"+
		"RUN --mount=type=secret,id=x --mount=type=cache,target=/cache,id=c-"+nonce+" sh -c 'echo saw: $(cat /cache/left 2>/dev/null || echo nothing); exit 4'\n")
	r := e.run(t, nil, "debug", "--builder", "embedded", "--secret", "id=x,src="+file,
		"--invoke", "cat /run/secrets/x; echo; echo kept-"+nonce+" > /cache/left", dir)
	if r.code != 0 || !strings.Contains(r.stdout, secret+"\n") {
		t.Fatalf("debug exited %d (want 0) and printed %q (want the secret):\n%s", r.code, r.stdout, lastLines(r.stderr, 20))
	}
	if !strings.Contains(r.stderr, "saw: nothing") {
		t.Errorf("the first run's step saw something in its new cache mount:\n%s", lastLines(r.stderr, 20))
	}
	r = e.run(t, nil, "debug", "--builder", "embedded", "--secret", "id=x,src="+file, "--invoke", "true", dir)
	if !strings.Contains(r.stderr, "saw: kept-"+nonce) {
		t.Errorf("the next build's step did not see the file the debug process wrote into its cache mount:\n%s", lastLines(r.stderr, 20))
	}
	for _, root := range []string{e.dir, e.builder} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(secret)) {
				t.Errorf("the secret's value is in %s", p)
			}
			return nil
		})
	}
}
