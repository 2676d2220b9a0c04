package cachekeys

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/proto"

	"github.com/buildscope/buildscope/model"
)

// A build's local sources (its context, its Dockerfile) are keyed by the
// ID of the client's session, which BuildKit deletes from the LLB it
// keeps in the provenance: for a build buildscope did not run, the
// session is not known. It is found, never guessed, by the vertex digest
// the provenance keeps of each op: a session ID taken from the key store
// is the build's only when, put back into a local source op, it gives
// that op's own digest (BuildKit digests an op's deterministic protobuf
// encoding).

// KeyReader gives the cache keys of the steps of build ref, whose LLB is
// cfg, and says why there are none when there are none.
type KeyReader func(ctx context.Context, cfg *LLB, ref string) (map[string]*model.CacheKey, string)

// sessionIDText finds the session IDs in the plain texts of local sources.
var sessionIDText = regexp.MustCompile(`"SessionID":"([^"]+)"`)

// sessions are the session IDs of the local sources in the key store.
func (ks *keyStore) sessions() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range ks.recs {
		if len(r.Parents) > 0 || r.Digest == "" {
			continue
		}
		text := ks.sourceText(r.Digest)
		if !strings.Contains(text, "buildkit.source.v0:session:") {
			continue
		}
		for _, m := range sessionIDText.FindAllStringSubmatch(text, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	return out
}

// sessionOf is the session of cfg's local sources among those of the key
// store, "" when none gives their digests.
func (ks *keyStore) sessionOf(cfg *LLB) string {
	return sessionOf(cfg, ks.sessions())
}

// sessionOf is the one of candidates that, put back into every local
// source op of cfg, gives each op's vertex digest; "" when cfg has no
// local source or no candidate does.
func sessionOf(cfg *LLB, candidates []string) string {
	vertex := map[string]string{} // step ID → vertex digest
	for v, id := range cfg.DigestMapping {
		vertex[id] = v
	}
	type local struct {
		op     *pb.Op
		vertex string
	}
	var locals []local
	for _, st := range cfg.Definition {
		var op pb.Op
		if json.Unmarshal(st.Op, &op) != nil {
			continue
		}
		if src := op.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "local://") && vertex[st.ID] != "" {
			if src.Attrs == nil {
				src.Attrs = map[string]string{}
			}
			locals = append(locals, local{&op, vertex[st.ID]})
		}
	}
	if len(locals) == 0 {
		return ""
	}
	for _, c := range candidates {
		all := true
		for _, l := range locals {
			l.op.GetSource().Attrs[pb.AttrLocalSessionID] = c
			dt, err := proto.MarshalOptions{Deterministic: true}.Marshal(l.op)
			if err != nil || digest.FromBytes(dt).String() != l.vertex {
				all = false
				break
			}
		}
		if all {
			return c
		}
	}
	return ""
}
