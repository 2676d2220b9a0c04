package dockerfile

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseDockerfile: any Dockerfile text parses to a plan or a
// *ParseError naming the file; a plan's stages, steps and dependencies
// are consistent, and Reachable never panics.
func FuzzParseDockerfile(f *testing.F) {
	for _, p := range []string{"../../testdata/graph/Dockerfile", "../../testdata/multistage.Dockerfile", "../../testdata/corpus/buildx-shape.Dockerfile",
		"../../testdata/corpus/buildkit-shape.Dockerfile", "../../testdata/corpus/arch-shape.Dockerfile"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data, "linux/arm64")
		}
	}
	f.Add([]byte("FROM scratch AS a\nCOPY --from=a x y\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, plat string) {
		auto := AutoArgs{}
		if ps, err := ParsePlatforms([]string{plat}); err == nil && len(ps) > 0 {
			auto.Target = &ps[0]
		}
		p, err := ParseFor("Dockerfile", data, map[string]string{"X": "1"}, auto)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "Dockerfile") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for i, s := range p.Stages {
			if s.Index != i {
				t.Fatalf("stage %d has index %d", i, s.Index)
			}
			for _, k := range s.Steps {
				if k < 0 || k >= len(s.Instructions) {
					t.Fatalf("stage %s step → instruction %d of %d", s.Name, k, len(s.Instructions))
				}
			}
			for _, d := range s.DependsOn {
				if ds := p.Stage(d); ds == nil || ds.Index >= i {
					t.Fatalf("stage %s depends on %q, not an earlier stage", s.Name, d)
				}
			}
		}
		_, _ = p.Reachable("")
		_, _ = p.Reachable("nosuch")
	})
}
