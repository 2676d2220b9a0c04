package buildui

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/buildscope/buildscope/tui/tuitest"
)

// opposite is the key that undoes a move: a move key that changes
// nothing where the view starts (up at the top) must change it once the
// opposite moved away.
var opposite = map[string]string{"up": "down", "down": "up", "left": "right", "right": "left", "pgup": "pgdown",
	"pgdown": "pgup", "g": "G", "G": "g", "n": "N", "N": "n", "+": "-", "-": "+"}

// offeredKeys are the keys the footer and the full help (?) of what m
// shows offer.
func offeredKeys(m *Model) []string {
	seen := map[string]bool{}
	var out []string
	add := func(bs []key.Binding) {
		for _, b := range bs {
			if k := b.Keys(); len(k) > 0 && !seen[k[0]] {
				seen[k[0]] = true
				out = append(out, k[0])
			}
		}
	}
	add(m.helpKeys().ShortHelp())
	m.showHelp = true
	for _, g := range m.helpKeys().FullHelp() {
		add(g)
	}
	m.showHelp = false
	return out
}

// at makes state st's model and goes to the view that path's keys open.
func at(t *testing.T, st uiState, path []string) *Model {
	m := st.make(t, 100, 30)
	for _, k := range path {
		_, cmd := m.Update(tuitest.Key(k))
		settleAll(m, cmd, 200)
	}
	return m
}

// press presses k on m and runs what it starts (at most 200 messages);
// it says whether the screen changed or the program quit.
func pressChanges(m *Model, k string) bool {
	before := m.Render()
	_, cmd := m.Update(tuitest.Key(k))
	quit := settleAll(m, cmd, 200)
	return quit || m.Render() != before
}

// Every key that the footer or the full help offers, in every view the
// build UI reaches in every state it can be in, changes the screen (or
// quits) within a bounded number of messages: no key offered is a
// silent no-op. One whose work cannot be done says why on screen.
func TestEveryOfferedKeyDoesSomething(t *testing.T) {
	for _, st := range append(uiStates(), stepShellStates()...) {
		views := [][]string{nil}
		for _, k := range offeredKeys(st.make(t, 100, 30)) {
			if k == "c" || k == "s" || k == "d" || k == "i" || k == "t" {
				views = append(views, []string{k})
			}
		}
		for _, path := range views {
			name := fmt.Sprintf("%s/%s", st.name, strings.Join(append([]string{"build"}, path...), ">"))
			t.Run(name, func(t *testing.T) {
				for _, k := range offeredKeys(at(t, st, path)) {
					if pressChanges(at(t, st, path), k) {
						continue
					}
					if o, ok := opposite[k]; ok {
						m := at(t, st, path)
						pressChanges(m, o)
						if pressChanges(m, k) {
							continue
						}
					}
					t.Errorf("%s: %q is offered and does nothing:\n%s", name, k, screen(at(t, st, path)))
				}
			})
		}
	}
}
