package history

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/model"
)

// noHang runs f and fails the test if it does not return: reading a FIFO
// or /dev/zero never ends. The bound is far above what f takes.
func noHang(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not return: it reads a file that never ends", what)
	}
}

// recorded saves two builds, each with an event log of three events.
func recorded(t *testing.T) (History, *bytes.Buffer) {
	t.Helper()
	warn := &bytes.Buffer{}
	h := History{Dir: filepath.Join(t.TempDir(), "history"), Warn: NewWarner(warn)}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, id := range []string{"aaaaaa000001", "bbbbbb000002"} {
		w, err := NewEventWriter(h, id)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 3; j++ {
			st, done := start.Add(time.Duration(j)*time.Second), start.Add(time.Duration(j+1)*time.Second)
			w.Write(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: digest.FromString(string(rune('a' + j))), Name: "step", Started: &st, Completed: &done}}})
		}
		b := &model.Build{ID: id, Status: model.StatusOK, Started: start.Add(time.Duration(i) * time.Minute)}
		if err := h.Commit(b, w); err != nil {
			t.Fatal(err)
		}
	}
	return h, warn
}

// replace puts what make returns in place of the file at p.
func replace(t *testing.T, p string, make func(p string) error) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := make(p); err != nil {
		t.Fatal(err)
	}
}

func fifo(p string) error    { return syscall.Mkfifo(p, 0o600) }
func devZero(p string) error { return os.Symlink("/dev/zero", p) }

// A record or event log that is not a regular file (a FIFO, a link to
// /dev/zero) is named and skipped, never read: ls, show, trace and doctor
// return. A damaged log does not hide its intact record: the record opens
// and its timeline is laid out from the events before the damage, saying
// so; doctor reports every one of them.
func TestHistoryNonRegularAndDamagedFiles(t *testing.T) {
	for _, c := range []struct {
		name     string
		file     func(h History) string
		make     func(p string) error
		listWarn string // what List says (records)
		doctor   string // the line doctor prints
		trace    string // what Timeline of aaaaaa000001 says, on Warn or as its error
	}{
		{"record is a FIFO", func(h History) string { return h.path("aaaaaa000001") }, fifo,
			"aaaaaa000001.json is a FIFO, not a regular file", "damaged: aaaaaa000001 (", "is a FIFO, not a regular file"},
		{"record links to /dev/zero", func(h History) string { return h.path("aaaaaa000001") }, devZero,
			"aaaaaa000001.json is a symbolic link, not a regular file", "damaged: aaaaaa000001 (", "is a symbolic link, not a regular file"},
		{"event log is a FIFO", func(h History) string { return h.eventsPath("aaaaaa000001") }, fifo,
			"", "damaged: event log of build aaaaaa000001 (", "is damaged (" + "%P: a FIFO, not a regular file)"},
		{"event log links to /dev/zero", func(h History) string { return h.eventsPath("aaaaaa000001") }, devZero,
			"", "damaged: event log of build aaaaaa000001 (", "is damaged (%P: a symbolic link, not a regular file)"},
		{"event log cut short", func(h History) string { return h.eventsPath("aaaaaa000001") }, nil,
			"", "damaged: event log of build aaaaaa000001 (", "buildscope: warning: build aaaaaa000001: its event log is damaged (unexpected EOF): only the 2 events before the damage are shown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, warn := recorded(t)
			p := c.file(h)
			if c.make != nil {
				replace(t, p, c.make)
			} else { // the gzip stream cut inside its third event
				cutEvents(t, p)
			}
			noHang(t, "List", func() {
				all, err := h.List()
				if err != nil || len(all) == 0 || all[len(all)-1].ID != "bbbbbb000002" {
					t.Errorf("List: %v, %v", ids(all), err)
				}
			})
			if c.listWarn != "" && !strings.Contains(warn.String(), c.listWarn) {
				t.Errorf("List said %q, want %q", warn.String(), c.listWarn)
			}
			noHang(t, "Get last", func() {
				if _, err := h.Get("last"); err != nil {
					t.Errorf("Get last: %v", err)
				}
			})
			warn.Reset()
			noHang(t, "Timeline", func() {
				_, err := h.Timeline("aaaaaa000001")
				got := warn.String()
				if err != nil {
					got += err.Error()
				}
				want := strings.ReplaceAll(c.trace, "%P", p)
				if !strings.Contains(got, want) {
					t.Errorf("Timeline said %q, want %q", got, want)
				}
			})
			var out bytes.Buffer
			noHang(t, "Doctor", func() {
				n, err := h.Doctor(&out, false)
				if err != nil || n != 1 || !strings.Contains(out.String(), c.doctor) {
					t.Errorf("Doctor found %d (%v):\n%s\nwant a line with %q", n, err, out.String(), c.doctor)
				}
			})
			out.Reset()
			if n, err := h.Doctor(&out, true); err != nil || n != 1 {
				t.Errorf("Doctor --fix: %d, %v\n%s", n, err, out.String())
			}
			if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("doctor --fix left %s", p)
			}
			if n, _ := h.Doctor(&out, false); n != 0 {
				t.Errorf("after --fix, doctor still finds %d:\n%s", n, out.String())
			}
		})
	}
}

