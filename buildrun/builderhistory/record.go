package builderhistory

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/grpc/codes"

	"github.com/buildscope/buildscope/buildrun/cachekeys"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/fold"
)

// foreignProvenance is the part of the SLSA v1 provenance BuildKit keeps
// with every history record (mode=max) that rebuilds a foreign build: its
// Dockerfile's text and its LLB.
type foreignProvenance struct {
	BuildDefinition struct {
		InternalParameters struct {
			BuildConfig struct {
				Definition    []fold.LLBStep    `json:"llbDefinition"`
				DigestMapping map[string]string `json:"digestMapping"`
			} `json:"buildConfig"`
		} `json:"internalParameters"`
		ResolvedDependencies []cachekeys.Dependency `json:"resolvedDependencies"`
	} `json:"buildDefinition"`
	RunDetails struct {
		Metadata struct {
			BuildKit struct {
				Source *struct {
					Infos []struct {
						Filename string `json:"filename"`
						Language string `json:"language"`
						Data     []byte `json:"data"`
					} `json:"infos"`
				} `json:"source"`
			} `json:"buildkit_metadata"`
		} `json:"metadata"`
	} `json:"runDetails"`
}

// UnnamedContext is the context of a foreign build whose client did not
// name its directory: the builder knows only that a client sent one.
const UnnamedContext = "(the client's local context)"

// foreignContext names a foreign build's context as far as the client
// told the builder: the git remote and directory buildx sends when the
// context is in a repository, else UnnamedContext. Builds of the same
// Dockerfile name and target are compared (why) only within one context.
func foreignContext(attrs map[string]string) string {
	var parts []string
	for _, k := range []string{"vcs:source", "vcs:localdir:context"} {
		if v := attrs[k]; v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return UnnamedContext
	}
	return strings.Join(parts, " ")
}

// What a foreign record may lack, as `history show` and `why` say it.
const (
	missingProvenance = "provenance: the builder kept none for this build (it failed before producing a result, or its frontend returned none), so its steps are under the stages BuildKit names, without Dockerfile lines, and `why` cannot explain it"
	missingDockerfile = "the Dockerfile: the build's provenance keeps no Dockerfile source (not a Dockerfile build), so its steps are under the stages BuildKit names and `why` cannot explain it"
	missingLogs       = "logs: the record keeps no status log, so it has no steps"
)

// recordBuild rebuilds the record of a build buildscope did not run from
// a history record and the blobs it names (the builder's content store, or
// an imported bundle's): steps from the log blob, stages, lines and inputs
// from the Dockerfile and LLB in its provenance. It returns the build and
// its status stream and Dockerfile (for the UI's replay). keys, when not
// nil, gives the cache keys of the steps of its LLB (keysOf).
func recordBuild(ctx context.Context, r *controlapi.BuildHistoryRecord, blobs content.Provider, builder string, keys cachekeys.KeyReader) (*OpenedBuild, error) {
	br := builderRecord(r)
	attrs := r.FrontendAttrs
	b := &model.Build{ID: r.Ref, Builder: builder, Target: attrs["target"], Dockerfile: attrs["filename"],
		Context: foreignContext(attrs), Status: br.Status, Error: br.Error, Started: br.Started, Completed: br.Completed,
		BuildArgs: fold.ForeignBuildArgs(attrs), Exporter: r.ExporterResponse, Stages: []model.Stage{},
		Origin: &model.Origin{Ref: r.Ref, By: br.By, Frontend: r.Frontend}}
	if b.Dockerfile == "" {
		b.Dockerfile = "Dockerfile"
	}
	if p := attrs["platform"]; p != "" {
		b.Platforms = strings.Split(p, ",")
	}
	if r.Error != nil && r.Error.Code == int32(codes.Canceled) {
		b.Error = "build canceled"
	}
	var in fold.ForeignInput
	var missing []string
	var stepKeys map[string]*model.CacheKey
	if r.Logs == nil {
		missing = append(missing, missingLogs)
	} else {
		ev, err := readStatusLog(ctx, blobs, r.Logs)
		if err != nil {
			return nil, fmt.Errorf("reading the logs of build %s: %w", r.Ref, err)
		}
		in.Events = ev
	}
	prov := provenanceOf(r)
	if prov == nil {
		missing = append(missing, missingProvenance)
	} else {
		p, err := readProvenance(ctx, blobs, r.Ref, prov)
		if err != nil {
			return nil, err
		}
		if src := p.RunDetails.Metadata.BuildKit.Source; src != nil {
			for _, info := range src.Infos {
				if info.Language == "Dockerfile" || in.Dockerfile == nil && len(info.Data) > 0 {
					in.Dockerfile, in.DockerfileName = info.Data, info.Filename
				}
			}
		}
		if in.Dockerfile == nil {
			missing = append(missing, missingDockerfile)
		}
		bc := p.BuildDefinition.InternalParameters.BuildConfig
		if len(bc.Definition) > 0 {
			if in.LLB, err = fold.NormalizeLLB(bc.Definition, bc.DigestMapping); err != nil {
				b.Warnings = append(b.Warnings, model.Warning{Short: "the LLB in the build's provenance is not usable: " + err.Error()})
			} else if keys != nil {
				stepKeys, b.KeysMissing = keys(ctx, p.llb(), r.Ref)
			}
		}
	}
	b.Origin.Missing = strings.Join(missing, "; ")
	b = fold.Foreign(b, in)
	if stepKeys != nil {
		cachekeys.Set(b, stepKeys)
	}
	return &OpenedBuild{Build: b, Events: in.Events, Dockerfile: in.Dockerfile, Close: func() {}}, nil
}

