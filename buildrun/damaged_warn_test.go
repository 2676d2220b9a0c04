package buildrun

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// rm, prune and the import of builder records list the history: a damaged
// record they skip is named, once, on the Warner the caller gives (cmd:
// standard error), as cmd's own listings do.
func TestLibraryListingsNameTheDamagedRecordsTheySkip(t *testing.T) {
	paths := state.Paths{State: t.TempDir()}
	h := history.History{Dir: paths.History()}
	now := time.Now().UTC()
	for i, id := range []string{"aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"} {
		if err := h.Save(&model.Build{ID: id, Status: model.StatusOK, Started: now.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(paths.History(), "dddddddddddd.json"), []byte(`{"id":"dddd`), 0o600); err != nil {
		t.Fatal(err)
	}
	var warned bytes.Buffer
	warn := history.NewWarner(&warned)
	if _, err := PruneHistory(context.Background(), paths, Retention{Keep: 2}, nil, warn); err != nil {
		t.Fatal(err)
	}
	if _, err := RemoveAnywhere(context.Background(), paths, "bbbb", nil, warn); err != nil {
		t.Fatal(err)
	}
	if got := warned.String(); strings.Count(got, "skipping") != 1 || !strings.Contains(got, "dddddddddddd is damaged") {
		t.Errorf("warnings: %q, want the damaged record dddddddddddd named once", got)
	}
}
