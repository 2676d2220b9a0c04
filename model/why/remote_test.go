package why

import (
	"strings"
	"testing"
)

// An ADD of a remote source that changed is two steps of one line, the
// source and the copy of it, each explained by what BuildKit keyed the
// source by, old → new; the RUN after it is their cascade. Recorded on the
// embedded builder:
//   - git: `ADD git://127.0.0.1:…/repo.git#main /src`, served by `git
//     daemon`, built, a commit pushed, built again: keyed by the commit;
//   - http: `ADD http://127.0.0.1:…/f.txt /f.txt`, served by Python's
//     http.server, built, the file's content changed, built again: keyed
//     by the content's checksum (the source's key names it in a field,
//     Checksum, which is no change to the instruction).
func TestRemoteSourceChanged(t *testing.T) {
	for _, c := range []struct{ pair, url, old, new string }{
		{"git", "git://127.0.0.1:19418/repo.git#main", "94ed8843f47fd0d30827c66e1724a8d7117c864c", "078fe732871c93f3f00017fcab49d26f7664e2b4"},
		{"http", "http://127.0.0.1:18765/f.txt", "sha256:56680a29d2000ae3fb4f1b361cc84bb3f12ffb4b9818bbf856b8dcc7c5f35550",
			"sha256:224f0b3643a4f7cd99a785b8fa1f86509bdbdbecc1179cda70e91de5e149cd64"},
	} {
		prev, cur := loadPair(t, c.pair)
		ex := Explain(cur, prev)
		roots := 0
		for _, m := range ex.Misses {
			switch m.Line {
			case 2:
				roots++
				if m.Reason != ReasonRemote || m.Source != SourceCacheKeys || m.Detail.Old != c.old || m.Detail.New != c.new || m.Detail.URL != c.url {
					t.Errorf("%s, line 2 %s: %s %+v, want remote-changed from the keys, the URL and what it was keyed by", c.pair, m.Step, m.Reason, m.Detail)
				}
			case 3:
				if m.Reason != ReasonParent || !strings.Contains(m.Detail.Root, "ADD "+c.url) {
					t.Errorf("%s, line 3: %s %+v, want parent-missed from the ADD", c.pair, m.Reason, m.Detail)
				}
			}
		}
		if roots != 2 || len(ex.Misses) != 3 {
			t.Errorf("%s: %d misses (%d on the ADD's line), want the source, its copy and the RUN: %+v", c.pair, len(ex.Misses), roots, ex.Misses)
		}
	}
}

// The same http file served again with the same content and a new
// Last-Modified (recorded: built, the file touched, built again):
// BuildKit fetches it again, finds the same checksum, and answers the copy
// and the RUN from the cache; it evaluated the FROM for the copy's key
// only. The FROM is cache-key-only, not cache-evicted: the http source
// builds on nothing, so it is no step built on the FROM that ran.
func TestRemoteSourceTouchedNotChanged(t *testing.T) {
	prev, cur := loadPair(t, "http-touched")
	ex := Explain(cur, prev)
	for _, m := range ex.Misses {
		if m.Line == 1 && m.Reason != ReasonKeyOnly {
			t.Errorf("line 1 %s: %s %+v, want cache-key-only", m.Step, m.Reason, m.Detail)
		}
		if m.Reason == ReasonEvicted {
			t.Errorf("%s called evicted: %+v", m.Step, m.Detail)
		}
	}
	if len(ex.Misses) != 2 {
		t.Errorf("%d misses, want the FROM and the http source: %+v", len(ex.Misses), ex.Misses)
	}
}
