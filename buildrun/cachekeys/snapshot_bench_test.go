package cachekeys

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/solver"
	"github.com/moby/buildkit/solver/bboltcachestorage"
	"github.com/moby/buildkit/util/cachestore"
	digest "github.com/opencontainers/go-digest"
)

// keyStoreOf makes a key store of n chains of 5 records under roots, the
// shape of n small builds' steps.
func keyStoreOf(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "cache.db")
	s, err := bboltcachestorage.NewStore(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		parent := digest.FromString(fmt.Sprint("root", i)).String()
		for j := range 5 {
			child := fmt.Sprintf("id-%d-%d", i, j)
			l := solver.CacheInfoLink{Input: 0, Digest: digest.FromString(fmt.Sprint("op", j))}
			if err := s.AddLink(parent, l, child); err != nil {
				b.Fatal(err)
			}
			parent = child
		}
	}
	return path
}

// The key store's records read as before (a plain copy, BuildKit's
// util/cachestore) and as now (a copy as of one transaction, the records
// with their IDs), side by side: run with -bench ReadKeyRecords and
// compare the two.
func BenchmarkReadKeyRecords(b *testing.B) {
	src := keyStoreOf(b, 2000)
	read := func(b *testing.B, copyIt func(src, dst string) error, load func(*bboltcachestorage.Store) (int, error)) {
		for i := 0; b.Loop(); i++ {
			dst := filepath.Join(b.TempDir(), fmt.Sprint("c", i))
			if err := copyIt(src, dst); err != nil {
				b.Fatal(err)
			}
			s, err := bboltcachestorage.NewStore(dst)
			if err != nil {
				b.Fatal(err)
			}
			n, err := load(s)
			s.Close()
			if err != nil || n != 2000*6 {
				b.Fatalf("%d records: %v", n, err)
			}
		}
	}
	b.Run("before", func(b *testing.B) {
		read(b, plainCopy, func(s *bboltcachestorage.Store) (int, error) {
			r, err := cachestore.Records(context.Background(), s)
			return len(r), err
		})
	})
	b.Run("now", func(b *testing.B) {
		read(b, snapshot, func(s *bboltcachestorage.Store) (int, error) {
			r, err := loadRecords(context.Background(), s)
			return len(r), err
		})
	})
}

func plainCopy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
