package buildui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/inspectopen"
	"github.com/buildscope/buildscope/tui/layersview"
)

// finishedEngineBuild is the UI after an engine build that kept its image.
func finishedEngineBuild(t *testing.T) *Model {
	t.Helper()
	events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, time.Second)
	feed(m, events)
	b := m.folder.Build()
	b.ID, b.Status, b.Result = "abc", model.StatusOK, &model.ResultRef{Kind: model.ResultDocker, Ref: "example:latest"}
	m.Update(DoneMsg{Build: b})
	return m
}

// fakeEngine opens an image as an engine build's is opened: "saved" to a
// temp file in dir, which the Inspection's Close removes.
type fakeEngine struct {
	t      *testing.T
	dir    string
	img    v1.Image
	opened int
}

func newFakeEngine(t *testing.T) *fakeEngine {
	img, err := random.Image(512, 3)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeEngine{t: t, dir: t.TempDir(), img: img}
}

func (f *fakeEngine) open(_ context.Context, id string) (*Inspection, error) {
	f.opened++
	tmp, err := os.CreateTemp(f.dir, "buildscope-save-*.tar")
	if err != nil {
		return nil, err
	}
	tmp.Close()
	infos, err := layers.Describe(f.img)
	if err != nil {
		return nil, err
	}
	return &Inspection{Title: "build:" + id, Infos: infos, Image: f.img, Close: func() { os.Remove(tmp.Name()) }}, nil
}

// withFakeEngine is a finished engine build whose image opens from a
// fake engine.
func withFakeEngine(t *testing.T) (*Model, *fakeEngine) {
	m, eng := finishedEngineBuild(t), newFakeEngine(t)
	m.opts.Inspect = eng.open
	return m, eng
}

// noneSaved fails the test when an engine save is left in dir after what.
func noneSaved(t *testing.T, dir, after string) {
	t.Helper()
	if left := saved(t, dir); len(left) != 0 {
		t.Errorf("%s left %v", after, left)
	}
}