// readProvenance reads and decodes the provenance prov of build ref.
func readProvenance(ctx context.Context, blobs content.Provider, ref string, prov *controlapi.Descriptor) (*foreignProvenance, error) {
	dt, err := content.ReadBlob(ctx, blobs, toOCI(prov))
	if err != nil {
		return nil, fmt.Errorf("reading the provenance of build %s: %w", ref, err)
	}
	var p foreignProvenance
	if err := json.Unmarshal(dt, &p); err != nil {
		return nil, fmt.Errorf("decoding the provenance of build %s: %w", ref, err)
	}
	return &p, nil
}

// llb is the build's LLB as the key reader takes it, with the content
// checksums of its remote sources.
func (p *foreignProvenance) llb() *cachekeys.LLB {
	bc := p.BuildDefinition.InternalParameters.BuildConfig
	return &cachekeys.LLB{Definition: bc.Definition, DigestMapping: bc.DigestMapping, Pins: cachekeys.PinsOf(p.BuildDefinition.ResolvedDependencies)}
}

// provenanceOf is the record's provenance attestation, nil if it has none.
func provenanceOf(r *controlapi.BuildHistoryRecord) *controlapi.Descriptor {
	for _, res := range append([]*controlapi.BuildResultInfo{r.Result}, mapValues(r.Results)...) {
		if res == nil {
			continue
		}
		for _, att := range res.Attestations {
			if strings.Contains(att.Annotations["in-toto.io/predicate-type"], "slsa.dev/provenance") {
				return att
			}
		}
	}
	return nil
}

func toOCI(d *controlapi.Descriptor) ocispecs.Descriptor {
	return ocispecs.Descriptor{Digest: digest.Digest(d.Digest), Size: d.Size, MediaType: d.MediaType}
}

// maxStatusFrame bounds one frame of a status log: BuildKit writes one
// StatusResponse per frame, far smaller than this.
const maxStatusFrame = 64 << 20

// readStatusLog decodes a record's log blob: BuildKit's StatusResponse
// messages, each after its length as 4 little-endian bytes.
func readStatusLog(ctx context.Context, blobs content.Provider, d *controlapi.Descriptor) ([]*client.SolveStatus, error) {
	ra, err := blobs.ReaderAt(ctx, toOCI(d))
	if err != nil {
		return nil, err
	}
	defer ra.Close()
	r := bufio.NewReader(content.NewReader(ra))
	var out []*client.SolveStatus
	hdr := make([]byte, 4)
	for {
		if _, err := io.ReadFull(r, hdr); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("frame %d: %w", len(out), err)
		}
		n := binary.LittleEndian.Uint32(hdr)
		if n > maxStatusFrame {
			return nil, fmt.Errorf("frame %d claims %d bytes: not a BuildKit status log", len(out), n)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("frame %d: %w", len(out), err)
		}
		var resp controlapi.StatusResponse
		if err := resp.UnmarshalVT(buf); err != nil {
			return nil, fmt.Errorf("frame %d: %w", len(out), err)
		}
		out = append(out, client.NewSolveStatus(&resp))
	}
}
