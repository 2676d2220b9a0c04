package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The hostile-input catalogue's cases (hostileCatalogue) of the doors
// added since the first round (issue 30): history import, records on
// disk, bake files, compare --fail-on, diff and attach. Each case is a
// command of the real binary with its expected outcome: the exit status
// and a line it must print (HIST is the history directory, DIR the case's
// directory, ID the imported build); none reaches a builder unless its
// door needs one (diff, attach).
type doorCase struct {
	name  string
	setup func(t *testing.T, c *doorRun) // writes files, imports a build
	args  []string
	code  int    // the exit status; -1 any non-zero
	out   string // a line of stdout ("" no check)
	err   string // a line of stderr ("" no check); always escaped
}

// doorRun is a case's directory, history and imported build's ID, and
// how it imports a bundle (history import in its environment).
type doorRun struct {
	dir, hist, id string
	imp           func(t *testing.T, bundle string)
}

// bundleFile writes a `docker buildx history export` bundle of one record
// of ref, whose status log has three finished steps, and returns its path;
// pad adds an entry of that many zero bytes, gzip'd member by member so
// that the file stays small (a gzip bomb).
func bundleFile(t *testing.T, dir, ref string, pad int64) string {
	t.Helper()
	var log []byte
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 0; i < 3; i++ {
		st, done := timestamppb.New(start.Add(time.Duration(i)*time.Second)), timestamppb.New(start.Add(time.Duration(i+1)*time.Second))
		resp := &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{{Digest: fmt.Sprintf("sha256:%064d", i), Name: fmt.Sprintf("[%d/3] RUN step %d", i+1, i), Started: st, Completed: done}}}
		b, err := resp.MarshalVT()
		if err != nil {
			t.Fatal(err)
		}
		log = append(binary.LittleEndian.AppendUint32(log, uint32(len(b))), b...)
	}
	entries := map[string][]byte{}
	type desc struct {
		MediaType string `json:"mediaType"`
		Digest    string `json:"digest"`
		Size      int    `json:"size"`
	}
	blob := func(mt string, data []byte) desc {
		sum := sha256.Sum256(data)
		entries["blobs/sha256/"+hex.EncodeToString(sum[:])] = data
		return desc{mt, "sha256:" + hex.EncodeToString(sum[:]), len(data)}
	}
	logs := blob("application/vnd.buildkit.status.v0", log)
	rec, _ := json.Marshal(struct {
		*controlapi.BuildHistoryRecord
	}{&controlapi.BuildHistoryRecord{Ref: ref, Frontend: "dockerfile.v0", CreatedAt: timestamppb.New(start), CompletedAt: timestamppb.New(start.Add(4 * time.Second)),
		Logs: &controlapi.Descriptor{MediaType: logs.MediaType, Digest: logs.Digest, Size: int64(logs.Size)}}})
	mf, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": blob("application/vnd.buildkit.historyrecord.v0", rec), "layers": []desc{logs}})
	entries["index.json"], _ = json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []desc{blob("application/vnd.oci.image.manifest.v1+json", mf)}})
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, data := range entries {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	if pad > 0 {
		tw.WriteHeader(&tar.Header{Name: "padding", Mode: 0o644, Size: pad, Typeflag: tar.TypeReg})
		tw.Flush()
		gz.Close() // the rest as gzip members of zeros, each written once
		// a member of 1 MiB, deflated once and written 2,049 times: one
		// of 64 MiB took ~0.3 s of CPU to deflate (the file is as small)
		const chunk = 1 << 20
		var member bytes.Buffer
		mz, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
		mz.Write(make([]byte, chunk))
		mz.Close()
		for left := pad; left > 0; left -= chunk {
			if left < chunk {
				tail := gzip.NewWriter(&buf)
				tail.Write(make([]byte, left))
				tail.Close()
				break
			}
			buf.Write(member.Bytes())
		}
		end := gzip.NewWriter(&buf)
		end.Write(make([]byte, (512-pad%512)%512+1024)) // the entry's padding, the tar's end
		end.Close()
	} else {
		tw.Close()
		gz.Close()
	}
	f := filepath.Join(dir, "bundle.dockerbuild")
	if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// imported imports a good bundle of ref into the case's history.
func imported(ref string, then func(t *testing.T, c *doorRun)) func(t *testing.T, c *doorRun) {
	return func(t *testing.T, c *doorRun) {
		c.id = ref
		c.imp(t, bundleFile(t, c.dir, ref, 0))
		if then != nil {
			then(t, c)
		}
	}
}

// swap replaces the file at p with a FIFO, or a link to /dev/zero.
func swap(kind string, p func(c *doorRun) string) func(t *testing.T, c *doorRun) {
	return func(t *testing.T, c *doorRun) {
		f := p(c)
		os.Remove(f)
		var err error
		switch kind {
		case "fifo":
			err = syscall.Mkfifo(f, 0o600)
		case "zero":
			err = os.Symlink("/dev/zero", f)
		case "cut": // cut the gzip'd log inside its last event
			data, rerr := os.ReadFile(f + ".keep")
			if rerr != nil {
				t.Fatal(rerr)
			}
			err = os.WriteFile(f, data[:len(data)-12], 0o600) // into the gzip trailer
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func recordOf(c *doorRun) string { return filepath.Join(c.hist, c.id+".json") }
func eventsOf(c *doorRun) string { return filepath.Join(c.hist, c.id+".events.jsonl.gz") }

// keepEvents copies the events file aside for "cut".
func keepEvents(t *testing.T, c *doorRun) {
	data, err := os.ReadFile(eventsOf(c))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(eventsOf(c)+".keep", data, 0o600)
}

func doorCases() []doorCase {
	const ref = "qk1yzqv9lyyzhoq2i0b6ex1ci"
	var dbl strings.Builder
	dbl.WriteString("variable \"v0\" {\n  default = \"x\"\n}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&dbl, "variable \"v%d\" {\n  default = \"${v%d}${v%d}\"\n}\n", i, i-1, i-1)
	}
	dbl.WriteString("target \"default\" {\n  args = { A = \"${v40}\" }\n}\n")
	deep := strings.Repeat("[", 400000) + strings.Repeat("]", 400000)
	bakeFile := func(name, content string) func(t *testing.T, c *doorRun) {
		return func(t *testing.T, c *doorRun) {
			writeFiles(t, c.dir, map[string]string{name: content, "Dockerfile": "FROM scratch\nCOPY Dockerfile /\n"})
		}
	}
	okBake := bakeFile("docker-bake.hcl", "target \"default\" {\n  context = \".\"\n}\n")
	refBundle := func(r string) func(t *testing.T, c *doorRun) {
		return func(t *testing.T, c *doorRun) { bundleFile(t, c.dir, r, 0) }
	}
	bundle := []string{"history", "import", "DIR/bundle.dockerbuild"}
	busybox := baseAddr + "/buildscope/busybox:latest"
	return []doorCase{
		// history import
		{"import: a gzip bomb", func(t *testing.T, c *doorRun) { bundleFile(t, c.dir, ref, 2<<30+1<<20) }, bundle, 1, "",
			"buildscope: bundle DIR/bundle.dockerbuild inflates to more than 2GiB, more than a `docker buildx history export` bundle an import takes: refused"},
		{"import: a ref with ESC and LF", refBundle("\x1b[31mred\nforged"), bundle, 1, "",
			`buildscope: bundle DIR/bundle.dockerbuild: the record's ref is refused, nothing was imported: build ID "\e[31mred\nforged" cannot name a record: an ID is 1 to 128 letters, digits, '.', '_' and '-', not starting with '.', '_' or '-'`},
		{"import: the ref .", refBundle("."), bundle, 1, "",
			`buildscope: bundle DIR/bundle.dockerbuild: the record's ref is refused, nothing was imported: build ID "." cannot name a record: an ID is 1 to 128 letters, digits, '.', '_' and '-', not starting with '.', '_' or '-'`},
		{"import: the ref last", refBundle("last"), bundle, 1, "",
			`buildscope: bundle DIR/bundle.dockerbuild: the record's ref is refused, nothing was imported: build ID "last" cannot name a record: it names the latest build (build:last)`},
		{"import: the ref ../..", refBundle("../.."), bundle, 1, "",
			`buildscope: bundle DIR/bundle.dockerbuild: the record's ref is refused, nothing was imported: build ID "../.." cannot name a record: an ID is 1 to 128 letters, digits, '.', '_' and '-', not starting with '.', '_' or '-'`},
		{"import: the ref build:x", refBundle("build:x"), bundle, 1, "",
			`buildscope: bundle DIR/bundle.dockerbuild: the record's ref is refused, nothing was imported: build ID "build:x" cannot name a record: an ID is 1 to 128 letters, digits, '.', '_' and '-', not starting with '.', '_' or '-'`},
		{"import: a BuildKit ref", refBundle(ref), bundle, 0,
			"imported " + ref + " (ok, 0/3 steps cached) into buildscope's history: history show " + ref, ""},
		// records on disk
		{"records: a record that is a FIFO", imported(ref, swap("fifo", recordOf)), []string{"history", "ls"}, 0, "",
			"buildscope: skipping build record " + ref + " is damaged (HIST/" + ref + ".json: HIST/" + ref + ".json is a FIFO, not a regular file: buildscope never writes one, so it is not read): `buildscope history rm " + ref + "` removes it"},
		{"records: a record linked to /dev/zero", imported(ref, swap("zero", recordOf)), []string{"history", "ls"}, 0, "",
			"buildscope: skipping build record " + ref + " is damaged (HIST/" + ref + ".json: HIST/" + ref + ".json is a symbolic link, not a regular file: buildscope never writes one, so it is not read): `buildscope history rm " + ref + "` removes it"},
		{"records: doctor on a FIFO record", imported(ref, swap("fifo", recordOf)), []string{"history", "doctor"}, 1,
			"damaged: " + ref + " (HIST/" + ref + ".json: HIST/" + ref + ".json is a FIFO, not a regular file: buildscope never writes one, so it is not read)", ""},
		{"records: show with a FIFO event log", imported(ref, swap("fifo", eventsOf)), []string{"history", "show", ref}, 0,
			"warning: its event log is damaged (a FIFO, not a regular file): only the 0 events before the damage are shown; `buildscope history doctor` lists it", ""},
		{"records: trace with an event log linked to /dev/zero", imported(ref, swap("zero", eventsOf)), []string{"trace", ref}, 1, "",
			"buildscope: the event log of build " + ref + " is damaged (HIST/" + ref + ".events.jsonl.gz: a symbolic link, not a regular file); 0 events before the damage are kept"},
		{"records: trace with a cut event log", imported(ref, func(t *testing.T, c *doorRun) { keepEvents(t, c); swap("cut", eventsOf)(t, c) }), []string{"trace", ref}, 0, "",
			"buildscope: warning: build " + ref + ": its event log is damaged (unexpected EOF): only the 3 events before the damage are shown; `buildscope history doctor` lists it"},
		{"records: doctor on a FIFO event log", imported(ref, swap("fifo", eventsOf)), []string{"history", "doctor"}, 1,
			"damaged: event log of build " + ref + " (HIST/" + ref + ".events.jsonl.gz: a FIFO, not a regular file; the record is intact)", ""},
		// bake files
		{"bake: 40 doubling variables", bakeFile("docker-bake.hcl", dbl.String()), []string{"bake", "--print"}, 1, "",
			"buildscope: bake file docker-bake.hcl: variable v21 can expand to more than 16MiB (it names v20, v20), more than buildscope expands: a variable that names another twice doubles it"},
		{"bake: JSON nested 400k deep", bakeFile("docker-bake.json", deep), []string{"bake", "--print"}, 1, "",
			"buildscope: bake file docker-bake.json nests more than 200 levels deep (line 1): more than buildscope reads; a bake file needs a few"},
		{"bake: HCL nested 400k deep", bakeFile("docker-bake.hcl", "target \"default\" {\n args = { A = "+deep+" }\n}\n"), []string{"bake", "--print"}, 1, "",
			"buildscope: bake file docker-bake.hcl nests more than 200 levels deep (line 2): more than buildscope reads; a bake file needs a few"},
		{"bake: a group cycle", bakeFile("docker-bake.hcl", "group \"default\" {\n  targets = [\"a\"]\n}\ngroup \"a\" {\n  targets = [\"b\"]\n}\ngroup \"b\" {\n  targets = [\"a\"]\n}\n"), []string{"bake", "--print"}, 1, "",
			"buildscope: bake group a includes itself (a → b → a): a group may name a group, but never one that names it back"},
		{"bake: --set output=", okBake, []string{"bake", "--print", "--set", "default.output=type=local,dest=out"}, 0, `          "dest": "out",`, ""},
		{"bake: --set cache-to=", okBake, []string{"bake", "--print", "--set", "default.cache-to=type=local,dest=cache"}, 0, `          "dest": "cache",`, ""},
		{"bake: --set secrets=", okBake, []string{"bake", "--print", "--set", "default.secrets=id=tok,src=Dockerfile"}, 0, `          "id": "tok",`, ""},
		// compare --fail-on, refused before any image is opened
		{"fail-on: config-changed=no", nil, []string{"compare", "--fail-on", "config-changed=no", "a", "b"}, 1, "",
			`buildscope: --fail-on "config-changed=no": config-changed takes no value; use size-increase=N% or size-increase=SIZE, files-added, config-changed, cache-ratio-below=R (0 to 1) or any`},
		{"fail-on: NaN%", nil, []string{"compare", "--fail-on", "size-increase=NaN%", "a", "b"}, 1, "",
			`buildscope: --fail-on "size-increase=NaN%": "NaN%" is not a percentage (e.g. 5%); use size-increase=N% or size-increase=SIZE, files-added, config-changed, cache-ratio-below=R (0 to 1) or any`},
		{"fail-on: a size past int64", nil, []string{"compare", "--fail-on", "size-increase=99999999999999999999TB", "a", "b"}, 1, "",
			`buildscope: --fail-on "size-increase=99999999999999999999TB": "99999999999999999999TB" is not a size (e.g. 20MB); use size-increase=N% or size-increase=SIZE, files-added, config-changed, cache-ratio-below=R (0 to 1) or any`},
		{"fail-on: a ratio of 2", nil, []string{"compare", "--fail-on", "cache-ratio-below=2", "a", "b"}, 1, "",
			`buildscope: --fail-on "cache-ratio-below=2": give a ratio from 0 to 1, e.g. cache-ratio-below=0.8; use size-increase=N% or size-increase=SIZE, files-added, config-changed, cache-ratio-below=R (0 to 1) or any`},
		// diff and attach, on the shared embedded builder (a diff on the
		// engine would leave a labelled container that TestDiffTimeoutAndUser,
		// running beside, counts as left behind)
		{"diff: the command's exit status (BuildKit)", nil, []string{"--builder", "embedded", "diff", "--image", busybox, "--", "sh", "-c", "echo a > /tmp/x; exit 3"}, 3, "A /tmp/x",
			"buildscope: the command exited 3; the changes above are what it made"},
		{"diff: a command killed by a signal (BuildKit)", nil, []string{"--builder", "embedded", "diff", "--image", busybox, "--", "sh", "-c", "kill -9 $$"}, 137, "",
			"buildscope: the command exited 137 (killed by signal 9); the changes above are what it made"},
		{"diff: names with ESC, BEL and 0xFF", nil, []string{"--builder", "embedded", "diff", "--image", busybox, "--", "sh", "-c", `touch "/tmp/$(printf 'a\033]0;x\007\377')"`}, 0, `A /tmp/a\e]0;x\x07\xff`, ""},
		{"diff: invalid UTF-8 in JSON", nil, []string{"diff", "--json", "--image", busybox, "--", "sh", "-c", `touch "/tmp/$(printf '\377')"`}, 0, `      "path": "/tmp/\\xff",`, ""},
		{"attach: a ref that is not running", nil, []string{"--builder", "embedded", "attach", "--progress", "plain", "\x1b[31mnope"}, 1, "",
			`buildscope: no build "\x1b[31mnope" is running on the embedded builder: ` + "`buildscope attach`" + ` without a ref follows the newest one`},
	}
}

// run goes in by the real binary, in a history of the case's own on the
// shared builder, and checks the exit status and lines.
func (c doorCase) run(t *testing.T, shared *env) {
	e := newTestEnv(t, shared) // a history of its own
	run := &doorRun{dir: t.TempDir(), hist: filepath.Join(e.dir, "state", "buildscope", "history"),
		imp: func(t *testing.T, bundle string) { e.mustRun(t, "history", "import", bundle) }}
	if c.setup != nil {
		c.setup(t, run)
	}
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = strings.ReplaceAll(a, "DIR", run.dir)
	}
	r := e.runIn(t, run.dir, nil, args...)
	expand := strings.NewReplacer("DIR", run.dir, "HIST", run.hist).Replace
	okCode := r.code == c.code || c.code == -1 && r.code != 0
	hasLine := func(s, line string) bool { return line == "" || strings.Contains("\n"+s, "\n"+expand(line)+"\n") }
	if !okCode || !hasLine(r.stdout, c.out) || !hasLine(r.stderr, c.err) || strings.ContainsAny(r.stderr, "\x1b") {
		t.Errorf("buildscope %q: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stdout line %q, stderr line %q", args, r.code, c.code,
			lastLines(r.stdout, 12), lastLines(r.stderr, 12), expand(c.out), expand(c.err))
	}
}
