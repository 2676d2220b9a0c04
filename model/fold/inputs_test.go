package fold

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/modeltest"
)

// The recorded-inputs key is what real builds recorded (testdata/why,
// written by earlier versions): a record's keys stay comparable with the
// records already in a user's history.
func TestInputKeyAsRecorded(t *testing.T) {
	ents, err := os.ReadDir(filepath.Join("..", "testdata", "why"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		prev, cur := loadPair(t, strings.TrimSuffix(e.Name(), ".json"))
		for _, b := range []*model.Build{prev, cur} {
			if b == nil {
				continue
			}
			for si := range b.Stages {
				for k := range b.Stages[si].Steps {
					st := &b.Stages[si].Steps[k]
					if st.Inputs == nil || st.Inputs.Key == "" {
						continue
					}
					n++
					if got := inputKey(b, st, st.Inputs); got != st.Inputs.Key {
						t.Errorf("%s: %s: key %s, recorded %s", e.Name(), st.Name, got, st.Inputs.Key)
					}
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d recorded keys checked", n)
	}
}

// ADD <url> is two vertices of one name (recorded: testdata/add-http):
// the http source, which builds on nothing, and the copy, which reads it
// into the FROM's result. Their recorded parents say so; the RUN after
// builds on the copy. A source recorded as built on the FROM made why call
// a FROM evaluated for its key only "evicted", as a step built on it ran.
func TestInputsOfAnADDOfAURL(t *testing.T) {
	plan := modeltest.LoadPlan(t, "testdata/add-http/Dockerfile", nil)
	b := foldEvents(t, plan, modeltest.LoadEvents(t, "testdata/add-http/events.jsonl"))
	if err := AttachInputs(b, plan, func(string, []string) (map[string]string, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	const from, source, cp = "sha256:e63f876177d3816f9e9b7afe03f9d32a4efb077a8b13a154e5d4983a8080c42b",
		"sha256:5e61a17f6aac9aa13391d26bc1978fb53ef112fff25d426b4a3e98c3a0f562aa", "sha256:731a7a723d26da862ec858bbb5a09dba148d1733cb9b74070528db78f1851347"
	const run = "sha256:47aa5779fcc022dc3ef3882360fff715de6e141c674458394cb72aa468a247d6"
	want := map[string][]string{from: nil, source: nil, cp: {from, source}, run: {cp}}
	for _, st := range b.Stages[0].Steps {
		w, ok := want[st.Digest]
		if !ok {
			t.Errorf("unexpected step %s %s", st.Digest, st.Name)
			continue
		}
		if !slices.Equal(st.Inputs.Parents, w) {
			t.Errorf("%s %s: parents %v, want %v", st.Digest[:19], st.Name, st.Inputs.Parents, w)
		}
	}
}
