package model_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// widen gives every step of b that copies a.txt a list of n files: the
// recorded digest of a.txt under n names (the recorded builds copy one
// file; a real context of thousands is what the store is for).
func widen(t *testing.T, b *model.Build, n int) {
	t.Helper()
	found := false
	for si := range b.Stages {
		for k := range b.Stages[si].Steps {
			s := &b.Stages[si].Steps[k]
			if s.Inputs != nil && s.Inputs.Files["a.txt"] != "" {
				d := s.Inputs.Files["a.txt"]
				for i := 0; i < n; i++ {
					s.Inputs.Files[fmt.Sprintf("pad/f%04d", i)] = d
				}
				found = true
			}
			if s.Key == nil {
				continue
			}
			for i := range s.Key.Inputs {
				ki := &s.Key.Inputs[i]
				if d := ki.Files["a.txt"]; d != "" {
					for j := 0; j < n; j++ {
						ki.Files[fmt.Sprintf("pad/f%04d", j)] = d
					}
					ki.FilesRef = model.KeyFilesRef(ki.Content, ki.Selector)
				}
			}
		}
	}
	if !found {
		t.Fatal("no step of the recorded build copies a.txt")
	}
}

// A record split into its large lists and joined back is the record it
// was, and explains the same; a small list stays inline.
func TestFileListsRoundTrip(t *testing.T) {
	prev, cur := loadPair(t, "context")
	widen(t, prev, 500)
	widen(t, cur, 500)
	want := why.Explain(cur, prev)
	store := map[string]map[string]string{}
	var splitJSON [2][]byte
	for i, b := range []*model.Build{prev, cur} {
		before := mustJSON(t, b)
		split, lists := model.SplitFileLists(b)
		if mustJSON(t, b) != before {
			t.Fatal("SplitFileLists changed the record it was given")
		}
		if len(lists) == 0 {
			t.Fatal("no list left the record")
		}
		for _, l := range lists {
			store[l.Ref] = l.Files
		}
		splitJSON[i] = []byte(mustJSON(t, split))
		if strings.Contains(string(splitJSON[i]), "pad/f0001") {
			t.Fatal("a list of 500 files stayed inline")
		}
		if n := strings.Count(string(splitJSON[i]), `"files_ref":"sha256:`); n < 2 {
			t.Fatalf("the split record names %d lists, want the inputs' and the cache key's", n)
		}
	}
	var got [2]*model.Build
	for i := range splitJSON {
		got[i] = &model.Build{}
		if err := json.Unmarshal(splitJSON[i], got[i]); err != nil {
			t.Fatal(err)
		}
		if err := model.JoinFileLists(got[i], func(ref string) (map[string]string, error) {
			m, ok := store[ref]
			if !ok {
				return nil, fmt.Errorf("no list %s", ref)
			}
			return m, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if ex := why.Explain(got[1], got[0]); !reflect.DeepEqual(ex, want) {
		t.Fatalf("explanation after the round trip differs:\n got %+v\nwant %+v", ex.Misses, want.Misses)
	}
	// the recorded pair as it is (one file a step) stays inline
	prev, _ = loadPair(t, "context")
	split, lists := model.SplitFileLists(prev)
	if len(lists) != 0 {
		t.Fatalf("%d small lists left the record", len(lists))
	}
	if a, b := mustJSON(t, split), mustJSON(t, prev); a != b {
		t.Fatal("a record with small lists changed when split")
	}
}

// A list the store cannot give is an error naming the step, never an
// empty list (why would then see every file as removed).
func TestJoinFileListsMissing(t *testing.T) {
	prev, _ := loadPair(t, "context")
	widen(t, prev, 200)
	split, _ := model.SplitFileLists(prev)
	err := model.JoinFileLists(split, func(string) (map[string]string, error) { return nil, fmt.Errorf("gone") })
	if err == nil || !strings.Contains(err.Error(), "COPY a.txt") || !strings.Contains(err.Error(), "gone") {
		t.Fatalf("error %v, want one naming the step and the cause", err)
	}
}

// Equal lists have equal refs, whatever order they were built in; a
// changed digest changes the ref.
func TestFileListRef(t *testing.T) {
	a := map[string]string{"x": "sha256:1", "y/z": "sha256:2"}
	b := map[string]string{"y/z": "sha256:2", "x": "sha256:1"}
	if model.FileListRef(a) != model.FileListRef(b) {
		t.Fatal("equal lists, different refs")
	}
	b["x"] = "sha256:3"
	if model.FileListRef(a) == model.FileListRef(b) {
		t.Fatal("different lists, equal refs")
	}
	// a name cannot run into its digest
	if model.FileListRef(map[string]string{"a": "bc"}) == model.FileListRef(map[string]string{"ab": "c"}) {
		t.Fatal("ambiguous encoding")
	}
	if model.KeyFilesRef("sha256:1", "/a") == model.KeyFilesRef("sha256:1", "/b") {
		t.Fatal("the selector does not name the key's list")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
