package buildrun

import (
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/state"
)

// recoverSite runs fn and returns PanicSite as a deferred recover sees it.
func recoverSite(fn func()) (site string) {
	defer func() {
		if recover() != nil {
			site = PanicSite()
		}
	}()
	fn()
	return ""
}

// A panic is placed at the line that caused it, whether it is a call to
// panic or a runtime error raised through the runtime's own frames.
func TestPanicSite(t *testing.T) {
	var s []int
	var m map[string]int
	var p *state.Paths
	i := 3
	for name, fn := range map[string]func(){
		"panic":       func() { panic("a bug") },
		"index":       func() { _ = s[i] },
		"nil map":     func() { m["x"]++ },
		"nil pointer": func() { _ = p.State },
		"divide by 0": func() { _ = i / len(s) },
	} {
		site := recoverSite(fn)
		if !strings.HasPrefix(site, "panicsite_test.go:") || !strings.Contains(site, "TestPanicSite.func") {
			t.Errorf("%s: site %q, want this file's closure", name, site)
		}
	}
}
