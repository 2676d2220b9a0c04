package why

import (
	"strings"
	"testing"
)

// An ADD of a git repository whose branch moved on is explained by the
// commit BuildKit keyed it by, old → new, for the source and for the copy
// of it (recorded: `ADD git://127.0.0.1:…/repo.git#main /src` on the
// embedded builder, served by `git daemon`, built, a commit pushed, built
// again); the RUN after it is its cascade.
func TestGitSourceChanged(t *testing.T) {
	prev, cur := loadPair(t, "git")
	ex := Explain(cur, prev)
	const oldC, newC = "94ed8843f47fd0d30827c66e1724a8d7117c864c", "078fe732871c93f3f00017fcab49d26f7664e2b4"
	roots := 0
	for _, m := range ex.Misses {
		switch m.Line {
		case 2:
			roots++
			if m.Reason != ReasonRemote || m.Source != SourceCacheKeys || m.Detail.Old != oldC || m.Detail.New != newC ||
				m.Detail.URL != "git://127.0.0.1:19418/repo.git#main" {
				t.Errorf("line 2 %s: %s %+v, want remote-changed from the keys, the repository and its commits", m.Step, m.Reason, m.Detail)
			}
		case 3:
			if m.Reason != ReasonParent || !strings.Contains(m.Detail.Root, "ADD git://") {
				t.Errorf("line 3: %s %+v, want parent-missed from the ADD", m.Reason, m.Detail)
			}
		}
	}
	if roots != 2 || len(ex.Misses) != 3 {
		t.Errorf("%d misses (%d on the ADD's line), want the git source, its copy and the RUN: %+v", len(ex.Misses), roots, ex.Misses)
	}
}
