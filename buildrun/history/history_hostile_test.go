package history

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
)

// savedHistory is a history of two good builds and one record cut short
// by a crash, the newest, which the last pointer names.
func savedHistory(t *testing.T) (h History, warn *bytes.Buffer, good []string, bad string) {
	t.Helper()
	warn = &bytes.Buffer{}
	h = History{Dir: filepath.Join(t.TempDir(), "history"), Warn: NewWarner(warn)}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, id := range []string{"aaaaaa000001", "bbbbbb000002", "cccccc000003"} {
		if err := h.Save(&model.Build{ID: id, Status: model.StatusOK, Started: start.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	bad = "cccccc000003"
	data, err := os.ReadFile(h.path(bad))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.path(bad), data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	return h, warn, []string{"aaaaaa000001", "bbbbbb000002"}, bad
}

func ids(bs []*model.Build) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.ID)
	}
	return out
}

// One truncated record is reported once, by name, and skipped: the others
// list, "last" falls back to the newest readable one.
func TestHistoryDamagedRecordIsSkipped(t *testing.T) {
	h, warn, good, bad := savedHistory(t)
	all, err := h.List()
	if err != nil {
		t.Fatalf("List with a damaged record: %v", err)
	}
	if got := strings.Join(ids(all), " "); got != strings.Join(good, " ") {
		t.Errorf("listed %q, want %q", got, good)
	}
	want := "buildscope: skipping build record " + bad + " is damaged (" + h.path(bad) +
		": unexpected end of JSON input): `buildscope history rm " + bad + "` removes it\n"
	if warn.String() != want {
		t.Errorf("warning\n%q\nwant\n%q", warn.String(), want)
	}
	if _, err := h.List(); err != nil || strings.Count(warn.String(), "\n") != 1 {
		t.Errorf("a second List warned again or failed (%v): %q", err, warn.String())
	}
	last, err := h.Get("last")
	if err != nil || last.ID != good[1] {
		t.Errorf("last = %v, %v; want %s", last, err, good[1])
	}
	for _, id := range []string{bad, "cccc"} {
		_, err := h.Get(id)
		var d *DamagedRecord
		if !errors.As(err, &d) || d.ID != bad || strings.Contains(err.Error(), "\n") ||
			!strings.Contains(err.Error(), "build record "+bad+" is damaged") {
			t.Errorf("Get(%q) of the damaged record: %v", id, err)
		}
	}
}

// history rm removes a damaged record by ID or prefix, with its events.
func TestHistoryRemoveDamagedRecord(t *testing.T) {
	h, _, good, bad := savedHistory(t)
	if err := os.WriteFile(h.eventsPath(bad), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := h.Remove("cccccc")
	if err != nil || b.ID != bad {
		t.Fatalf("Remove of the damaged record: %v, %v", b, err)
	}
	for _, p := range []string{h.path(bad), h.eventsPath(bad)} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind: %v", p, err)
		}
	}
	all, _, err := h.Scan()
	if err != nil || strings.Join(ids(all), " ") != strings.Join(good, " ") {
		t.Errorf("after rm: %v, %v", ids(all), err)
	}
	if id, _, err := h.lastID(); err != nil || id != good[1] {
		t.Errorf("last pointer after rm: %q, %v", id, err)
	}
}

// A record whose content names another build is damaged too (rm would
// otherwise remove the wrong file), and IDs never reach outside the store.
func TestHistoryRecordNamingAnotherBuild(t *testing.T) {
	h, _, good, _ := savedHistory(t)
	data, _ := os.ReadFile(h.path(good[0]))
	if err := os.WriteFile(h.path("dddddd000004"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := h.Get("dddddd000004")
	if err == nil || !strings.Contains(err.Error(), `build record dddddd000004 is damaged (`+h.path("dddddd000004")+`: it records build "aaaaaa000001")`) {
		t.Errorf("mismatched record: %v", err)
	}
	outside := filepath.Join(filepath.Dir(h.Dir), "outside.json")
	os.WriteFile(outside, []byte("{}"), 0o600)
	if _, err := h.Remove("../outside"); err == nil || !strings.Contains(err.Error(), `no build "../outside" in buildscope's history`) {
		t.Errorf("rm ../outside: %v", err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("rm reached outside the store: %v", err)
	}
}

// Temp files of writers that are gone are removed when the history is
// read or a build starts; those of live writers, and the lock, stay.
func TestHistoryCleansStaleTempFiles(t *testing.T) {
	h, _, _, _ := savedHistory(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * staleTempAge)
	files := map[string]bool{ // name → removed
		".cccccc000003.events.tmp-pid" + strconv.Itoa(dead.Process.Pid) + "-123": true,
		".dddddd000004.events.tmp-pid" + strconv.Itoa(os.Getpid()) + "-456":      false,
		".aaaaaa000001.json.tmp789": false, // fresh, writer unknown
		".bbbbbb000002.json.tmp012": true,  // old, writer unknown
		".last.lock":                false,
	}
	for name := range files {
		p := filepath.Join(h.Dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if name == ".bbbbbb000002.json.tmp012" || name == ".last.lock" {
			os.Chtimes(p, old, old)
		}
	}
	if processExists(dead.Process.Pid) {
		t.Skipf("pid %d was reused already", dead.Process.Pid)
	}
	if _, err := h.List(); err != nil {
		t.Fatal(err)
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(h.Dir, name))
		if gone := errors.Is(err, os.ErrNotExist); gone != removed {
			t.Errorf("%s: removed %v, want %v", name, gone, removed)
		}
	}
	// a new build's events name their writer, so they are not taken for a
	// leftover while it runs
	w, err := NewEventWriter(h, "eeeeee000005")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filepath.Base(w.f.Name()), ".tmp-pid"+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("events temp file %s does not name its writer", w.f.Name())
	}
	h.cleanTemp()
	if err := w.Close(); err != nil {
		t.Errorf("a live build's events were cleaned: %v", err)
	}
}

// Which records were reported belongs to the Warner the caller gives, not
// the process: another Warner reports the record again, and a History
// without one reports nothing.
func TestHistoryWarnerIsTheCallers(t *testing.T) {
	t.Parallel()
	h, warn, _, _ := savedHistory(t)
	h.List()
	var other bytes.Buffer
	h2 := History{Dir: h.Dir, Warn: NewWarner(&other)}
	h2.List()
	h2.List()
	if strings.Count(warn.String(), "\n") != 1 || other.String() != warn.String() {
		t.Errorf("first warner %q, second %q", warn.String(), other.String())
	}
	if _, err := (History{Dir: h.Dir}).List(); err != nil {
		t.Errorf("List without a Warner: %v", err)
	}
}