// saved lists the temp files an engine save left in dir.
func saved(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "buildscope-save-*.tar"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// run runs cmd as the program would, one command at a time: every
// message goes through Update, and the commands Update returns run in
// turn, until none is left.
func run(m *Model, cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// i on an engine build opens its image in a command, not in Update: the
// screen says it is opening until the image is there; leaving the
// inspector releases the image (its temp file), also after reopening.
func TestInspectorOpensInACommandAndReleases(t *testing.T) {
	m, eng := withFakeEngine(t)
	for round := 1; round <= 3; round++ {
		_, cmd := m.Update(press("i"))
		if cmd == nil {
			t.Fatal("i returned no command: the image would be opened in Update")
		}
		if eng.opened != round-1 {
			t.Fatalf("the image was opened in Update (%d opens)", eng.opened)
		}
		if s := screen(m); m.view != viewInspect || !strings.Contains(s, "opening build:abc…") {
			t.Fatalf("round %d: no loading state before the image is open:\n%s", round, s)
		}
		run(m, cmd)
		if s := screen(m); !strings.Contains(s, "efficiency") || !strings.Contains(s, "3 layers") {
			t.Fatalf("round %d: inspector after the analysis:\n%s", round, s)
		}
		if n := len(saved(t, eng.dir)); n != 1 {
			t.Fatalf("round %d: %d saved images while the inspector shows one", round, n)
		}
		_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
		if m.view != viewBuild {
			t.Fatalf("esc went to view %v", m.view)
		}
		run(m, cmd)
		if left := saved(t, eng.dir); len(left) != 0 {
			t.Fatalf("round %d: leaving the inspector left %v", round, left)
		}
	}
	// quitting from the inspector: the program's end closes it
	_, cmd := m.Update(press("i"))
	run(m, cmd)
	if _, cmd := m.Update(press("q")); cmd == nil {
		t.Fatal("q in the inspector does not quit")
	}
	m.Close()
	noneSaved(t, eng.dir, "quitting from the inspector")
}

// An image that finishes opening after its inspector was left is closed
// at once; messages of an earlier inspector's image (its generation) are
// dropped, and its session is closed.
func TestInspectorDropsStaleImages(t *testing.T) {
	m, eng := withFakeEngine(t)
	_, first := m.Update(press("i"))
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape}) // left before the image is open
	_, second := m.Update(press("i"))
	run(m, first) // the first open completes late
	if left := saved(t, eng.dir); len(left) != 0 || m.lv != nil {
		t.Fatalf("a late image of a left inspector was kept (files %v, view %v)", left, m.lv != nil)
	}
	if s := screen(m); !strings.Contains(s, "opening build:abc…") {
		t.Fatalf("the second inspector is not loading any more:\n%s", s)
	}
	run(m, second)
	want := screen(m)
	if !strings.Contains(want, "efficiency") {
		t.Fatalf("second inspector:\n%s", want)
	}
	// a session of an earlier generation, and its stream, arrive late
	released := false
	stale := layersview.Start(context.Background(), m.lvGen-1, eng.img, func() { released = true })
	_, cmd := m.Update(inspectopen.Msg{Gen: m.lvGen - 1, Title: "build:old", Sess: stale})
	if cmd == nil {
		t.Fatal("a stale image was not closed")
	}
	run(m, cmd)
	if !released {
		t.Error("a stale image was not released")
	}
	a, err := layers.Analyze(context.Background(), eng.img, layers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []tea.Msg{
		layersview.LayerMsg{Gen: m.lvGen - 1, Layer: a.Layers[0]},
		layersview.DoneMsg{Gen: m.lvGen - 1, Err: context.Canceled},
		layersview.PreviewMsg{Gen: m.lvGen - 1, Path: "x", Text: "stale"},
	} {
		if _, cmd := m.Update(msg); cmd != nil {
			t.Errorf("a stale %T re-armed the stream", msg)
		}
	}
	if got := screen(m); got != want {
		t.Errorf("stale messages changed the inspector:\n%s\n--- want\n%s", got, want)
	}
	m.Close()
}

// The inspector's help comes from the key map (its / filters paths, it
// does not search logs), and while the filter is typed every key goes to
// it: c, s and d do not switch views, esc closes the filter, not the
// inspector.
func TestInspectorKeysAndHelp(t *testing.T) {
	m := finishedEngineBuild(t)
	m.opts.Why = func(*model.Build) (*why.Explanation, error) { return &why.Explanation{}, nil }
	eng := newFakeEngine(t)
	m.opts.Inspect = eng.open
	_, cmd := m.Update(press("i"))
	run(m, cmd)
	s := screen(m)
	if help := s[strings.LastIndex(s, "\n")+1:]; !strings.Contains(help, "/ filter paths") || strings.Contains(help, "search logs") ||
		!strings.Contains(help, "esc back") {
		t.Errorf("inspector help line: %q", help)
	}
	for _, k := range []string{"/", "c", "s", "d"} {
		m.Update(press(k))
	}
	if m.view != viewInspect || !strings.Contains(screen(m), "filter (regex): csd") {
		t.Fatalf("typing into the filter left the inspector (view %v):\n%s", m.view, screen(m))
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.view != viewInspect {
		t.Fatal("esc in the filter left the inspector")
	}
	_, cmd = m.Update(press("c"))
	if m.view != viewCache {
		t.Fatalf("c in the inspector went to view %v", m.view)
	}
	run(m, cmd)
	noneSaved(t, eng.dir, "going to the cache view from the inspector")
}

// The program can end between an image being opened and its message
// reaching Update: Close releases that image too.
func TestCloseReleasesAnImageNeverDelivered(t *testing.T) {
	m, eng := withFakeEngine(t)
	_, cmd := m.Update(press("i"))
	msgs := drain(cmd) // the image opens; the program ends before Update sees it
	if len(msgs) != 1 || len(saved(t, eng.dir)) != 1 {
		t.Fatalf("open gave %v, files %v", msgs, saved(t, eng.dir))
	}
	m.Close()
	if left := saved(t, eng.dir); len(left) != 0 {
		t.Errorf("an image opened as the program ended was left: %v", left)
	}
	// an image opening while the model closes is released when it opens
	m = finishedEngineBuild(t)
	m.opts.Inspect = eng.open
	_, cmd = m.Update(press("i"))
	m.Close()
	if msgs := drain(cmd); len(msgs) != 1 || msgs[0] != nil {
		t.Errorf("an image opened after Close was delivered: %v", msgs)
	}
	if left := saved(t, eng.dir); len(left) != 0 {
		t.Errorf("an image opened after Close was left: %v", left)
	}
}
