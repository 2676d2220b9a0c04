package build

import (
	"path/filepath"
	"strings"

	"github.com/buildscope/buildscope/buildrun/buildctx"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/cachekeys"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
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

// keyStoreOf is where the keys of builds on the embedded builder of paths
// are read.
func keyStoreOf(paths state.Paths) cachekeys.Store {
	return cachekeys.Store{
		Root:   (&builder.Embedded{Paths: paths}).Root(),
		Lists:  filepath.Join(paths.State, "cache"),
		Stored: history.History{Dir: paths.History()}.FileLists().Has,
	}
}
