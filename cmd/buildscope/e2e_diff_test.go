package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
)

// The image the diff scenarios start from: files, directories and links
// the scenario script then adds to, modifies, deletes, chmods and replaces.
const diffDockerfile = `FROM 127.0.0.1:5015/buildscope/busybox:latest
RUN mkdir -p /data/sub /data/dir2/inner /data/rdir /data/keepdir \
 && echo hello > /data/file.txt && echo keep > /data/same.txt && echo m > /data/mode.txt \
 && echo a > /data/sub/a && echo b > /data/dir2/b && echo i > /data/dir2/inner/i \
 && echo x > /data/rdir/x && echo y > /data/rdir/y && echo f > /data/f2d && mkdir /data/d2f \
 && ln -s file.txt /data/link && ln -s /nonexistent /data/dangling && ln -s sub /data/dirlink \
 && echo k > /data/keepdir/k && chmod 755 /data/keepdir
`

// diffScript changes the image's filesystem in every way the issue names.
const diffScript = `set -e
echo new >> /data/file.txt
chmod 600 /data/mode.txt
chmod 644 /data/same.txt
chmod 700 /data/keepdir
rm /data/sub/a
rm -rf /data/dir2
ln -sf same.txt /data/link
ln -sf /other /data/dangling
rm /data/dirlink && mkdir /data/dirlink
rm -rf /data/rdir && mkdir /data/rdir && echo x2 > /data/rdir/x && echo z > /data/rdir/z
rm /data/f2d && mkdir /data/f2d && echo q > /data/f2d/q
rmdir /data/d2f && echo now-a-file > /data/d2f
mknod /data/fifo p
echo t > /tmp/a && echo t > /tmp/b
mkdir -p /new/deep && echo 1 > /new/deep/1 && ln -s deep /new/link
touch /tmp/gone && rm /tmp/gone
rm /etc/motd 2>/dev/null || rm /bin/cat
`

// buildDiffImage builds a test image on the engine, tagged with name and
// an ID of its own (tests run in parallel), and removes it after.
func buildDiffImage(t *testing.T, e *env, name, dockerfile string) string {
	t.Helper()
	tag := "buildscope-diff-test:" + name + "-" + strings.ToLower(history.NewID())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	b, r := e.build(t, "--builder", "docker", "-t", tag, dir)
	if r.code != 0 || b.Status != "ok" {
		t.Fatalf("building %s: exit %d %s\n%s", tag, r.code, b.Error, lastLines(r.stderr, 20))
	}
	t.Cleanup(func() { _, _ = execOutput("docker", "rmi", "-f", tag) })
	return tag
}

// runContainer runs a container to completion and removes it after.
func runContainer(t *testing.T, name string, args ...string) {
	t.Helper()
	_, _ = execOutput("docker", "rm", "-f", name)
	runDocker(t, append([]string{"run", "--name", name}, args...)...)
	t.Cleanup(func() { _, _ = execOutput("docker", "rm", "-f", name) })
}

// engineDiff is `docker container diff` as the engine prints it; it fails
// the test when the engine lists nothing.
func engineDiff(t *testing.T, name string) string {
	t.Helper()
	out := runDocker(t, "container", "diff", name)
	if out == "" {
		t.Fatalf("docker container diff %s is empty", name)
	}
	return out
}

// sortedLines is out's lines, sorted.
func sortedLines(out string) []string {
	if out == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	sort.Strings(lines)
	return lines
}

// checkDiff fails the test unless buildscope's output got has the
// engine's lines, each as often, and is in buildscope's documented order.
// The engine walks directories in Go map order, so the order of its
// siblings varies between runs: its output is compared as a sorted list
// of lines, never through buildscope's own parser (cdiff).
func checkDiff(t *testing.T, what, got, engine string) {
	t.Helper()
	if !slices.Equal(sortedLines(got), sortedLines(engine)) {
		t.Errorf("%s:\n%s\nwant (docker container diff, in any order):\n%s", what, got, engine)
	}
	if err := inDiffOrder(got); err != nil {
		t.Errorf("%s: %v in\n%s", what, err, got)
	}
}

