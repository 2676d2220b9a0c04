package history

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// IsRecordName accepts exactly what the regexp it replaced accepted.
func TestIsRecordNameIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
	cases := []string{"", "a", "A9", "9", ".a", "_a", "-a", "a.b_c-d", "a/b", "a:b", "a b", "é", "a\n", "last",
		strings.Repeat("a", 128), strings.Repeat("a", 129), "a" + strings.Repeat("-", 127), "a" + strings.Repeat(".", 128)}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09._-/: \x00é"
	for range 2000 {
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if got, want := IsRecordName(c), re.MatchString(c); got != want {
			t.Errorf("IsRecordName(%q) = %v, the regexp says %v", c, got, want)
		}
	}
}
