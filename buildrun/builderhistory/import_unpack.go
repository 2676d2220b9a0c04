package builderhistory

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"

	digest "github.com/opencontainers/go-digest"
)

// bundleBlob is the name of a blob in an OCI archive.
var bundleBlob = regexp.MustCompile(`^blobs/sha256/[0-9a-f]{64}$`)

// unpackBundle extracts a bundle (an OCI archive, gzip'd as buildx writes
// it, or plain) into a temp directory laid out as a content store: its
// index.json and its blobs, each checked against its digest. Any other
// entry is skipped; a name that climbs out or a blob whose content does
// not match its name is an error. cleanup removes the directory.
func unpackBundle(file string) (dir string, cleanup func(), err error) {
	f, err := os.Open(file)
	if err != nil {
		return "", nil, fmt.Errorf("opening bundle: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return "", nil, fmt.Errorf("reading bundle %s: %w", file, err)
		}
		defer gz.Close()
		r = gz
	}
	dir, err = os.MkdirTemp("", "buildscope-import-")
	if err != nil {
		return "", nil, fmt.Errorf("unpacking bundle: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	tr := tar.NewReader(r)
	found := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			cleanup()
			return "", nil, fmt.Errorf("bundle %s is not a `docker buildx history export` bundle (a gzip'd OCI archive): %w", file, err)
		}
		name := path.Clean(hdr.Name)
		if hdr.Typeflag != tar.TypeReg || (name != "index.json" && !bundleBlob.MatchString(name)) {
			continue
		}
		if err := extractEntry(tr, filepath.Join(dir, filepath.FromSlash(name)), name); err != nil {
			cleanup()
			return "", nil, fmt.Errorf("unpacking bundle %s: %w", file, err)
		}
		found = found || name == "index.json"
	}
	if !found {
		cleanup()
		return "", nil, fmt.Errorf("bundle %s has no index.json: make it with `docker buildx history export`", file)
	}
	return dir, cleanup, nil
}

// extractEntry writes one entry, checking a blob's digest as it goes.
func extractEntry(r io.Reader, dest, name string) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dest, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	dg := digest.SHA256.Digester()
	_, err = io.Copy(io.MultiWriter(out, dg.Hash()), r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if want := path.Base(name); name != "index.json" && dg.Digest().Encoded() != want {
		return fmt.Errorf("blob %s holds content of digest %s: the bundle is damaged", want, dg.Digest())
	}
	return nil
}

func readJSONFile(file string, v any) error {
	dt, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(dt, v); err != nil {
		return fmt.Errorf("decoding %s: %w", filepath.Base(file), err)
	}
	return nil
}
