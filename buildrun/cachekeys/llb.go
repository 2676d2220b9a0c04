package cachekeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/content/proxy"
	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sirupsen/logrus"

	"github.com/buildscope/buildscope/model/fold"
)

// provenance is the part of BuildKit's SLSA v1 provenance that holds the
// build's LLB.
type provenance struct {
	BuildDefinition struct {
		InternalParameters struct {
			BuildConfig LLB `json:"buildConfig"`
		} `json:"internalParameters"`
		ResolvedDependencies []Dependency `json:"resolvedDependencies"`
	} `json:"buildDefinition"`
}

// Dependency is one of the sources a provenance says the build resolved:
// an image, a git commit, a remote file (its URL and content checksum).
type Dependency struct {
	URI    string            `json:"uri"`
	Digest map[string]string `json:"digest"`
}

// LLB is the build's LLB as its provenance records it: the ops by
// step ID, and each vertex digest's step ID; Pins are the content
// checksums of its remote sources, by URL (the provenance's resolved
// dependencies: BuildKit keys a remote file by its checksum, not its URL).
type LLB struct {
	Definition    []fold.LLBStep    `json:"llbDefinition"`
	DigestMapping map[string]string `json:"digestMapping"`
	Pins          map[string]string `json:"-"`
}

// PinsOf are the content checksums of the remote (http, https) sources
// among deps, and the commits of the git sources, by URL.
func PinsOf(deps []Dependency) map[string]string {
	out := map[string]string{}
	for _, d := range deps {
		if c := d.Digest["sha1"]; c != "" || strings.HasPrefix(d.URI, "git://") {
			// a git source (any scheme): the commit it resolved
			if c == "" {
				c = d.Digest["sha256"]
			}
			if c != "" {
				out[d.URI] = c
			}
			continue
		}
		if !strings.HasPrefix(d.URI, "http://") && !strings.HasPrefix(d.URI, "https://") {
			continue
		}
		for alg, hex := range d.Digest {
			if alg == "sha256" {
				out[d.URI] = alg + ":" + hex
			}
		}
	}
	return out
}

// provenanceWait bounds the wait for a finished build's provenance.
const provenanceWait = 15 * time.Second

// buildConfig reads the LLB of build ref from its provenance.
func buildConfig(ctx context.Context, c *client.Client, ref string) (*LLB, error) {
	// a builder busy with other builds may write the record a while after
	// the solve returns: wait up to provenanceWait for it
	ctx, cancel := context.WithTimeout(ctx, provenanceWait)
	defer cancel()
	start, polls := time.Now(), 0
	defer func() { logrus.Debugf("provenance of %s: read in %s (%d polls)", ref, time.Since(start), polls) }()
	var att *controlapi.Descriptor
	for att == nil {
		polls++
		rec, complete, err := HistoryRecord(ctx, c, ref)
		if err != nil {
			return nil, err
		}
		if rec.Result != nil && len(rec.Result.Attestations) > 0 {
			att = rec.Result.Attestations[0]
			break
		}
		if complete { // a failed build has no result, so no provenance: do not wait for it
			return nil, fmt.Errorf("build %s: BuildKit kept no provenance (the build produced no result)", ref)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("build %s: BuildKit kept no provenance", ref)
		case <-time.After(100 * time.Millisecond):
		}
	}
	store := proxy.NewContentStore(c.ContentClient())
	dt, err := content.ReadBlob(ctx, store, ocispecs.Descriptor{Digest: digest.Digest(att.Digest), Size: att.Size, MediaType: att.MediaType})
	if err != nil {
		return nil, fmt.Errorf("reading the provenance of build %s: %w", ref, err)
	}
	var p provenance
	if err := json.Unmarshal(dt, &p); err != nil {
		return nil, fmt.Errorf("decoding the provenance of build %s: %w", ref, err)
	}
	bc := p.BuildDefinition.InternalParameters.BuildConfig
	if len(bc.Definition) == 0 {
		return nil, fmt.Errorf("the provenance of build %s holds no LLB", ref)
	}
	bc.Pins = PinsOf(p.BuildDefinition.ResolvedDependencies)
	return &bc, nil
}

// HistoryRecord is BuildKit's history record of the build ref; complete
// says BuildKit has finished it (its result and attestations are in).
func HistoryRecord(ctx context.Context, c *client.Client, ref string) (rec *controlapi.BuildHistoryRecord, complete bool, err error) {
	cl, err := c.ControlClient().ListenBuildHistory(ctx, &controlapi.BuildHistoryRequest{Ref: ref, EarlyExit: true})
	if err != nil {
		return nil, false, fmt.Errorf("reading BuildKit's history of %s: %w", ref, err)
	}
	for {
		ev, err := cl.Recv()
		if errors.Is(err, io.EOF) {
			return nil, false, fmt.Errorf("BuildKit has no history of build %s", ref)
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading BuildKit's history of %s: %w", ref, err)
		}
		if ev.Record != nil && ev.Record.Ref == ref {
			return ev.Record, ev.Type == controlapi.BuildHistoryEventType_COMPLETE, nil
		}
	}
}
