package cachekeys

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// BuildKit's key store and cache-debug database are bolt databases the
// daemon holds under an exclusive lock for as long as it runs, so they
// cannot be opened, even read-only, beside it. They are copied instead,
// as of one committed transaction: bolt never writes over a page the last
// committed transaction T reaches until transaction T+2 (T+1 writes its
// changes to pages free as of T, and frees T's only for later ones). So
// the copy reads T's meta page first, copies the file, and reads the
// meta pages again: when the newest is still T or T+1, every page T
// reaches was copied as T left it, and the copy's meta pages are put
// back to those read first, so that it opens at T. Otherwise it copies
// again. A plain copy taken while the daemon writes can mix pages of
// different transactions, which bolt then reads as a tree with cycles.

// snapshotAttempts bounds how many times a database that kept changing is
// copied again.
const snapshotAttempts = 8

// snapshot copies the bolt database src to the new file dst as of one
// committed transaction.
func snapshot(src, dst string) error { return snapshotPausing(src, dst, nil) }

// snapshotPausing is snapshot that runs midway, when not nil, after the
// first half of each copy (tests write to src there, as the daemon may).
func snapshotPausing(src, dst string, midway func()) error {
	for attempt := 0; attempt < snapshotAttempts; attempt++ {
		head, tx, err := readMeta(src)
		if err != nil {
			return err
		}
		if err := copyWhole(src, dst, midway); err != nil {
			return err
		}
		_, now, err := readMeta(src)
		if err != nil {
			return err
		}
		if now <= tx+1 {
			return putHead(dst, head)
		}
		if err := os.Remove(dst); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s changed throughout %d copies: the builder is writing it without a pause; try again", src, snapshotAttempts)
}

// bolt's meta page: a 16-byte page header, then magic, version, page
// size and flags (uint32 each), the root bucket (two uint64), the
// freelist and high-water page ids, the transaction id and a checksum
// (FNV-64a of the fields before it), in the machine's byte order (bolt
// maps its file as it is: little-endian on the machines BuildKit runs on).
const (
	metaMagic    = 0xED0CDAED
	metaPageSize = 16 + 8
	metaTxid     = 16 + 48
	metaSum      = 16 + 56
)

// readMeta reads the two meta pages of bolt database path (its head) and
// the id of its newest transaction whose meta page is valid.
func readMeta(path string) (head []byte, txid uint64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	first := make([]byte, metaSum+8)
	if _, err := f.ReadAt(first, 0); err != nil {
		return nil, 0, fmt.Errorf("reading the head of %s: %w", path, err)
	}
	size := int64(binary.LittleEndian.Uint32(first[metaPageSize:]))
	if !validMeta(first) || size < 1024 || size > 1<<20 {
		size = int64(os.Getpagesize()) // the first meta page is torn: bolt's own default
	}
	head = make([]byte, 2*size)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, 0, fmt.Errorf("reading the meta pages of %s: %w", path, err)
	}
	found := false
	for _, m := range [][]byte{head[:size], head[size:]} {
		if validMeta(m) {
			found = true
			txid = max(txid, binary.LittleEndian.Uint64(m[metaTxid:]))
		}
	}
	if !found {
		return nil, 0, fmt.Errorf("%s has no valid bolt meta page", path)
	}
	return head, txid, nil
}

func validMeta(p []byte) bool {
	if len(p) < metaSum+8 || binary.LittleEndian.Uint32(p[16:]) != metaMagic {
		return false
	}
	h := fnv.New64a()
	h.Write(p[16:metaSum])
	return h.Sum64() == binary.LittleEndian.Uint64(p[metaSum:])
}

// copyWhole copies src to the new file dst, running midway (when not
// nil) after its first half.
func copyWhole(src, dst string, midway func()) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = func() error {
		if midway != nil {
			st, err := in.Stat()
			if err != nil {
				return err
			}
			if _, err := io.CopyN(out, in, st.Size()/2); err != nil {
				return err
			}
			midway()
		}
		_, err := io.Copy(out, in)
		return err
	}()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

// putHead writes the meta pages read before the copy over the copy's.
func putHead(dst string, head []byte) error {
	f, err := os.OpenFile(dst, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(head, 0)
	return errors.Join(err, f.Close())
}
