package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/moby/buildkit/client/ociindex"
	digest "github.com/opencontainers/go-digest"
)

// ociLayoutContext turns `--build-context NAME=oci-layout://DIR[:TAG][@DIGEST]`
// into what BuildKit needs: the layout as a session OCI store, and the
// context attribute `oci-layout://STORE[:TAG]@DIGEST`. Without a digest,
// the tag (default "latest") is looked up in the layout's index, or its
// only image is taken.
func ociLayoutContext(name, spec string) (attr string, storeID string, store content.Store, err error) {
	loc := strings.TrimPrefix(spec, "oci-layout://")
	loc, dgst, hasDigest := strings.Cut(loc, "@")
	tag := ""
	if i := strings.LastIndex(loc, ":"); i >= 0 && !strings.Contains(loc[i+1:], "/") {
		loc, tag = loc[:i], loc[i+1:]
	}
	dir, err := filepath.Abs(loc)
	if err != nil {
		return "", "", nil, fmt.Errorf("--build-context %s: resolving %s: %w", name, loc, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		return "", "", nil, fmt.Errorf("--build-context %s: %s is not an OCI layout (no index.json): write one with -o type=oci,tar=false,dest=DIR", name, loc)
	}
	if hasDigest {
		if _, err := digest.Parse(dgst); err != nil {
			return "", "", nil, fmt.Errorf("--build-context %s: invalid digest %q: %v", name, dgst, err)
		}
	} else {
		idx := ociindex.NewStoreIndex(dir)
		lookup := tag
		if lookup == "" {
			lookup = "latest"
		}
		desc, err := idx.Get(lookup)
		if err == nil && desc == nil && tag == "" {
			desc, err = idx.GetSingle()
		}
		if err != nil {
			return "", "", nil, fmt.Errorf("--build-context %s: reading the index of %s: %w", name, loc, err)
		}
		if desc == nil {
			return "", "", nil, fmt.Errorf("--build-context %s: no image tagged %q in %s, and it holds more than one: name one as oci-layout://DIR:TAG or oci-layout://DIR@sha256:…", name, lookup, loc)
		}
		dgst = desc.Digest.String()
	}
	if store, err = local.NewStore(dir); err != nil {
		return "", "", nil, fmt.Errorf("--build-context %s: opening %s as a content store: %w", name, loc, err)
	}
	storeID = "buildscope-context-" + strings.ToLower(name)
	attr = "oci-layout://" + storeID
	if tag != "" {
		attr += ":" + tag
	}
	return attr + "@" + dgst, storeID, store, nil
}
