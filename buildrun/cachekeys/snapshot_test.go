package cachekeys

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/solver/bboltcachestorage"
	bolt "go.etcd.io/bbolt"
)

// A database copied while its writer commits is read as of one
// transaction: the writer rewrites every value of a bucket three times
// while the first half of the file is being copied, and the copy still
// holds one generation of values, on pages bolt's own check finds whole.
// (A plain copy of the same moment mixes the pages of four transactions.)
func TestSnapshotIsOneTransaction(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "cache-debug.db")
	db, err := bolt.Open(src, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	write := func(gen int) {
		t.Helper()
		if err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("byhash"))
			if err != nil {
				return err
			}
			for i := range 4000 {
				if err := b.Put(fmt.Appendf(nil, "k%05d", i), []byte(strings.Repeat(fmt.Sprint(gen), 64+gen*8))); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	write(1)
	gen := 1
	midway := func() {
		if gen == 1 { // only while the first copy is taken
			for range 3 {
				gen++
				write(gen)
			}
		}
	}
	dst := filepath.Join(dir, "copy.db")
	if err := snapshotPausing(src, dst, midway); err != nil {
		t.Fatal(err)
	}
	cp, err := bolt.Open(dst, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	err = cp.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("bolt's check of the copy: %w", err)
		}
		seen := map[string]int{}
		b := tx.Bucket([]byte("byhash"))
		if b == nil {
			return fmt.Errorf("no bucket")
		}
		if err := b.ForEach(func(k, v []byte) error { seen[string(v)]++; return nil }); err != nil {
			return err
		}
		if len(seen) != 1 {
			return fmt.Errorf("the copy holds %d generations of values", len(seen))
		}
		for _, n := range seen {
			if n != 4000 {
				return fmt.Errorf("%d values, want 4000", n)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 2 {
		t.Errorf("files left: %v", left)
	}
}

// A reading of the key store leaves no copies behind, and removes those
// a killed reader left (older than a reading takes), not another
// reader's of the moment.
func TestKeyStoreCopiesRemoved(t *testing.T) {
	root, dir := t.TempDir(), t.TempDir()
	s, err := bboltcachestorage.NewStore(filepath.Join(root, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bolt.Open(filepath.Join(root, "cache-debug.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	stale, fresh := filepath.Join(dir, "buildscope-keys1"), filepath.Join(dir, "buildscope-keys2")
	for _, d := range []string{stale, fresh} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	_, done, err := readKeyStore(t.Context(), root, dir)
	if err != nil {
		t.Fatal(err)
	}
	done()
	left, _ := filepath.Glob(filepath.Join(dir, "buildscope-keys*"))
	if len(left) != 1 || left[0] != fresh {
		t.Errorf("left %v, want only the fresh %s", left, fresh)
	}
}
