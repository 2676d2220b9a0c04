package compareview

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// recorded is `compare --json --content` of two real builds of a
// two-stage Dockerfile changed in between (a file added, one removed,
// two changed in a shared directory, an ENV change, a larger layer).
func recorded(t *testing.T) *compare.Result {
	t.Helper()
	var r compare.Result
	tuitest.LoadJSON(t, "testdata/two-builds.json", &r)
	return &r
}

func press(s string) tea.KeyPressMsg { return tuitest.Key(s) }

// app is the program model showing r at w×h, as `buildscope compare`
// shows it.
func app(r *compare.Result, w, h int) *App {
	a := NewApp(Options{A: r.A, B: r.B})
	a.Update(tea.WindowSizeMsg{Width: w, Height: h})
	a.Update(DoneMsg{Result: r})
	return a
}

func keys(a *App, ks ...string) {
	for _, k := range ks {
		if k == "" {
			continue
		}
		if len(k) > 1 && k != "tab" && k != "enter" && k != "esc" && k != "down" {
			for _, r := range k {
				a.Update(press(string(r)))
			}
			continue
		}
		a.Update(press(k))
	}
}

func screen(a *App) string { return ansi.Strip(a.View().Content) }

// Golden screens of the recorded comparison at two sizes: the summary
// and the top of the tree, directories opened, a file's details with its
// recorded content diff, a step's why, the filters. Update with
// `go test ./tui/compareview -update`.
func TestGoldenScreens(t *testing.T) {
	r := recorded(t)
	diffOf := map[string]string{}
	for _, f := range r.Image.Files {
		diffOf[f.Path] = f.Diff
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		for _, tc := range []struct {
			name string
			keys []string
		}{
			{"start", nil},
			{"expanded", []string{"down", "enter", "down", "enter"}},
			{"file", []string{"down", "enter", "down", "enter", "down", "enter"}},
			{"step", []string{"tab", "down", "down", "enter"}},
			{"changed-only", []string{"u", "down", "enter", "down", "enter"}},
			{"largest", []string{"L"}},
			{"filter", []string{"/", "conf", "enter"}},
			{"help", []string{"?"}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				a := app(r, size[0], size[1])
				keys(a, tc.keys...)
				if a.Screen.diff.Path == "" && a.Screen.detail && a.Screen.focus == focusFiles {
					t.Fatal("a file opened without a session waits for no diff")
				}
				if tc.name == "file" {
					p := a.Screen.rows[a.Screen.cursor].n.path
					a.Update(DiffMsg{Path: p, Diff: diffOf[p]})
				}
				golden.RequireEqual(t, screen(a))
			})
		}
	}
}

// Every frame fits the terminal, whatever its size and the keys pressed.
func TestFramesFit(t *testing.T) {
	r := recorded(t)
	for _, size := range [][2]int{{20, 5}, {40, 10}, {80, 24}, {200, 60}} {
		a := app(r, size[0], size[1])
		for _, k := range []string{"", "down", "enter", "down", "enter", "down", "enter", "tab", "enter", "o", "L", "u", "/", "x", "enter", "esc", "?"} {
			keys(a, k)
			lines := strings.Split(screen(a), "\n")
			if len(lines) > size[1] {
				t.Fatalf("%dx%d after %q: %d lines", size[0], size[1], k, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Fatalf("%dx%d after %q: a line of %d cells: %q", size[0], size[1], k, w, l)
				}
			}
		}
	}
}

