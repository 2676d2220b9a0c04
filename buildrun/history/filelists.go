package history

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// fileLists is the history's store of large file lists (see
// model.SplitFileLists): one gob file per distinct list, named by its
// ref, under the history's files/ directory. Lists are written once and
// never changed; a build that uses a list already there only touches it,
// so that a sweep never removes a list a build is about to record.
type fileLists struct{ dir string }

// FileLists is the store of h's expanded file lists (model.KeyFilesRef);
// its Has says whether it holds one.
func (h History) FileLists() fileLists { return fileLists{dir: filepath.Join(h.Dir, "files")} }

var listRefRe = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

// path is where list ref lives; an error for a ref that is no digest (a
// record from elsewhere cannot name a path outside the store).
func (f fileLists) path(ref string) (string, error) {
	if !listRefRe.MatchString(ref) {
		return "", fmt.Errorf("%q is not the digest of a file list", model.Printable(ref))
	}
	return filepath.Join(f.dir, strings.TrimPrefix(ref, "sha256:")), nil
}

// Has reports whether list ref is stored, and marks it as in use.
func (f fileLists) Has(ref string) bool {
	p, err := f.path(ref)
	if err != nil {
		return false
	}
	now := time.Now()
	return os.Chtimes(p, now, now) == nil
}

// put stores a list unless it is there already.
func (f fileLists) put(l model.FileList) error {
	if f.Has(l.Ref) {
		return nil
	}
	p, err := f.path(l.Ref)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(l.Files); err != nil {
		return fmt.Errorf("encoding file list %s: %w", model.ShortDigest(l.Ref), err)
	}
	if err := state.EnsurePrivateDir(f.dir); err != nil {
		return err
	}
	return state.WriteFileAtomic(p, b.Bytes(), 0o600)
}

// get reads list ref.
func (f fileLists) get(ref string) (map[string]string, error) {
	p, err := f.path(ref)
	if err != nil {
		return nil, err
	}
	data, err := readRegular(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s is missing (removed by hand?): `buildscope history rm` the build to stop using it", p)
	}
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", p, err)
	}
	return m, nil
}

// join puts back into b the lists it keeps in the store.
func (h History) join(b *model.Build) error {
	return model.JoinFileLists(b, h.FileLists().get)
}

// DefaultListSweepGrace is how old an unreferenced list must be before a
// sweep removes it: a build writes (or touches) its lists just before its
// record, so a younger one may belong to a record being written.
const DefaultListSweepGrace = time.Minute

// sweepLists removes the stored lists no record names any more.
func (h History) sweepLists() error {
	grace := h.ListSweepGrace
	if grace == 0 {
		grace = DefaultListSweepGrace
	}
	f := h.FileLists()
	ents, err := os.ReadDir(f.dir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(ents) == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	all, damaged, err := h.Scan()
	if err != nil {
		return err
	}
	if len(damaged) > 0 {
		return nil // a damaged record may name lists: keep them all
	}
	used := map[string]bool{}
	for _, b := range all {
		for _, ref := range model.FileListRefs(b) {
			used[strings.TrimPrefix(ref, "sha256:")] = true
		}
	}
	for _, e := range ents {
		if used[e.Name()] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if fi, err := e.Info(); err != nil || time.Since(fi.ModTime()) < grace {
			continue
		}
		if err := os.Remove(filepath.Join(f.dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
