package why

import (
	"strings"
	"testing"
)

// A file ADDed from a URL whose content changed between two real builds
// (testdata/why/http.json): BuildKit keys the http source by the content's
// checksum and the copy by its input's. Both of the line's steps say
// remote-changed, with the URL and the two checksums; neither says the
// instruction changed.
func TestWhyHTTPSourceChanged(t *testing.T) {
	prev, cur := loadPair(t, "http")
	ex := Explain(cur, prev)
	const oldC, newC = "sha256:56680a29d2000ae3fb4f1b361cc84bb3f12ffb4b9818bbf856b8dcc7", "sha256:224f0b3643a4f7cd99a785b8fa1f86509bdbdbecc1179cda70e91de5e149cd64"
	roots := 0
	for _, m := range ex.Misses {
		switch m.Line {
		case 2:
			roots++
			if m.Reason != ReasonRemote || m.Source != SourceCacheKeys || !strings.HasPrefix(m.Detail.Old, oldC) || m.Detail.New != newC ||
				m.Detail.URL != "http://127.0.0.1:18765/f.txt" {
				t.Errorf("line 2 %s: %s %+v, want remote-changed from the keys, the URL and its content checksums", m.Step, m.Reason, m.Detail)
			}
		case 3:
			if m.Reason != ReasonParent {
				t.Errorf("line 3: %s %+v, want parent-missed from the ADD", m.Reason, m.Detail)
			}
		}
	}
	if roots != 2 || len(ex.Misses) != 3 {
		t.Errorf("%d misses (%d on the ADD's line), want the http source, its copy and the RUN: %+v", len(ex.Misses), roots, ex.Misses)
	}
}
