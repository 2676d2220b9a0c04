package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/testdeps"
	"github.com/buildscope/buildscope/model/why"
)

// A git repository an ADD copies, whose branch moved on: why names the
// repository and the old and new commit BuildKit keyed it by (for the
// checkout and the copy of it), from the cache keys; the RUN after it is
// its cascade. The repository is served on the loopback by `git daemon`:
// the embedded buildkitd fetches git sources itself, in the host's
// network.
func TestWhyGitSourceChanged(t *testing.T) {
	gitBin := testdeps.Tool(t, "git")
	// on the shared builder: buildkitd runs git in its working
	// directory, which was the directory of the command that started it
	// (a test's temp dir, removed since: "fatal: Unable to read current
	// working directory" in 2 of 3 runs) before it had its own
	e := newEnv(t)
	base := t.TempDir()
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(gitBin, append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	work := filepath.Join(base, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	// the repository's content is the test's own (a nonce): no other build
	// on the shared builder has fetched either commit
	nonce := history.NewID()
	writeFiles(t, work, map[string]string{"f.txt": "one " + nonce + "\n"})
	git(work, "init", "-q", "-b", "main")
	git(work, "add", "f.txt")
	git(work, "commit", "-qm", "one")
	git(base, "clone", "-q", "--bare", "work", "repo.git")
	old := git(work, "rev-parse", "HEAD")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	daemon := exec.Command(gitBin, "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), "--base-path="+base, base)
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = daemon.Process.Kill(); _ = daemon.Wait() })
	url := fmt.Sprintf("git://127.0.0.1:%d/repo.git#main", port)
	for i := 0; ; i++ { // the daemon answers once it listens
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		} else if i == 100 {
			t.Fatalf("git daemon does not listen on %d: %v", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM " + ownBase(t) + "\nADD " + url + " /src\nRUN cat /src/f.txt > /out\n"})
	whyAfter(t, e, dir, "--builder", "embedded")
	writeFiles(t, work, map[string]string{"f.txt": "two " + nonce + "\n"})
	git(work, "commit", "-qam", "two")
	git(work, "push", "-q", filepath.Join(base, "repo.git"), "main")
	cur := git(work, "rev-parse", "HEAD")
	ex := whyAfter(t, e, dir, "--builder", "embedded")
	n := 0
	for _, m := range ex.Misses {
		if m.Line != 2 {
			continue
		}
		n++
		if m.Reason != why.ReasonRemote || m.Detail.URL != url || m.Detail.Old != old || m.Detail.New != cur || m.Source != why.SourceCacheKeys {
			t.Errorf("line 2 %s: %s %+v from %s, want remote-changed %s %s → %s from cache-keys", m.Step, m.Reason, m.Detail, m.Source, url, old, cur)
		}
	}
	if n != 2 {
		t.Errorf("%d misses on line 2, want the checkout and the copy of it: %+v", n, ex.Misses)
	}
	requireMiss(t, ex, 3, why.ReasonParent)
	if plain := e.mustRun(t, "why").stdout; !strings.Contains(plain, "remote-changed: "+url+" "+old+" → "+cur) {
		t.Errorf("plain why:\n%s", plain)
	}
}
