package layersview

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

func layer(t *testing.T, files map[string]string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range []string{"app/", "app/big.bin", "app/config.txt", "app/.wh.old.txt", "app/old.txt", "etc/", "etc/motd"} {
		body, ok := files[name]
		if !ok {
			continue
		}
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}
		if strings.HasSuffix(name, "/") {
			h = &tar.Header{Name: name, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		tw.WriteHeader(h)
		io.WriteString(tw, body)
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// analysed is the image of ls, its layer list and its analysis.
func analysed(t *testing.T, ls ...v1.Layer) (v1.Image, []layers.LayerInfo, *layers.Analysis) {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	infos, a := analyse(t, img)
	return img, infos, a
}

// analyse is img's layer list and analysis.
func analyse(t *testing.T, img v1.Image) ([]layers.LayerInfo, *layers.Analysis) {
	t.Helper()
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

func press(s string) tea.KeyPressMsg { return tuitest.Key(s) }

func TestInspectorStreamsAndBrowses(t *testing.T) {
	img, err := mutate.AppendLayers(empty.Image,
		layer(t, map[string]string{"app/": "", "app/old.txt": "old", "app/config.txt": "debug=true\n", "etc/": "", "etc/motd": "hi\n"}),
		layer(t, map[string]string{"app/": "", "app/.wh.old.txt": "", "app/big.bin": strings.Repeat("x", 5000), "app/config.txt": "debug=false\n"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := layers.Describe(img)
	if err != nil {
		t.Fatal(err)
	}
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	released := 0
	sess := Start(context.Background(), 1, img, func() { released++ })
	m := New(common.Common{Width: 100, Height: 30, Styles: &styles, Keys: &keys}, Options{Title: "test", Infos: infos, Session: sess})
	screen := func() string { return ansi.Strip(m.View()) }
	// the first frame has the layer list before any layer is read
	if s := screen(); !strings.Contains(s, "2 layers") || !strings.Contains(s, "reading layers… 0/2") {
		t.Fatalf("first frame:\n%s", s)
	}
	// the view re-arms the stream after each message, until the analysis is done
	for cmd := m.Init(); cmd != nil; {
		msg := cmd()
		if msg == nil {
			t.Fatal("the stream ended before the analysis was done")
		}
		cmd = m.Update(msg)
		if _, done := msg.(DoneMsg); done {
			break
		}
	}
	if m.Analysis() == nil {
		t.Fatalf("no analysis: %v", m.err)
	}
	if s := screen(); !strings.Contains(s, "wasted") || !strings.Contains(s, "/app/config.txt ×2") {
		t.Errorf("details:\n%s", s)
	}
	// layer 1, aggregated: old.txt removed, big.bin added, config.txt modified
	m.Update(press("down"))
	m.Update(press("tab"))
	m.Update(press("enter")) // expand app/
	s := screen()
	for _, want := range []string{"▾ app/", "A -rw-r--r--", "big.bin", "M -rw-r--r--", "config.txt", "R ", "old.txt", "▸ etc/"} {
		if !strings.Contains(s, want) {
			t.Errorf("layer 1 tree lacks %q:\n%s", want, s)
		}
	}
	m.Update(press("u")) // changed only: etc/ goes
	if s := screen(); strings.Contains(s, "etc/") {
		t.Errorf("unmodified etc/ shown with u:\n%s", s)
	}
	for _, k := range []string{"/", "c", "o", "n", "f", "enter"} {
		m.Update(press(k))
	}
	if s := screen(); !strings.Contains(s, "config.txt") || strings.Contains(s, "big.bin") {
		t.Errorf("filter /conf/:\n%s", s)
	}
	// preview of the selected file: the cursor is on app/, move to config.txt
	m.Update(press("down"))
	cmd := m.Update(press("p"))
	if cmd == nil {
		t.Fatal("no preview command")
	}
	m.Update(cmd())
	if s := screen(); !strings.Contains(s, "debug=false") {
		t.Errorf("preview:\n%s", s)
	}
	m.Update(press("L"))
	if s := screen(); !strings.Contains(s, "Largest files") || !strings.Contains(s, "/app/big.bin") {
		t.Errorf("largest:\n%s", s)
	}
	if released != 0 {
		t.Errorf("image released %d times while shown", released)
	}
	if cmd := m.Close(); cmd == nil {
		t.Error("closing gave no command to release the image")
	} else {
		cmd()
	}
	if released != 1 {
		t.Errorf("image released %d times after Close, want 1", released)
	}
	if cmd := sess.Preview(1, "app/config.txt"); cmd() != nil {
		t.Error("a released image was read for a preview")
	}
}

// Messages of an earlier session (an image the view no longer shows) are
// dropped and not re-armed; the current session's are taken.
func TestInspectorDropsStaleGenerations(t *testing.T) {
	img, infos, stale := analysed(t, layer(t, map[string]string{"etc/": "", "etc/motd": "hi\n"}))
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	sess := Start(context.Background(), 2, img, nil)
	defer sess.Release()
	m := New(common.Common{Width: 100, Height: 30, Styles: &styles, Keys: &keys}, Options{Title: "t", Infos: infos, Session: sess})
	if cmd := m.Update(LayerMsg{Gen: 1, Layer: stale.Layers[0]}); cmd != nil || len(m.analysed) != 0 {
		t.Errorf("stale layer taken (%d analysed) or re-armed (%v)", len(m.analysed), cmd != nil)
	}
	m.Update(DoneMsg{Gen: 1, Analysis: stale})
	m.Update(PreviewMsg{Gen: 1, Path: "etc/motd", Text: "stale"})
	if m.Analysis() != nil || m.preview.Text != "" {
		t.Errorf("stale analysis or preview taken: %v %q", m.Analysis() != nil, m.preview.Text)
	}
	if cmd := m.Update(LayerMsg{Gen: 2, Layer: stale.Layers[0]}); cmd == nil || len(m.analysed) != 1 {
		t.Errorf("current layer not taken (%d analysed) or not re-armed", len(m.analysed))
	}
	m.Update(DoneMsg{Gen: 2, Analysis: stale})
	if m.Analysis() != stale {
		t.Error("current analysis not taken")
	}
}

// A closed session's analysis stops even though nobody reads its stream:
// its goroutine does not block on a view that is gone, and the image is
// released once it has stopped.
func TestSessionCloseUnblocksAnalysis(t *testing.T) {
	var ls []v1.Layer
	for i := 0; i < 40; i++ { // more layers than the stream buffers
		ls = append(ls, layer(t, map[string]string{"etc/": "", "etc/motd": "hi\n"}))
	}
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	sess := Start(context.Background(), 1, img, func() { close(released) })
	first := sess.Next()()
	if _, ok := first.(LayerMsg); !ok {
		t.Fatalf("first message %T", first)
	}
	sess.Close()() // waits for the analysis to stop, then releases
	select {
	case <-released:
	default:
		t.Fatal("the image was not released")
	}
	if msg := sess.Next()(); msg != nil {
		t.Errorf("a closed session still streams %T", msg)
	}
}

// The mouse picks a layer, picks a tree row, expands a directory with a
// second click and scrolls the tree.
func TestInspectorMouse(t *testing.T) {
	_, infos, a := analysed(t,
		layer(t, map[string]string{"app/": "", "app/config.txt": "a\n", "etc/": "", "etc/motd": "hi\n"}),
		layer(t, map[string]string{"app/": "", "app/big.bin": "xx"}))
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	m := New(common.Common{Width: 100, Height: 30, Styles: &styles, Keys: &keys}, Options{Title: "t", Infos: infos})
	m.Update(DoneMsg{Analysis: a})
	lineOf := func(want string) int {
		for y, l := range strings.Split(ansi.Strip(m.View()), "\n") {
			if strings.Contains(l, want) {
				return y
			}
		}
		t.Fatalf("%q not on screen:\n%s", want, ansi.Strip(m.View()))
		return -1
	}
	m.Update(tea.MouseClickMsg{Y: lineOf("  1 "), Button: tea.MouseLeft})
	if m.layer != 1 {
		t.Errorf("clicked layer 1, selected %d", m.layer)
	}
	y := lineOf("▸ app/")
	m.Update(tea.MouseClickMsg{Y: y, Button: tea.MouseLeft})
	m.Update(tea.MouseClickMsg{Y: y, Button: tea.MouseLeft})
	if s := ansi.Strip(m.View()); !strings.Contains(s, "▾ app/") || !strings.Contains(s, "big.bin") {
		t.Errorf("two clicks did not expand app/:\n%s", s)
	}
	m.Update(tea.MouseWheelMsg{Y: y + 1, Button: tea.MouseWheelDown})
	if m.cursor == 0 {
		t.Error("the wheel did not move down the tree")
	}
}

// The standalone program: its header, help bar with '?' for every key,
// a click on the screen's row (below the header), and q to quit.
func TestInspectorApp(t *testing.T) {
	_, infos, a := analysed(t,
		layer(t, map[string]string{"etc/": "", "etc/motd": "hi\n"}),
		layer(t, map[string]string{"app/": "", "app/big.bin": "xx"}))
	app := NewApp(Options{Title: "img:1", Infos: infos})
	app.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
	app.Update(DoneMsg{Analysis: a})
	screen := func() string { return ansi.Strip(app.View().Content) }
	s := screen()
	if !strings.HasPrefix(s, "buildscope inspect img:1") || !strings.Contains(s, "? help") {
		t.Fatalf("header or help bar missing:\n%s", s)
	}
	if n := strings.Count(s, "\n") + 1; n > 24 {
		t.Fatalf("frame of %d lines on a 24-line terminal", n)
	}
	app.Update(press("?"))
	if s := screen(); !strings.Contains(s, "page up") || strings.Count(s, "\n")+1 > 24 {
		t.Fatalf("'?' did not show every key within the frame:\n%s", s)
	}
	y := -1
	for i, l := range strings.Split(screen(), "\n") {
		if strings.HasPrefix(l, "  1 ") {
			y = i
		}
	}
	app.Update(tea.MouseClickMsg{Y: y, Button: tea.MouseLeft})
	if app.Screen.layer != 1 {
		t.Errorf("click on the terminal's row %d selected layer %d, want 1", y, app.Screen.layer)
	}
	if _, cmd := app.Update(press("q")); cmd == nil || cmd() != tea.Quit() {
		t.Error("q did not quit")
	}
	app.Update(press("/"))
	if _, cmd := app.Update(press("q")); cmd != nil {
		t.Error("q typed into the filter quit the program")
	}
}
