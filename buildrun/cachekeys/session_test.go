package cachekeys

import (
	"encoding/json"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/model/fold"
)

// The session of a build's local sources is the candidate that, put back
// into the op the provenance keeps (without it), gives the op's vertex
// digest; no candidate does for another session, and nothing is guessed.
func TestSessionOfFindsTheSessionTheProvenanceDrops(t *testing.T) {
	// the op as BuildKit's own LLB client marshals it, session included
	def, err := llb.Local("context", llb.SessionID("s-build"), llb.FollowPaths([]string{"a.txt"})).Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var op pb.Op
	if err := op.UnmarshalVT(def.Def[0]); err != nil {
		t.Fatal(err)
	}
	vertex := digest.FromBytes(def.Def[0]).String()
	delete(op.GetSource().Attrs, pb.AttrLocalSessionID) // as the provenance keeps it
	js, err := json.Marshal(&op)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &LLB{Definition: []fold.LLBStep{{ID: "step0", Op: js}}, DigestMapping: map[string]string{vertex: "step0"}}
	if got := sessionOf(cfg, []string{"s-other", "s-build", "s-third"}); got != "s-build" {
		t.Errorf("session %q, want s-build", got)
	}
	if got := sessionOf(cfg, []string{"s-other"}); got != "" {
		t.Errorf("session %q from candidates without the build's", got)
	}
	if got := sessionOf(&LLB{}, []string{"s-build"}); got != "" {
		t.Errorf("session %q of an LLB with no local source", got)
	}
}
