package compare

import (
	"strings"
	"testing"
)

func TestFailOnRules(t *testing.T) {
	f := Facts{SizeA: 100 << 20, SizeB: 110 << 20, FilesAdded: 2, ConfigChanges: []string{"Env"}, CacheRatio: 0.5, HasCache: true, AnyDifferences: true}
	same := Facts{SizeA: 100 << 20, SizeB: 100 << 20, CacheRatio: 1, HasCache: true}
	for _, c := range []struct {
		rule string
		fail string // substring of the failure on f; same never fails
	}{
		{"size-increase=5%", "size-increase=5%: B is 10.49MB larger (10.0%"},
		{"size-increase=5MB", "size-increase=5MB: B is 10.49MB larger"},
		{"files-added", "files-added: B adds 2 files"},
		{"config-changed", "config-changed: Env"},
		{"cache-ratio-below=0.8", "cache-ratio-below=0.8: B's cache ratio is 0.50"},
		{"any", "any: the two differ"},
	} {
		got, err := FailOn([]string{c.rule}, f)
		if err != nil || len(got) != 1 || !strings.Contains(got[0], c.fail) {
			t.Errorf("%s on a difference: %v %v, want %q", c.rule, got, err, c.fail)
		}
		if got, err := FailOn([]string{c.rule}, same); err != nil || len(got) != 0 {
			t.Errorf("%s on equal images: %v %v, want a pass", c.rule, got, err)
		}
	}
	if got, _ := FailOn([]string{"size-increase=20%"}, f); len(got) != 0 {
		t.Errorf("a 10%% growth failed size-increase=20%%: %v", got)
	}
	for _, bad := range []string{"size-increase", "size-increase=lots", "cache-ratio-below", "bigger"} {
		if _, err := FailOn([]string{bad}, f); err == nil || !strings.Contains(err.Error(), "--fail-on") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
	if _, err := FailOn([]string{"cache-ratio-below=0.8"}, Facts{}); err == nil || !strings.Contains(err.Error(), "not a build") {
		t.Errorf("cache rule on images: %v", err)
	}
}