// inDiffOrder checks the order cdiff.Canonical documents, on its own
// terms: a directory's line before the lines under it, and in each
// directory its entries that are not deleted before those that are, each
// group sorted bytewise by name. That order sorts the lines by their
// path's names, each name preceded by whether the path up to it is
// deleted.
func inDiffOrder(out string) error {
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if out == "" {
		return nil
	}
	deleted := map[string]bool{}
	for _, l := range lines {
		if len(l) < 3 || !strings.Contains("ACD", l[:1]) || l[1:3] != " /" {
			return fmt.Errorf("line %q is not KIND /PATH", l)
		}
		if l[0] == 'D' {
			deleted[l[2:]] = true
		}
	}
	key := func(l string) []string {
		var k []string
		names := strings.Split(l[3:], "/")
		for i, n := range names {
			d := "0"
			if deleted["/"+strings.Join(names[:i+1], "/")] {
				d = "1"
			}
			k = append(k, d, n)
		}
		return k
	}
	for i := 1; i < len(lines); i++ {
		if slices.Compare(key(lines[i-1]), key(lines[i])) >= 0 {
			return fmt.Errorf("%q is not in order after %q", lines[i], lines[i-1])
		}
	}
	return nil
}

func TestDiffContainerMatchesDocker(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	scenario := buildDiffImage(t, shared, "scenario", diffDockerfile)
	runContainer(t, "bs-diff-stopped", scenario, "sh", "-c", diffScript)
	want := engineDiff(t, "bs-diff-stopped")
	for _, l := range []string{"C /data/file.txt", "C /data/mode.txt", "D /data/dir2", "D /data/sub/a", "C /data/link",
		"C /data/dirlink", "C /data/f2d", "A /data/f2d/q", "C /data/d2f", "A /data/fifo", "A /new/link", "C /data/keepdir"} {
		if !strings.Contains(want, l+"\n") {
			t.Errorf("the scenario does not make the engine report %q:\n%s", l, want)
		}
	}
	for _, method := range []string{"auto", "overlay", "export"} {
		got := shared.mustRun(t, "diff", "--method", method, "bs-diff-stopped").stdout
		checkDiff(t, "--method "+method, got, want)
	}

	t.Run("export", func(t *testing.T) {
		tarPath := filepath.Join(t.TempDir(), "export.tar")
		runDocker(t, "export", "-o", tarPath, "bs-diff-stopped")
		got := shared.mustRun(t, "diff", "--image", "docker://"+scenario, "--export", tarPath).stdout
		checkDiff(t, "--export", got, want)
	})

	t.Run("running", func(t *testing.T) {
		name := "bs-diff-running"
		_, _ = execOutput("docker", "rm", "-f", name)
		runDocker(t, "run", "-d", "--name", name, scenario, "sh", "-c", diffScript+"touch /ready; sleep 600")
		t.Cleanup(func() { _, _ = execOutput("docker", "rm", "-f", name) })
		deadline := time.Now().Add(30 * time.Second)
		// wait for /ready with exec: the engine's own diff fails ("readdirent:
		// no such file or directory") when it walks a tree the script is
		// still deleting from
		for {
			if _, err := execOutput("docker", "exec", name, "test", "-f", "/ready"); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the running container never wrote /ready")
			}
			time.Sleep(100 * time.Millisecond)
		}
		got := shared.mustRun(t, "diff", name).stdout
		checkDiff(t, "running container", got, engineDiff(t, name))
	})

	for _, builder := range []string{"docker", "embedded"} {
		t.Run("image-"+builder, func(t *testing.T) {
			got := shared.mustRun(t, "--builder", builder, "diff", "--image", "docker://"+scenario,
				"--", "sh", "-c", diffScript).stdout
			checkDiff(t, "--image on "+builder+" (against docker container diff of the same script)", got, want)
		})
	}
}

// The seed's check: the release writes its two config files to /tmp and
// nothing else.
const seedDockerfile = `FROM 127.0.0.1:5015/buildscope/busybox:latest
ENV RELX_OUT_FILE_PATH=/tmp
CMD ["sh", "-c", "echo '[].' > $RELX_OUT_FILE_PATH/sys.config && echo '-name sd' > $RELX_OUT_FILE_PATH/vm.args"]
`

