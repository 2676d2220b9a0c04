package build

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
)

// The caches a build imported (--cache-from), read back after the build
// so that `why` can say whether they held a step's key: BuildKit's cache
// config lists the exported keys as records linked like its key store.

const cacheConfigType = "application/vnd.buildkit.cacheconfig.v0"

// cacheConfig is BuildKit's cache config (cache/remotecache/v1).
type cacheConfig struct {
	Records []struct {
		Digest  string            `json:"digest"`
		Results []json.RawMessage `json:"layers"`
		Old     []json.RawMessage `json:"results"`
		Chained []json.RawMessage `json:"chains"`
		Inputs  [][]struct {
			Link int `json:"link"`
		} `json:"inputs"`
	} `json:"records"`
}

// manifestish is an OCI index or image manifest: the cache manifest list
// names its config among its manifests, an image manifest as its config.
type manifestish struct {
	Manifests []descriptor `json:"manifests"`
	Config    *descriptor  `json:"config"`
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Annotations map[string]string `json:"annotations"`
}

// readCacheImports reads what each --cache-from holds.
func readCacheImports(ctx context.Context, from []string) []model.CacheImport {
	entries, _, err := cacheOptions(from, nil)
	if err != nil {
		return nil
	}
	var out []model.CacheImport
	for i, e := range entries {
		ci := model.CacheImport{Ref: from[i]}
		cfg, err := readCacheConfig(ctx, e)
		if err != nil {
			ci.Error = err.Error()
		} else {
			ci.Records = importedRecords(cfg)
		}
		out = append(out, ci)
	}
	return out
}

func readCacheConfig(ctx context.Context, e client.CacheOptionsEntry) (*cacheConfig, error) {
	var get func(dgst string) ([]byte, error)
	var top []byte
	switch e.Type {
	case "local":
		dir, tag := e.Attrs["src"], e.Attrs["tag"]
		if tag == "" {
			tag = "latest"
		}
		get = func(dgst string) ([]byte, error) {
			return os.ReadFile(filepath.Join(dir, "blobs", strings.Replace(dgst, ":", "/", 1)))
		}
		b, err := os.ReadFile(filepath.Join(dir, "index.json"))
		if err != nil {
			return nil, fmt.Errorf("reading the cache's index: %w", err)
		}
		var idx manifestish
		if err := json.Unmarshal(b, &idx); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", filepath.Join(dir, "index.json"), err)
		}
		for _, m := range idx.Manifests {
			if m.Annotations["org.opencontainers.image.ref.name"] == tag || len(idx.Manifests) == 1 {
				if top, err = get(m.Digest); err != nil {
					return nil, fmt.Errorf("reading the cache manifest: %w", err)
				}
				break
			}
		}
		if top == nil {
			return nil, fmt.Errorf("%s has no cache tagged %s", dir, tag)
		}
	case "registry":
		ref, err := name.ParseReference(e.Attrs["ref"])
		if err != nil {
			return nil, fmt.Errorf("parsing the cache ref: %w", err)
		}
		opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
		desc, err := remote.Get(ref, opts...)
		if err != nil {
			return nil, fmt.Errorf("reading the cache manifest: %w", err)
		}
		top = desc.Manifest
		get = func(dgst string) ([]byte, error) {
			l, err := remote.Layer(ref.Context().Digest(dgst), opts...)
			if err != nil {
				return nil, err
			}
			rc, err := l.Compressed()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(rc)
		}
	default:
		return nil, fmt.Errorf("buildscope reads only local and registry caches, not type=%s", e.Type)
	}
	var m manifestish
	if err := json.Unmarshal(top, &m); err != nil {
		return nil, fmt.Errorf("decoding the cache manifest: %w", err)
	}
	descs := m.Manifests
	if m.Config != nil {
		descs = append(descs, *m.Config)
	}
	for _, d := range descs {
		if d.MediaType != cacheConfigType {
			continue
		}
		b, err := get(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("reading the cache config: %w", err)
		}
		var cfg cacheConfig
		if err := json.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("decoding the cache config: %w", err)
		}
		return &cfg, nil
	}
	return nil, fmt.Errorf("the cache manifest names no cache config (%s): not a BuildKit cache", cacheConfigType)
}

func importedRecords(cfg *cacheConfig) []model.ImportedRecord {
	out := make([]model.ImportedRecord, len(cfg.Records))
	for i, r := range cfg.Records {
		out[i] = model.ImportedRecord{Digest: r.Digest, Result: len(r.Results)+len(r.Old)+len(r.Chained) > 0}
		for _, in := range r.Inputs {
			links := []int{}
			for _, l := range in {
				links = append(links, l.Link)
			}
			out[i].Inputs = append(out[i].Inputs, links)
		}
	}
	return out
}
