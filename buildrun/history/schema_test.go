package history

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// oldRecord is a record as buildscope wrote it before schema 2: no
// schema, and bake after the stages, where a head that stops at the
// stages does not see it.
func oldRecord(id, bakeID, target string, started time.Time) string {
	return fmt.Sprintf(`{
  "id": %q,
  "context": "/ctx",
  "dockerfile": "Dockerfile",
  "target": "app",
  "builder": "embedded",
  "status": "ok",
  "error": "",
  "started": %q,
  "completed": %q,
  "stages": [{"name": "app", "steps": []}],
  "cache": {"total": 0, "cached": 0},
  "bake": {"id": %q, "target": %q}
}
`, id, started.Format(time.RFC3339Nano), started.Add(time.Second).Format(time.RFC3339Nano), bakeID, target)
}

// Explain picks, from record heads, the previous build why.PreviousBuild
// picks from whole records, in a history of sibling bake targets (api and
// web, the same Dockerfile and stage) in the old field order and the new:
// never a sibling target, nor the same bake's other target.
func TestExplainPicksThePreviousBuildOfTheSameBakeTarget(t *testing.T) {
	t.Parallel()
	h := History{Dir: filepath.Join(t.TempDir(), "history")}
	if err := os.MkdirAll(h.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	// Bake 1 (old records): web, then api, which is newer.
	for _, r := range []struct {
		id, target string
		m          int
	}{{"00000000a001", "web", 0}, {"00000000a002", "api", 1}} {
		if err := os.WriteFile(h.path(r.id), []byte(oldRecord(r.id, "bake1", r.target, at(r.m))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Bake 2 and 3 (new records), the same way round.
	for _, r := range []struct {
		id, bake, target string
		m                int
	}{{"00000000b001", "bake2", "web", 2}, {"00000000b002", "bake2", "api", 3}, {"00000000c001", "bake3", "web", 4}, {"00000000c002", "bake3", "api", 5}} {
		b := &model.Build{ID: r.id, Context: "/ctx", Dockerfile: "Dockerfile", Target: "app", Status: model.StatusOK,
			Started: at(r.m), Completed: at(r.m).Add(time.Second), Stages: []model.Stage{{Name: "app"}}, Bake: &model.BakeRef{ID: r.bake, Target: r.target}}
		if err := h.Save(b); err != nil {
			t.Fatal(err)
		}
	}
	all, err := h.List()
	if err != nil || len(all) != 6 {
		t.Fatalf("List: %d records, %v", len(all), err)
	}
	for _, cur := range all {
		want := ""
		if p := why.PreviousBuild(cur, all); p != nil {
			want = p.ID
		}
		ex, err := h.Explain(cur)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Previous != want {
			t.Errorf("Explain(%s, %s target %s) picked %q, why.PreviousBuild %q", cur.ID, cur.Bake.ID, cur.Bake.Target, ex.Previous, want)
		}
	}
	// The case the old heads got wrong: web of bake 2 against web of bake
	// 1, not bake 1's api that ran after it.
	if ex, _ := h.Explain(all[2]); ex.Previous != "00000000a001" {
		t.Errorf("web of bake 2 explained against %q, want 00000000a001", ex.Previous)
	}
}

// Save writes the schema, before the stages, with the bake.
func TestSaveWritesTheSchema(t *testing.T) {
	t.Parallel()
	h := History{Dir: filepath.Join(t.TempDir(), "history")}
	b := &model.Build{ID: "0000000000a1", Bake: &model.BakeRef{ID: "k", Target: "api"}, Stages: []model.Stage{{Name: "s"}}}
	if err := h.Save(b); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(h.path(b.ID))
	s := string(data)
	if !strings.HasPrefix(s, fmt.Sprintf("{\n  \"schema\": %d,", model.SchemaVersion)) || strings.Index(s, `"bake"`) > strings.Index(s, `"stages"`) {
		t.Errorf("saved record:\n%s", s)
	}
	if b.Schema != model.SchemaVersion {
		t.Errorf("the caller's build has schema %d after Save: what it prints (--report) would differ from the record", b.Schema)
	}
}

// A record of a newer schema is refused by every reader with
// model.CheckSchema's line naming it: Get (what `history show` reads);
// List names it, as it names damaged records, and lists the others;
// Explain passes it by; doctor names it and --fix keeps it.
func TestNewerSchemaRecordIsRefused(t *testing.T) {
	t.Parallel()
	var warn bytes.Buffer
	h := History{Dir: filepath.Join(t.TempDir(), "history"), Warn: NewWarner(&warn)}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	old := &model.Build{ID: "0000000000f1", Context: "/ctx", Dockerfile: "Dockerfile", Status: model.StatusOK, Started: t0}
	if err := h.Save(old); err != nil {
		t.Fatal(err)
	}
	newer := fmt.Sprintf(`{"schema": %d, "id": "0000000000f2", "context": "/ctx", "dockerfile": "Dockerfile", "status": "ok", "started": %q, "stages": [], "a_field_of_the_future": {"x": 1}}`,
		model.SchemaVersion+1, t0.Add(time.Minute).Format(time.RFC3339Nano))
	if err := os.WriteFile(h.path("0000000000f2"), []byte(newer), 0o600); err != nil {
		t.Fatal(err)
	}
	line := (&model.SchemaError{ID: "0000000000f2", Schema: model.SchemaVersion + 1}).Error()
	_, err := h.Get("0000000000f2")
	var se *model.SchemaError
	if err == nil || err.Error() != line || !errors.As(err, &se) {
		t.Errorf("Get = %v, want %q", err, line)
	}
	all, err := h.List()
	if err != nil || len(all) != 1 || all[0].ID != old.ID {
		t.Fatalf("List = %v, %v; want the older record only", ids(all), err)
	}
	if warn.String() != "buildscope: skipping "+line+"\n" {
		t.Errorf("List warned %q", warn.String())
	}
	cur := &model.Build{ID: "0000000000f3", Context: "/ctx", Dockerfile: "Dockerfile", Status: model.StatusOK, Started: t0.Add(time.Hour)}
	if ex, err := h.Explain(cur); err != nil || ex.Previous != old.ID {
		t.Errorf("Explain: %+v, %v; want against %s", ex, err, old.ID)
	}
	var out bytes.Buffer
	n, err := h.Doctor(&out, true)
	if err != nil || n != 0 || !strings.Contains(out.String(), "newer: 0000000000f2 ("+line+")") || !strings.Contains(out.String(), "1 records readable, 0 damaged, 1 of a newer schema") {
		t.Errorf("doctor --fix: %d, %v\n%s", n, err, out.String())
	}
	if _, err := os.Stat(h.path("0000000000f2")); err != nil {
		t.Errorf("doctor --fix removed the newer record: %v", err)
	}
}
