package build

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// Metadata is what `docker buildx build --metadata-file` writes for a
// build: BuildKit's exporter response (containerimage.digest, image.name,
// containerimage.config.digest, …), descriptors decoded to objects, and
// buildx.build.ref naming the build on its builder. CI scripts read it.
func Metadata(rec *model.Build) map[string]any {
	out := map[string]any{"buildx.build.ref": "buildscope/" + builderKind(rec.Builder) + "/" + SolveRef(rec.ID)}
	for k, v := range rec.Exporter {
		if strings.HasPrefix(k, "containerimage.descriptor") || strings.HasSuffix(k, ".descriptor") {
			if raw, err := base64.StdEncoding.DecodeString(v); err == nil {
				var obj map[string]any
				if json.Unmarshal(raw, &obj) == nil {
					out[k] = obj
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

// WriteMetadata writes Metadata(rec) to path atomically.
func WriteMetadata(path string, rec *model.Build) error {
	data, err := json.MarshalIndent(Metadata(rec), "", "  ")
	if err != nil {
		return fmt.Errorf("encoding build metadata: %w", err)
	}
	if err := state.WriteFileAtomic(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing --metadata-file %s: %w", path, err)
	}
	return nil
}

// builderKind is the builder as a path element: an address's kind is
// "remote".
func builderKind(name string) string {
	if name == builder.KindEmbedded || name == builder.KindDocker {
		return name
	}
	return builder.KindRemote
}
