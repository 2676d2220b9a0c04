package layersview

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// recordedImage is the image of the recorded container scenario
// (testdata/cdiff/record.sh), from its real layer tars, with its layer
// list and analysis.
func recordedImage(t *testing.T) ([]layers.LayerInfo, *layers.Analysis) {
	t.Helper()
	names, err := filepath.Glob("../../testdata/cdiff/scenario/image-*.tar")
	if err != nil || len(names) == 0 {
		t.Fatalf("no recorded image layers: %v", err)
	}
	sort.Strings(names)
	var ls []v1.Layer
	for _, n := range names {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return os.Open(n) })
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := layers.Describe(img)
	if err != nil {
		t.Fatal(err)
	}
	a, err := layers.Analyze(context.Background(), img, layers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return infos, a
}

// View only draws (it no longer records where it put the list and the
// tree for the mouse): in every state the keys reach, as a sub-view and
// as the standalone program, after resizes too.
func TestViewIsPure(t *testing.T) {
	infos, a := recordedImage(t)
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	m := New(common.Common{Width: 100, Height: 30, Styles: &styles, Keys: &keys}, Options{Title: "recorded", Infos: infos})
	app := NewApp(Options{Title: "recorded", Infos: infos})
	app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	tuitest.Pure(t, "reading", m, m.View)
	m.Update(DoneMsg{Analysis: a})
	app.Update(DoneMsg{Analysis: a})
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"analysed", nil},
		{"last layer", []string{"down", "down"}},
		{"tree", []string{"tab", "down", "enter", "down", "down"}},
		{"layer only, by size", []string{"a", "o"}},
		{"changed only", []string{"u"}},
		{"filter", []string{"/", "d", "a", "t", "a", "enter"}},
		{"largest", []string{"L", "down"}},
		{"preview", []string{"p"}},
	} {
		for _, k := range tuitest.Keys(step.keys...) {
			m.Update(k)
			app.Update(k)
		}
		tuitest.Pure(t, step.name, m, m.View)
		tuitest.Pure(t, step.name+", program", app, func() string { return app.View().Content })
		m.SetSize(57, 13)
		app.Update(tea.WindowSizeMsg{Width: 57, Height: 13})
		tuitest.Pure(t, step.name+" after a resize", m, m.View)
		tuitest.Pure(t, step.name+", program after a resize", app, func() string { return app.View().Content })
		m.SetSize(100, 30)
		app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	}
}
