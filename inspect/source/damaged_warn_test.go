package source

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

// build:last skips the last build's record when it is damaged: the skip is said on the
// Warner the caller gives, so that "last" is never silently an older build.
func TestBuildLastNamesTheDamagedRecordItSkips(t *testing.T) {
	paths := state.Paths{State: t.TempDir()}
	h := history.History{Dir: paths.History()}
	for _, id := range []string{"aaaaaaaaaaaa", "bbbbbbbbbbbb"} { // bbbb is the last build
		if err := h.Save(&model.Build{ID: id, Status: model.StatusOK, Started: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(paths.History(), "bbbbbbbbbbbb.json"), []byte(`{"id":"bbbb`), 0o600); err != nil {
		t.Fatal(err)
	}
	var warned bytes.Buffer
	// the record has no image: opening fails after the history is listed
	_, _ = Open(context.Background(), "build:last", Options{Paths: paths, Warn: history.NewWarner(&warned)})
	if !strings.Contains(warned.String(), "bbbbbbbbbbbb is damaged") {
		t.Errorf("warnings: %q, want the damaged record bbbbbbbbbbbb named", warned.String())
	}
}
