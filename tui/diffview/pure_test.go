package diffview

import (
	"os"
	"testing"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// View only draws: waiting, failed, and the changes the Docker engine
// reported for the recorded container, moved through and scrolled,
// after resizes too.
func TestViewIsPure(t *testing.T) {
	b, err := os.ReadFile("../../testdata/cdiff/scenario/docker-diff.txt")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := cdiff.ParseDockerDiff(string(b))
	if err != nil {
		t.Fatal(err)
	}
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	c := common.Common{Width: 100, Height: 30, Styles: &styles, Keys: &keys}
	waiting := New(c, "RUN x", nil, nil)
	tuitest.Pure(t, "waiting", waiting, waiting.View)
	m := New(c, "the recorded container", changes, nil)
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"changes", nil},
		{"moved", []string{"down", "down", "down"}},
		{"far down", []string{"j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j"}},
	} {
		for _, k := range tuitest.Keys(step.keys...) {
			m.Update(k)
		}
		tuitest.Pure(t, step.name, m, m.View)
		m.SetSize(47, 11)
		tuitest.Pure(t, step.name+" after a resize", m, m.View)
		m.SetSize(100, 30)
	}
}