// cutEvents cuts a gzip'd event log inside its last event.
func cutEvents(t *testing.T, p string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := plain.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(plain.Bytes(), []byte("\n"))
	var cut bytes.Buffer
	zw := gzip.NewWriter(&cut)
	zw.Write(bytes.Join(lines[:2], nil))
	zw.Write(lines[2][:len(lines[2])/2])
	zw.Close()
	if err := os.WriteFile(p, cut.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// An event log no record names (its build's record could not be saved)
// is found by doctor once it is older than a build takes to save its
// record, and removed by --fix.
func TestDoctorFindsOrphanEventLogs(t *testing.T) {
	h, _ := recorded(t)
	os.Remove(h.path("bbbbbb000002"))
	old := time.Now().Add(-2 * staleTempAge)
	os.Chtimes(h.eventsPath("bbbbbb000002"), old, old)
	var out bytes.Buffer
	if n, err := h.Doctor(&out, false); err != nil || n != 1 || !strings.Contains(out.String(), "damaged: event log "+h.eventsPath("bbbbbb000002")+" that no record names (orphaned)") {
		t.Errorf("doctor found %d (%v):\n%s", n, err, out.String())
	}
}

// On a full disk: an event log that cannot be written does not cost the
// record, which says the log is missing; a record that cannot be saved
// takes its log with it and the error says the build was not recorded.
func TestCommitOnAFullDisk(t *testing.T) {
	enospc := &os.PathError{Op: "write", Path: "events", Err: syscall.ENOSPC}
	t.Run("the event log fails", func(t *testing.T) {
		h, _ := recorded(t)
		w, err := NewEventWriter(h, "cccccc000003")
		if err != nil {
			t.Fatal(err)
		}
		w.err = enospc // the writer's first error, as a full disk gives it
		b := &model.Build{ID: "cccccc000003", Status: model.StatusError, Started: time.Now()}
		if err := h.Commit(b, w); err != nil {
			t.Fatal(err)
		}
		got, err := h.Get("cccccc000003")
		if err != nil || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0].Short, "its event log was not kept (recording build events: write events: no space left on device)") {
			t.Errorf("record %v (%v)", got, err)
		}
		assertNoStray(t, h)
	})
	t.Run("the record fails", func(t *testing.T) {
		h, _ := recorded(t)
		w, err := NewEventWriter(h, "cccccc000003")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(h.path("cccccc000003"), 0o700); err != nil { // the rename into place fails
			t.Fatal(err)
		}
		err = h.Commit(&model.Build{ID: "cccccc000003", Status: model.StatusError}, w)
		if err == nil || !strings.HasPrefix(err.Error(), "build cccccc000003 was not recorded: ") {
			t.Errorf("err %v", err)
		}
		if _, err := os.Lstat(h.eventsPath("cccccc000003")); !errors.Is(err, os.ErrNotExist) {
			t.Error("an event log is left that no record names")
		}
		assertNoStray(t, h)
	})
}

// assertNoStray fails if a temp file is left in the history.
func assertNoStray(t *testing.T, h History) {
	t.Helper()
	ents, _ := os.ReadDir(h.Dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("left %s", e.Name())
		}
	}
}

// A record file whose name cannot be a build ID (written by hand, or by
// an older buildscope that imported any ref) is damaged, and its name is
// escaped wherever it is printed: it can neither drive the terminal nor
// forge a line of `history ls` or doctor.
func TestHistoryNamesThatCannotBeIDs(t *testing.T) {
	h, warn := recorded(t)
	bad := "evil\x1b[2J\nforged"
	data, _ := os.ReadFile(h.path("aaaaaa000001"))
	if err := os.WriteFile(h.path(bad), bytes.Replace(data, []byte(`"aaaaaa000001"`), []byte(`"evil\u001b[2J\nforged"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	all, err := h.List()
	if err != nil || len(all) != 2 {
		t.Errorf("List: %v %v", ids(all), err)
	}
	var out bytes.Buffer
	n, _ := h.Doctor(&out, false)
	for what, s := range map[string]string{"List": warn.String(), "Doctor": out.String()} {
		if strings.ContainsAny(s, "\x1b") || !strings.Contains(s, `evil\e[2J\nforged`) {
			t.Errorf("%s said %q", what, s)
		}
	}
	if n != 1 {
		t.Errorf("doctor found %d damaged, want 1", n)
	}
}
