package fold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model"
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