func TestDiffSeedWritesOnlyTmp(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	seed := buildDiffImage(t, shared, "seed", seedDockerfile)
	const want = "C /tmp\nA /tmp/sys.config\nA /tmp/vm.args\n"
	runContainer(t, "bs-diff-seed", seed)
	if got := shared.mustRun(t, "diff", "bs-diff-seed").stdout; got != want {
		t.Errorf("container:\n%s\nwant:\n%s", got, want)
	}
	if got := engineDiff(t, "bs-diff-seed"); !slices.Equal(sortedLines(got), sortedLines(want)) {
		t.Errorf("the engine itself says:\n%s", got)
	}
	for _, builder := range []string{"docker", "embedded"} {
		got := shared.mustRun(t, "--builder", builder, "diff", "--image", "docker://"+seed).stdout
		if got != want {
			t.Errorf("--image (the image's CMD) on %s:\n%s\nwant:\n%s", builder, got, want)
		}
		// With --read-only and a tmpfs on /tmp the release writes nothing
		// to the container's layer.
		got = shared.mustRun(t, "--builder", builder, "diff", "--image", "docker://"+seed,
			"--read-only", "--tmpfs", "/tmp").stdout
		if got != "" {
			t.Errorf("--read-only --tmpfs /tmp on %s: %q, want nothing", builder, got)
		}
	}
}

func TestDiffJSONContentAndPaths(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	scenario := buildDiffImage(t, shared, "scenario", diffDockerfile)
	runContainer(t, "bs-diff-json", scenario, "sh", "-c", diffScript)

	var out struct {
		Changes []struct {
			Kind      string `json:"kind"`
			Path      string `json:"path"`
			SizeBytes int64  `json:"size_bytes"`
			OldSize   *int64 `json:"old_size_bytes"`
			OldMode   string `json:"old_mode"`
			NewMode   string `json:"new_mode"`
			Diff      string `json:"diff"`
		} `json:"changes"`
	}
	r := shared.mustRun(t, "diff", "--json", "--content", "bs-diff-json")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	byPath := map[string]int{}
	for i, c := range out.Changes {
		byPath[c.Path] = i
	}
	get := func(p string) string {
		i, ok := byPath[p]
		if !ok {
			t.Fatalf("no change for %s in %s", p, r.stdout)
		}
		c := out.Changes[i]
		old := "-"
		if c.OldSize != nil {
			old = fmt.Sprint(*c.OldSize)
		}
		dash := func(s string) string {
			if s == "" {
				return "-"
			}
			return s
		}
		return fmt.Sprintf("%s %d %s %s %s", c.Kind, c.SizeBytes, old, dash(c.OldMode), dash(c.NewMode))
	}
	for p, want := range map[string]string{
		"/data/file.txt": "C 10 6 -rw-r--r-- -rw-r--r--",
		"/data/mode.txt": "C 2 2 -rw-r--r-- -rw-------",
		"/data/keepdir":  "C 0 - drwxr-xr-x drwx------",
		"/data/link":     "C 8 8 lrwxrwxrwx lrwxrwxrwx",
		"/data/fifo":     "A 0 - - prw-r--r--",
		"/tmp/a":         "A 2 - - -rw-r--r--",
		"/data/dir2":     "D 4 - drwxr-xr-x -",
		"/data/d2f":      "C 11 - drwxr-xr-x -rw-r--r--",
	} {
		if got := get(p); got != want {
			t.Errorf("%s: %q, want %q", p, got, want)
		}
	}
	if d := out.Changes[byPath["/data/file.txt"]].Diff; !strings.Contains(d, "--- a/data/file.txt") || !strings.Contains(d, "\n hello\n+new\n") {
		t.Errorf("content diff of /data/file.txt:\n%s", d)
	}
	if d := out.Changes[byPath["/data/mode.txt"]].Diff; d != "" {
		t.Errorf("a chmod has no content diff, got:\n%s", d)
	}

	got := shared.mustRun(t, "diff", "--path", "/tmp", "--path", "/new/*", "bs-diff-json").stdout
	if want := "A /new/deep\nA /new/deep/1\nA /new/link\nC /tmp\nA /tmp/a\nA /tmp/b\n"; got != want {
		t.Errorf("--path /tmp --path '/new/*':\n%s\nwant:\n%s", got, want)
	}
}