// A message of an earlier session is dropped; the filters keep what
// they say.
func TestFiltersAndGenerations(t *testing.T) {
	r := recorded(t)
	a := app(r, 100, 30)
	a.Update(DoneMsg{Gen: 7, Err: fmt.Errorf("stale")})
	if a.Screen.Err() != nil {
		t.Fatal("a stale message was taken")
	}
	if got := a.Screen.root.count; got != len(r.Image.Files) {
		t.Fatalf("tree holds %d changes, want %d", got, len(r.Image.Files))
	}
	keys(a, "u", "L") // the largest changes list every change kept
	for _, row := range a.Screen.rows {
		if row.n.change.Kind != "C" {
			t.Errorf("changed only shows %s", row.n.change)
		}
	}
	keys(a, "L")
	want := 0
	for _, f := range r.Image.Files {
		if f.Kind == "C" {
			want++
		}
	}
	if a.Screen.root.count != want {
		t.Errorf("changed only: %d, want %d", a.Screen.root.count, want)
	}
	keys(a, "u", "/", "c\\.conf$", "enter")
	if a.Screen.root.count != 1 || !strings.Contains(screen(a), "c.conf") {
		t.Errorf("filter c.conf: %d changes\n%s", a.Screen.root.count, screen(a))
	}
}

// The session opens two real images (docker-save tars), compares them in
// a command, and reads a changed file's content diff in another.
func TestSessionComparesAndDiffs(t *testing.T) {
	dir := t.TempDir()
	base := imagetest.Members("etc/", "etc/keep=k")
	a := imagetest.WriteDockerSave(t, dir, imagetest.Image(t, base, imagetest.Members("etc/conf=one\n")), "a:1")
	b := imagetest.WriteDockerSave(t, t.TempDir(), imagetest.Image(t, base, imagetest.Members("etc/conf=two\n", "etc/new=x")), "b:1")
	s := Start(context.Background(), 3, a, b, compare.Options{}, source.Options{})
	defer s.Release()
	m := New(common.NewChrome().Common(), Options{A: a, B: b, Session: s})
	m.SetSize(100, 30)
	m.Update(m.Init()())
	if m.Err() != nil || m.Result() == nil {
		t.Fatalf("comparison: %v", m.Err())
	}
	m.Update(press("enter")) // open etc/
	m.Update(press("down"))
	cmd := m.Update(press("enter"))
	if cmd == nil {
		t.Fatalf("enter on %s asked for no diff", m.rows[m.cursor].n.path)
	}
	m.Update(cmd())
	if !strings.Contains(m.View(), "-one") || !strings.Contains(m.View(), "+two") {
		t.Errorf("no content diff of /etc/conf:\n%s", m.View())
	}
}

// A comparison that failed says why, in one line, and the program
// returns the error once the user quits.
func TestFailedComparison(t *testing.T) {
	a := NewApp(Options{A: "x", B: "y"})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 10})
	a.Update(DoneMsg{Err: fmt.Errorf("opening image a (x): no such image")})
	if !strings.Contains(screen(a), "compare failed: opening image a (x): no such image") || a.Screen.Err() == nil {
		t.Errorf("failure not shown:\n%s", screen(a))
	}
	keys(a, "down", "enter", "tab", "u", "L")
	if !strings.Contains(screen(a), "compare failed") {
		t.Errorf("keys on a failed comparison:\n%s", screen(a))
	}
}

// The steps' count is of the steps listed: where they all fit, every one
// is listed (the view fills its height before it cuts them); where they
// do not, the title says which are shown.
func TestStepsCountIsWhatIsListed(t *testing.T) {
	r := recorded(t)
	n := len(r.Build.Steps)
	for _, size := range [][2]int{{120, 40}, {80, 24}, {80, 16}} {
		s := screen(app(r, size[0], size[1]))
		listed, in := 0, false
		for _, l := range strings.Split(s, "\n") {
			switch {
			case strings.HasPrefix(l, "Steps") || strings.HasPrefix(l, "▸ Steps"):
				in = true
			case strings.HasPrefix(l, "───"):
				in = false
			case in:
				listed++
			}
		}
		window := strings.Contains(s, " shown")
		if !strings.Contains(s, fmt.Sprintf("%d matched", n)) || (listed != n) != window {
			t.Errorf("%dx%d: %d matched, %d listed, window said: %v\n%s", size[0], size[1], n, listed, window, s)
		}
	}
}
