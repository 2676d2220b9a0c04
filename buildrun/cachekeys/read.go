package cachekeys

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/fold"
)

// BuiltLLB is what buildscope reads of a build's LLB after the solve:
// each vertex's normalised op digest and, on the embedded builder, its
// cache key; KeysMissing says why there are no keys, when there are none.
type BuiltLLB struct {
	Digests     map[string]string
	Keys        map[string]*model.CacheKey
	KeysMissing string
}

// Store are where the keys are read: the embedded builder's root
// (its key store and cache-debug database), the directory of buildscope's
// cached listings, and which refs' expanded file lists the history holds.
type Store struct {
	Root   string
	Lists  string
	Stored func(ref string) bool
}

// ReadBuiltLLB reads the LLB of build ref from its provenance and, when
// the builder is the embedded one, the cache keys of its vertices.
func ReadBuiltLLB(ctx context.Context, b *builder.Builder, store Store, ref, session string) *BuiltLLB {
	out := &BuiltLLB{}
	cfg, err := buildConfig(ctx, b.Client, ref)
	if err != nil {
		out.KeysMissing = err.Error()
		return out
	}
	if out.Digests, err = fold.NormalizeLLB(cfg.Definition, cfg.DigestMapping); err != nil {
		out.KeysMissing = err.Error()
		return out
	}
	if b.Kind != builder.KindEmbedded {
		out.KeysMissing = "buildscope reads cache keys only from the embedded builder it starts"
		return out
	}
	out.Keys, out.KeysMissing = Read(ctx, store, cfg, session, ref)
	return out
}

// Read reads from the embedded builder's key store the cache key of
// every vertex of build ref (whose LLB is cfg, and the ID of whose
// session is session) it can tie to one, and says why there are none
// when there are none.
func Read(ctx context.Context, store Store, cfg *LLB, session, ref string) (map[string]*model.CacheKey, string) {
	keys, missing := ReadMany(ctx, store, map[string]*LLB{ref: cfg}, map[string]string{ref: session})
	return keys[ref], missing[ref]
}

// ReadMany reads the cache keys of several builds (their LLBs by ref,
// and the sessions known of them) from one reading of the key store, as
// Read does for one.
func ReadMany(ctx context.Context, store Store, cfgs map[string]*LLB, sessions map[string]string) (map[string]map[string]*model.CacheKey, map[string]string) {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		keys, why := map[string]map[string]*model.CacheKey{}, map[string]string{}
		missing := 0
		ks, done, err := readKeyStore(ctx, store.Root, store.Lists)
		opened := time.Now()
		if err == nil {
			ks.lists = lazyListCache(store.Lists)
			ks.storedList = store.Stored
			for ref, cfg := range cfgs {
				session := sessions[ref]
				if session == "" {
					session = ks.sessionOf(cfg)
				}
				k, kerr := stepKeys(ks, cfg, session)
				keys[ref] = k
				if kerr != nil {
					why[ref] = kerr.Error()
				}
			}
			walked := time.Now()
			if serr := ks.lists.save(); serr != nil {
				logrus.Debugf("saving the cache-key listings: %v", serr)
			}
			missing = ks.missing
			done()
			logrus.Debugf("cache keys: copied and opened in %s, steps keyed in %s, listings saved in %s", opened.Sub(start), walked.Sub(opened), time.Since(walked))
		}
		logrus.Debugf("cache keys of %d builds in %s (attempt %d, %d plain texts missing)", len(cfgs), time.Since(start), attempt, missing)
		// BuildKit writes the plain texts of a solve in goroutines that
		// may still run as it ends: when a file list could not be
		// expanded whole, read again a little later
		if err != nil || missing == 0 || attempt == keyReadAttempts || ctx.Err() != nil {
			if err != nil {
				for ref := range cfgs {
					why[ref] = err.Error()
				}
			}
			return keys, why
		}
		time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
	}
}

// keyReadAttempts is how many times the keys are read when a copy of the
// cache-debug database lacks plain texts the build's keys need.
const keyReadAttempts = 3

// Set records each step's cache key.
func Set(rec *model.Build, keys map[string]*model.CacheKey) {
	for si := range rec.Stages {
		for k := range rec.Stages[si].Steps {
			st := &rec.Stages[si].Steps[k]
			st.Key = keys[st.Digest]
		}
	}
}
