package builderhistory

import (
	"context"
	"path/filepath"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/cachekeys"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// recordKeyStore is where the keys of builds on the embedded builder of paths
// are read (a copy of keyStoreOf: build and builderhistory are
// siblings, and cachekeys is given these rather than reaching for them).
func recordKeyStore(paths state.Paths) cachekeys.Store {
	return cachekeys.Store{
		Root:   (&builder.Embedded{Paths: paths}).Root(),
		Lists:  filepath.Join(paths.State, "cache"),
		Stored: history.History{Dir: paths.History()}.FileLists().Has,
	}
}

// keysOf is the key reader of builds on b that buildscope did not
// run: the embedded builder's key store, the session found by sessionOf;
// nil on other builders, whose keys buildscope cannot read.
func keysOf(b *builder.Builder) cachekeys.KeyReader {
	paths := b.StatePaths()
	if b.Kind != builder.KindEmbedded || paths.State == "" {
		return nil
	}
	return func(ctx context.Context, cfg *cachekeys.LLB, ref string) (map[string]*model.CacheKey, string) {
		return cachekeys.Read(ctx, recordKeyStore(paths), cfg, "", ref)
	}
}
