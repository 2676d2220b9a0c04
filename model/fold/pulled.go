package fold

import (
	"strings"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
)

// pulled keeps a layer a FROM fetched or unpacked, from its progress:
// BuildKit reports a fetch as a status named by the blob's digest, with
// its size as the total, and the unpacking as "extracting DIGEST".
func (f *Folder) pulled(x *client.VertexStatus) {
	pos, ok := f.where[x.Vertex.String()]
	if !ok {
		return
	}
	st := f.stepAt(pos)
	if !strings.HasPrefix(st.Instruction, "FROM ") {
		return
	}
	d, extracting := strings.CutPrefix(x.ID, "extracting ")
	if !strings.HasPrefix(d, "sha256:") || strings.ContainsAny(d, " \t\n") {
		return
	}
	i := 0
	for i < len(st.Pulled) && st.Pulled[i].Digest != d {
		i++
	}
	if i == len(st.Pulled) {
		st.Pulled = append(st.Pulled, model.PulledLayer{Digest: d})
	}
	switch {
	case extracting:
		st.Pulled[i].Extracted = true
	case x.Total > 0:
		st.Pulled[i].SizeBytes = x.Total
	}
}
