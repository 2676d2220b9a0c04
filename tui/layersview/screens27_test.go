package layersview

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
)

// The mode column is ten cells as ls -l writes it, the sticky and setid
// bits in the x places: /tmp is drwxrwxrwt, not Go's dtrwxrwxrwx.
func TestModeColumnAsLs(t *testing.T) {
	for mode, want := range map[fs.FileMode]string{
		fs.ModeDir | fs.ModeSticky | 0o777: "drwxrwxrwt",
		fs.ModeDir | fs.ModeSticky | 0o776: "drwxrwxrwT",
		fs.ModeSetuid | 0o755:              "-rwsr-xr-x",
		fs.ModeSetgid | 0o745:              "-rwxr-Sr-x",
		fs.ModeSymlink | 0o777:             "lrwxrwxrwx",
		0o644:                              "-rw-r--r--",
	} {
		if got := modeString(mode); got != want {
			t.Errorf("%v: %q, want %q", mode, got, want)
		}
	}
}

// opened is a model over a two-layer image, analysed.
func opened(t *testing.T) *Model {
	img, err := mutate.AppendLayers(empty.Image,
		layer(t, map[string]string{"app/": "", "app/config.txt": "a\tb\n", "etc/": "", "etc/motd": "hi\n"}),
		layer(t, map[string]string{"app/": "", "app/big.bin": strings.Repeat("x", 5000)}),
	)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := layers.Describe(img)
	if err != nil {
		t.Fatal(err)
	}
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	sess := Start(context.Background(), 1, img, func() {})
	t.Cleanup(func() { sess.Release() })
	m := New(common.Common{Width: 100, Height: 30, Styles: &styles, Keys: &keys}, Options{Title: "test", Infos: infos, Session: sess})
	for cmd := m.Init(); cmd != nil; {
		msg := cmd()
		cmd = m.Update(msg)
		if _, done := msg.(DoneMsg); done || msg == nil {
			break
		}
	}
	return m
}

// L's title closes what it opens; g and G (Home, End) move in the Files
// pane; a previewed file's tabs are drawn as spaces.
func TestInspectorTitleTopAndTabs(t *testing.T) {
	m := opened(t)
	m.Update(press("L"))
	if s := ansi.Strip(m.View()); !strings.Contains(s, "Largest files as of layer 0") || strings.Contains(s, "layer 0)") {
		t.Errorf("L title:\n%s", s)
	}
	m.Update(press("L"))
	m.focus = focusTree
	m.Update(press("G"))
	if m.cursor == 0 {
		t.Fatal("G did not move to the bottom of the Files pane")
	}
	m.Update(press("home"))
	if m.cursor != 0 {
		t.Fatalf("home left the cursor at %d", m.cursor)
	}
	m.preview = PreviewMsg{Gen: m.held.Gen(), Path: "/app/config.txt", Text: "a\tb\n"}
	if got := m.previewLines(5)[0]; got != "a       b" {
		t.Errorf("preview of a tab: %q", got)
	}
}

// Golden screens of the standalone inspector on the recorded scenario
// image at 80x24 and 200x60: the start, the tree opened, L, and ? (every
// key, the footer's ? and q). Update with `go test ./tui/layersview -update`.
func TestGoldenInspector(t *testing.T) {
	infos, a := recordedImage(t)
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		for _, tc := range []struct {
			name string
			keys []string
		}{{"start", nil}, {"open", []string{"enter", "G", "enter"}}, {"largest", []string{"L"}}, {"help", []string{"?"}}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				app := NewApp(Options{Title: "build:0524017c190f", Infos: infos})
				app.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				app.Update(DoneMsg{Analysis: a})
				for _, k := range tc.keys {
					app.Update(press(k))
				}
				golden.RequireEqual(t, ansi.Strip(app.View().Content))
			})
		}
	}
}
