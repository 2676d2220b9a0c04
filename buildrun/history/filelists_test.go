package history

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// bigBuild is a record whose COPY step read n context files, its list
// in its inputs and in its cache key.
func bigBuild(id string, n int, start time.Time, edit string) *model.Build {
	files := map[string]string{}
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("src/f%05d", i)] = fmt.Sprintf("sha256:%064x", i)
	}
	if edit != "" {
		files["src/f00000"] = edit
	}
	keyFiles := map[string]string{}
	for k, v := range files {
		keyFiles[k] = v
	}
	content := model.FileListRef(files) // stands in for BuildKit's checksum
	ran, done := start.Add(time.Second), start.Add(2*time.Second)
	return &model.Build{ID: id, Status: model.StatusOK, Started: start, Context: "/ctx", Dockerfile: "/ctx/Dockerfile",
		Stages: []model.Stage{{Name: "stage-0", Steps: []model.Step{{
			Name: "[stage-0 2/2] COPY . .", Instruction: "COPY . .", Line: 2, Digest: "sha256:" + strings.Repeat("a", 64),
			Started: &ran, Completed: &done,
			Inputs: &model.StepInputs{Text: "COPY . .", Files: files, Key: "k-" + content},
			Key: &model.CacheKey{Key: "key-" + content, Op: "{}", Inputs: []model.KeyInput{{Index: 0, Source: "local:context",
				Selector: "/", Content: content, Files: keyFiles, FilesRef: model.KeyFilesRef(content, "/")}}},
		}}}}}
}

// A record of a large context keeps its lists beside it, once: the record
// stays small, an unchanged build adds no list, Get gives the lists back,
// and removing the builds that used a list removes it.
func TestHistoryFileLists(t *testing.T) {
	t.Parallel()
	h := History{Dir: filepath.Join(t.TempDir(), "history")}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := bigBuild("aaaaaa000001", 5000, t0, "")
	b := bigBuild("bbbbbb000002", 5000, t0.Add(time.Minute), "") // the same context
	c := bigBuild("cccccc000003", 5000, t0.Add(2*time.Minute), "sha256:edited")
	for _, x := range []*model.Build{a, b, c} {
		if err := h.Save(x); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(h.path(a.ID)); err != nil || fi.Size() > 8<<10 {
		t.Fatalf("record of a 5,000-file build: %v bytes (err %v), want a few kB", fi.Size(), err)
	}
	if n := countLists(t, h); n != 4 {
		// a and b share their two (the inputs' list, named by its
		// content, and the key's, named by BuildKit's checksum); c
		// edits one file
		t.Fatalf("%d lists stored, want 4 (one per distinct list and name)", n)
	}
	got, err := h.Get(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Stages[0].Steps[0].Inputs.Files, c.Stages[0].Steps[0].Inputs.Files) ||
		!reflect.DeepEqual(got.Stages[0].Steps[0].Key.Inputs[0].Files, c.Stages[0].Steps[0].Key.Inputs[0].Files) {
		t.Fatal("Get did not give the record's lists back")
	}
	ex, err := h.Explain(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Misses) != 1 || ex.Misses[0].Reason != why.ReasonContext || len(ex.Misses[0].Detail.Files) != 1 || ex.Misses[0].Detail.Files[0] != "src/f00000" {
		t.Fatalf("explanation %+v, want the one edited file", ex.Misses)
	}

	h.ListSweepGrace = time.Nanosecond
	if _, err := h.Remove(c.ID); err != nil {
		t.Fatal(err)
	}
	if n := countLists(t, h); n != 2 {
		t.Fatalf("%d lists after removing the only build of the edited lists, want 2", n)
	}
	if _, err := h.Remove(a.ID); err != nil {
		t.Fatal(err)
	}
	if n := countLists(t, h); n != 2 {
		t.Fatalf("%d lists after removing one of the two builds sharing them, want 2", n)
	}
	if _, err := h.Remove(b.ID); err != nil {
		t.Fatal(err)
	}
	if n := countLists(t, h); n != 0 {
		t.Fatalf("%d lists left after removing every build", n)
	}
}

// A record that names a list outside the store, or one that is gone, is
// an error naming what is wrong; nothing outside the store is read.
func TestHistoryFileListHostileRef(t *testing.T) {
	h := History{Dir: filepath.Join(t.TempDir(), "history")}
	b := bigBuild("aaaaaa000001", 200, time.Now(), "")
	if err := h.Save(b); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(h.path(b.ID))
	if err != nil {
		t.Fatal(err)
	}
	hostile := strings.Replace(string(data), `"files_ref": "sha256:`, `"files_ref": "../../../etc/passwd#`, 1)
	if err := os.WriteFile(h.path(b.ID), []byte(hostile), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Get(b.ID); err == nil || !strings.Contains(err.Error(), "is not the digest of a file list") {
		t.Fatalf("error %v, want the ref refused", err)
	}
	if err := os.WriteFile(h.path(b.ID), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(h.FileLists().dir); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Get(b.ID); err == nil || !strings.Contains(err.Error(), "is missing") || !strings.Contains(err.Error(), "COPY . .") {
		t.Fatalf("error %v, want the missing list named with its step", err)
	}
}

func countLists(t *testing.T, h History) int {
	t.Helper()
	ents, err := os.ReadDir(h.FileLists().dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}
