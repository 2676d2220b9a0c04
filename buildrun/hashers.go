package buildrun

import (
	"path/filepath"
	"strings"

	"github.com/buildscope/buildscope/buildrun/buildctx"
)

// contextHashersOf hashes the files of p's context and of its named
// contexts that are local directories, keeping what it hashed in cacheDir.
func contextHashersOf(p *Prepared, cacheDir string) buildctx.Hashers {
	hs := buildctx.Hashers{"": buildctx.NewHasher(p.ContextAbs, p.DockerfileAbs, cacheDir)}
	for _, bc := range p.BuildContexts {
		name, val, _ := strings.Cut(bc, "=")
		if strings.Contains(val, "://") {
			continue
		}
		if dir, err := filepath.Abs(val); err == nil {
			hs[name] = buildctx.NewHasher(dir, "", cacheDir)
		}
	}
	return hs
}
