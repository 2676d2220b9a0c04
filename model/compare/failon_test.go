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

// Junk is refused with the accepted forms, never judged: a value on a
// rule that takes none, NaN, infinities, exponents, signs, overflowing
// sizes and ratios past 1.
func TestFailOnRefusesJunk(t *testing.T) {
	f := Facts{SizeA: 100, SizeB: 200, HasCache: true, CacheRatio: 0.5}
	for _, bad := range []string{
		"config-changed=no", "files-added=0", "any=false",
		"size-increase=NaN%", "size-increase=Inf%", "size-increase=-5%", "size-increase=1e3%", "size-increase=1e400%",
		"size-increase=NaN", "size-increase=-20MB", "size-increase=99999999999999999999TB", "size-increase=1e30",
		"cache-ratio-below=NaN", "cache-ratio-below=Inf", "cache-ratio-below=-1", "cache-ratio-below=2", "cache-ratio-below=1e-1",
	} {
		got, err := FailOn([]string{bad}, f)
		if err == nil || !strings.Contains(err.Error(), "--fail-on \""+bad+"\"") || !strings.HasSuffix(err.Error(), failOnForms) {
			t.Errorf("%q: judged %v, error %v; want it refused with the accepted forms", bad, got, err)
		}
	}
	for _, good := range []string{"size-increase=5%", "size-increase=0.5%", "size-increase=20MB", "size-increase=1.5 GiB", "cache-ratio-below=1", "cache-ratio-below=0.75"} {
		if _, err := FailOn([]string{good}, f); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
}
