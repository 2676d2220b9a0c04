package diffview

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/tui/common"
)

// File names and file contents came from the image: the tree, the title
// and the content diff show them escaped (model.Printable), tabs as
// spaces; an OSC in a name or a line reached the terminal raw.
func TestNamesAndContentEscaped(t *testing.T) {
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	const osc = "\x1b]0;pwned\x07"
	changes := []cdiff.Change{{Kind: cdiff.Added, Path: "/etc/motd" + osc,
		Diff: "@@ -0,0 +1 @@\n+hello" + osc + "\n+\tindented\n"}}
	m := New(common.Common{Width: 120, Height: 20, Styles: &styles, Keys: &keys}, "RUN x", changes, nil)
	raw := m.View()
	if strings.Contains(raw, "\x1b]0;") || strings.Contains(raw, "\x07") || strings.Contains(raw, "\t") {
		t.Fatalf("a name or a line reached the screen raw:\n%q", raw)
	}
	v := ansi.Strip(raw)
	for _, want := range []string{`motd\e]0;pwned\x07`, `A /etc/motd\e]0;pwned\x07`, `+hello\e]0;pwned\x07`, "+        indented"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}