// A rewrite that keeps size and mtime escapes the engine's stat
// comparison; buildscope compares content and reports it. A file copied
// up and set back exactly is reported by neither.
func TestDiffContentOnlyChange(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	scenario := buildDiffImage(t, shared, "scenario", diffDockerfile)
	runContainer(t, "bs-diff-content", scenario, "sh", "-c",
		`cp -p /data/same.txt /ref && echo KEEP > /data/same.txt && touch -r /ref /data/same.txt && rm /ref
		 cp -p /data/sub/a /ref && echo a > /data/sub/a && touch -r /ref /data/sub/a && rm /ref`)
	if got := runDocker(t, "container", "diff", "bs-diff-content"); got != "" {
		t.Fatalf("the engine saw the same-size rewrite after all (or more):\n%s", got)
	}
	for _, method := range []string{"overlay", "export"} {
		got := shared.mustRun(t, "diff", "--method", method, "bs-diff-content").stdout
		if want := "C /data\nC /data/same.txt\n"; got != want {
			t.Errorf("--method %s:\n%s\nwant:\n%s", method, got, want)
		}
	}
}

func TestDiffErrors(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	bad := filepath.Join(t.TempDir(), "bad.tar")
	if err := os.WriteFile(bad, []byte(strings.Repeat("not a tar\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "no-such-container-bs"}, `no such container "no-such-container-bs"`},
		{[]string{"diff"}, "name one CONTAINER"},
		{[]string{"diff", "a", "b"}, "name one CONTAINER"},
		{[]string{"diff", "--image", "docker://buildscope-no-such-image:x", "--export", bad}, "buildscope-no-such-image"},
		{[]string{"diff", "--image", "/nonexistent/image/dir", "--export", bad}, "/nonexistent/image/dir"},
		{[]string{"diff", "--image", "127.0.0.1:5015/buildscope/busybox:latest", "--export", bad}, "bad.tar"},
		{[]string{"diff", "--image", "127.0.0.1:5015/buildscope/busybox:latest", "--export", "/nonexistent.tar"}, "opening --export"},
		{[]string{"diff", "--path", "[", "x"}, "--path"},
		{[]string{"diff", "--method", "magic", "x"}, "--method"},
		{[]string{"diff", "--user", "1", "x"}, "--image"},
		{[]string{"--builder", "docker", "diff", "--image", "docker://buildscope-no-such-image:x", "--", "true"}, "buildscope-no-such-image"},
	} {
		r := shared.run(t, nil, c.args...)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if r.code == 0 || len(lines) != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("buildscope %v: exit %d, stderr %q; want a one-line error with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

func TestDiffTimeoutAndUser(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	scenario := buildDiffImage(t, shared, "scenario", diffDockerfile)
	img := "docker://" + scenario
	r := shared.mustRun(t, "--builder", "docker", "diff", "--image", img, "--timeout", "2s", "--", "sh", "-c", "echo a > /tmp/x; sleep 60")
	if r.stdout != "C /tmp\nA /tmp/x\n" || !strings.Contains(r.stderr, "--timeout 2s") {
		t.Errorf("--timeout on docker: stdout %q stderr %q", r.stdout, r.stderr)
	}
	// other tests run diff on the engine at the same time: this run's
	// container is the one running this command
	out, _ := execOutput("docker", "ps", "-a", "--no-trunc", "--filter", "label=buildscope.diff=1", "--format", "{{.ID}} {{.Command}}")
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "echo a > /tmp/x; sleep 60") {
			t.Errorf("container left behind: %s", l)
		}
	}
	r = shared.run(t, nil, "--builder", "embedded", "diff", "--image", img, "--timeout", "2s", "--", "sh", "-c", "sleep 60")
	if r.code == 0 || !strings.Contains(r.stderr, "did not exit within --timeout 2s") {
		t.Errorf("--timeout on embedded: exit %d stderr %q", r.code, r.stderr)
	}
	for _, builder := range []string{"docker", "embedded"} {
		r = shared.mustRun(t, "--builder", builder, "diff", "--json", "--content", "--image", img, "--user", "1000",
			"--", "sh", "-c", "id -u > /tmp/id")
		if !strings.Contains(r.stdout, `"path": "/tmp/id"`) || !strings.Contains(r.stdout, `+1000\n`) {
			t.Errorf("--user 1000 on %s:\n%s", builder, r.stdout)
		}
	}
}
