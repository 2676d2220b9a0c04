package cachekeys

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/cachedigest"
	bolt "go.etcd.io/bbolt"
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

// Two records under one parent whose plain texts cannot be told apart
// stand for one key, and one of them is taken (not both dropped); two
// whose op texts differ are not a key the step can be given.
func TestSameKeyResolvesByPlainText(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "cache-debug.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	link := func(b *bolt.Bucket, op string) string {
		x := sum(op)
		l := sum(x + "@0")
		if err := b.Put([]byte(x), frames(cachedigest.TypeJSON, op)); err != nil {
			t.Fatal(err)
		}
		if err := b.Put([]byte(l), frames(cachedigest.TypeString, x+"@0")); err != nil {
			t.Fatal(err)
		}
		return l
	}
	var l1, l2 string
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("byhash"))
		if err != nil {
			return err
		}
		l1, l2 = link(b, `{"Type":"buildkit.exec.v0","Exec":{"meta":{"args":["make"]}}}`), link(b, `{"Type":"buildkit.exec.v0","Exec":{"meta":{"args":["make","all"]}}}`)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	root := &keyRecord{ID: 1, BuildKitID: sum("root"), Digest: sum("root")}
	a := &keyRecord{ID: 2, BuildKitID: "a", Parents: []keyLink{{Input: 0, Digest: l1, Target: 1}}}
	b := &keyRecord{ID: 3, BuildKitID: "b", Parents: []keyLink{{Input: 0, Digest: l1, Target: 1}}}
	c := &keyRecord{ID: 4, BuildKitID: "c", Parents: []keyLink{{Input: 0, Digest: l2, Target: 1}}}
	ks := &keyStore{recs: map[int]*keyRecord{1: root, 2: a, 3: b, 4: c}, debug: tx, texts: map[string]*plainText{}}
	m := &keyMapper{ks: ks}
	if got := m.sameKey([]*keyRecord{b, a}); len(got) != 1 || got[0] != a {
		t.Errorf("two records of one key: %v, want the first by ID", got)
	}
	if got := m.sameKey([]*keyRecord{a, c}); got != nil {
		t.Errorf("two records of different ops: %v, want none", got)
	}
}

// A git source's commit: the op's pin, else the provenance's, found by
// the op's identifier or, for a repository the op names git://HOST/PATH,
// by its full remote URL and ref (as BuildKit's provenance records it).
func TestGitPin(t *testing.T) {
	const c1, c2 = "94ed8843f47fd0d30827c66e1724a8d7117c864c", "078fe732871c93f3f00017fcab49d26f7664e2b4"
	pins := PinsOf([]Dependency{
		{URI: "git://127.0.0.1:19418/repo.git#main", Digest: map[string]string{"sha1": c1}},
		{URI: "https://example.com/org/repo.git#v2", Digest: map[string]string{"sha1": c2}},
		{URI: "https://example.com/f.txt", Digest: map[string]string{"sha256": "abc"}},
	})
	if pins["https://example.com/f.txt"] != "sha256:abc" {
		t.Errorf("remote file's pin %q", pins["https://example.com/f.txt"])
	}
	for _, tc := range []struct {
		src  *pb.SourceOp
		want string
	}{
		{&pb.SourceOp{Identifier: "git://127.0.0.1:19418/repo.git#main"}, c1},
		{&pb.SourceOp{Identifier: "git://example.com/org/repo.git#v2:sub", Attrs: map[string]string{pb.AttrFullRemoteURL: "https://example.com/org/repo.git"}}, c2},
		{&pb.SourceOp{Identifier: "git://example.com/org/repo.git#v2", Attrs: map[string]string{pb.AttrGitChecksum: c1}}, c1},
		{&pb.SourceOp{Identifier: "git://example.com/org/other.git#v2", Attrs: map[string]string{pb.AttrFullRemoteURL: "https://example.com/org/other.git"}}, ""},
	} {
		if got := gitPin(tc.src, pins); got != tc.want {
			t.Errorf("gitPin(%s) = %q, want %q", tc.src.Identifier, got, tc.want)
		}
	}
}
