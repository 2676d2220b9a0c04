package cachekeys

import (
	"encoding/json"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/proto"
)

// execOp is the exec op BuildKit's own LLB client makes of st's last op.
func execOp(t *testing.T, st llb.State) *pb.Op {
	t.Helper()
	def, err := st.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := len(def.Def) - 1; i >= 0; i-- {
		var op pb.Op
		if err := op.UnmarshalVT(def.Def[i]); err != nil {
			t.Fatal(err)
		}
		if op.GetExec() != nil {
			return &op
		}
	}
	t.Fatal("no exec op")
	return nil
}

// cacheMapText is the plain text BuildKit keeps of an exec op's cache map
// (solver/llbsolver/ops/exec.go CacheMap): the op without its mounts'
// selectors, a lone root mount left out, with the platform.
func cacheMapText(t *testing.T, op *pb.Op) string {
	t.Helper()
	e := proto.Clone(op.GetExec()).(*pb.ExecOp)
	for _, m := range e.Mounts {
		m.Selector = ""
	}
	if len(e.Mounts) == 1 && e.Mounts[0].Dest == "/" && !e.Mounts[0].Readonly && e.Mounts[0].MountType == pb.MountType_BIND {
		e.Mounts = nil
	}
	dt, err := json.Marshal(struct {
		Type     string
		Exec     *pb.ExecOp
		OS, Arch string
	}{"buildkit.exec.v0", e, "linux", "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	return string(dt)
}

// Two RUNs that differ only in their network mode, hostname, security
// mode or a mount are told apart by their plain texts, so that two key
// records under one parent are not both taken (or both dropped).
func TestOpMatchesNetworkHostnameMounts(t *testing.T) {
	base := llb.Image("busybox")
	ctx := llb.Local("context")
	run := func(opts ...llb.RunOption) *pb.Op {
		return execOp(t, base.Run(append([]llb.RunOption{llb.Shlex("make")}, opts...)...).Root())
	}
	ops := map[string]*pb.Op{
		"plain":    run(),
		"network":  run(llb.Network(llb.NetModeNone)),
		"host":     run(llb.Network(llb.NetModeHost)),
		"hostname": run(llb.Hostname("box")),
		"insecure": run(llb.Security(llb.SecurityModeInsecure)),
		"bind":     run(llb.AddMount("/src", ctx, llb.Readonly)),
		"bind-rw":  run(llb.AddMount("/src", ctx)),
		"bind-at":  run(llb.AddMount("/other", ctx, llb.Readonly)),
		"cache":    run(llb.AddMount("/root/.cache", llb.Scratch(), llb.AsPersistentCacheDir("pip", llb.CacheMountShared))),
		"cache2":   run(llb.AddMount("/root/.cache", llb.Scratch(), llb.AsPersistentCacheDir("npm", llb.CacheMountShared))),
	}
	for name, op := range ops {
		for other, text := range ops {
			want := name == other
			if got := opMatches(op, cacheMapText(t, text)); got != want {
				t.Errorf("op %s against the text of %s: match %v, want %v", name, other, got, want)
			}
		}
	}
}
