package cachekeys

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/moby/buildkit/util/cachedigest"
	bolt "go.etcd.io/bbolt"
)

// frames encodes plain-text frames as BuildKit's cache-debug database
// stores them: [id uint32][len uint32][data].
func frames(typ cachedigest.Type, data ...string) []byte {
	var out []byte
	put := func(id cachedigest.FrameID, d []byte) {
		var h [8]byte
		binary.BigEndian.PutUint32(h[:], uint32(id))
		binary.BigEndian.PutUint32(h[4:], uint32(len(d)))
		out = append(append(out, h[:]...), d...)
	}
	put(cachedigest.FrameIDType, []byte(typ))
	for _, d := range data {
		put(cachedigest.FrameIDData, []byte(d))
	}
	return out
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

// A plain text is used only when it hashes to its digest: a copy of the
// database taken during a write can hide a key, never show a wrong one.
func TestKeyStoreTextIsVerified(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache-debug.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	good, bad := sum("buildkit.source.v0:x"), sum("something else")
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("byhash"))
		if err != nil {
			return err
		}
		if err := b.Put([]byte(good), frames(cachedigest.TypeString, "buildkit.source.", "v0:x")); err != nil {
			return err
		}
		return b.Put([]byte(bad), frames(cachedigest.TypeString, "not what was hashed"))
	})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(); db.Close() }()
	ks := &keyStore{debug: tx, texts: map[string]*plainText{}}
	if p := ks.text(good); p == nil || p.Text() != "buildkit.source.v0:x" || p.Type != cachedigest.TypeString {
		t.Errorf("good: %+v", p)
	}
	if p := ks.text(bad); p != nil {
		t.Errorf("a plain text that does not hash to its digest was used: %q", p.Text())
	}
	if ks.typeOf(good) != cachedigest.TypeString {
		t.Errorf("typeOf %q", ks.typeOf(good))
	}
}

// The checksums of a digest list are named after the selected paths in
// BuildKit's order (plain paths sorted, then a wildcard); where the order
// is not known they are not named.
func TestSelectorNames(t *testing.T) {
	for _, tc := range []struct {
		sel  string
		n    int
		want []string
	}{
		{"/b.txt,/a.txt", 2, []string{"a.txt", "b.txt"}},
		{"/scripts", 1, []string{"scripts"}},
		{"/src/*.go,/go.mod", 2, []string{"go.mod", "src"}},
		{"/a/*.x,/b/*.y", 2, []string{"", ""}},
		{"/a,/b", 1, []string{""}},
	} {
		if got := selectorNames(tc.sel, tc.n); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s (%d): %q, want %q", tc.sel, tc.n, got, tc.want)
		}
	}
}
