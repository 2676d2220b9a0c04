package builderhistory

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/content/proxy"
	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/sirupsen/logrus"

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

// The keys of a build buildscope did not run live in the builder's key
// store only until the builder drops them (builder prune, its GC): a
// later build of the same inputs would then have no previous keys to be
// compared with. So they are captured when buildscope first sees the
// build (when the builder's history is listed, or the build opened or
// imported), and kept beside buildscope's state, by ref.

// capturedKeys are the keys captured of one build.
type capturedKeys struct {
	Keys map[string]*model.CacheKey `json:"keys"`
	// Missing says why there are none, when there are none.
	Missing string `json:"missing,omitempty"`
}

func capturedPath(paths state.Paths, ref string) string {
	return filepath.Join(paths.State, "cache", "builder-keys", ref+".json")
}

func loadCaptured(paths state.Paths, ref string) (*capturedKeys, bool) {
	if !history.IsRecordName(ref) {
		return nil, false
	}
	b, err := os.ReadFile(capturedPath(paths, ref))
	if err != nil {
		return nil, false
	}
	var c capturedKeys
	if json.Unmarshal(b, &c) != nil || len(c.Keys) == 0 {
		return nil, false // a capture that holds no key is read again
	}
	return &c, true
}

func saveCaptured(paths state.Paths, ref string, c capturedKeys) {
	if !history.IsRecordName(ref) || len(c.Keys) == 0 {
		return
	}
	b, err := json.Marshal(c)
	if err == nil {
		p := capturedPath(paths, ref)
		if err = os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
			err = state.WriteFileAtomic(p, b, 0o600)
		}
	}
	if err != nil {
		logrus.Debugf("keeping the cache keys of build %s: %v", ref, err)
	}
}

// keysOf is the key reader of builds on b that buildscope did not
// run: the keys captured of the build when buildscope first saw it, else
// the embedded builder's key store (captured then), the session found
// by sessionOf; nil on other builders, whose keys buildscope cannot read.
func keysOf(b *builder.Builder) cachekeys.KeyReader {
	paths := b.StatePaths()
	if b.Kind != builder.KindEmbedded || paths.State == "" {
		return nil
	}
	return func(ctx context.Context, cfg *cachekeys.LLB, ref string) (map[string]*model.CacheKey, string) {
		if c, ok := loadCaptured(paths, ref); ok {
			return c.Keys, c.Missing
		}
		keys, missing := cachekeys.Read(ctx, recordKeyStore(paths), cfg, "", ref)
		saveCaptured(paths, ref, capturedKeys{Keys: keys, Missing: missing})
		return keys, missing
	}
}

// captureKeys keeps the keys of the finished builds of raw that
// buildscope did not run and whose keys it has not kept yet, read from
// one reading of the embedded builder's key store. What fails is logged:
// a listing does not fail for it.
func captureKeys(ctx context.Context, b *builder.Builder, raw []*controlapi.BuildHistoryRecord) {
	paths := b.StatePaths()
	if b.Kind != builder.KindEmbedded || paths.State == "" {
		return
	}
	blobs := proxy.NewContentStore(b.Client.ContentClient())
	cfgs := map[string]*cachekeys.LLB{}
	for _, r := range raw {
		if r.CompletedAt == nil || isOwn(r.Ref) || !history.IsRecordName(r.Ref) {
			continue
		}
		if _, ok := loadCaptured(paths, r.Ref); ok {
			continue
		}
		prov := provenanceOf(r)
		if prov == nil {
			continue
		}
		p, err := readProvenance(ctx, blobs, r.Ref, prov)
		if err != nil {
			logrus.Debugf("capturing the keys of %s: %v", r.Ref, err)
			continue
		}
		if cfg := p.llb(); len(cfg.Definition) > 0 {
			cfgs[r.Ref] = cfg
		}
	}
	if len(cfgs) == 0 {
		return
	}
	keys, missing := cachekeys.ReadMany(ctx, recordKeyStore(paths), cfgs, nil)
	for ref := range cfgs {
		saveCaptured(paths, ref, capturedKeys{Keys: keys[ref], Missing: missing[ref]})
	}
}

// isOwn reports whether ref is a build buildscope ran (its own record
// keeps its keys).
func isOwn(ref string) bool { return strings.HasPrefix(ref, "buildscope-") }
