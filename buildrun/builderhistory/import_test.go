package builderhistory

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	controlapi "github.com/moby/buildkit/api/services/control"
)

// The status log is read frame by frame; a frame cut short or claiming
// more than a frame can hold is an error, not a partial build.
func TestReadStatusLog(t *testing.T) {
	frame := func(r *controlapi.StatusResponse) []byte {
		b, _ := r.MarshalVT()
		hdr := binary.LittleEndian.AppendUint32(nil, uint32(len(b)))
		return append(hdr, b...)
	}
	one := frame(&controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{{Digest: "sha256:aa", Name: "[1/2] FROM x"}}})
	two := frame(&controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{{Digest: "sha256:bb", Name: "[2/2] RUN y", Cached: true}}})
	for name, c := range map[string]struct {
		data    []byte
		want    int
		wantErr string
	}{
		"whole":     {append(append([]byte{}, one...), two...), 2, ""},
		"cut short": {append(append([]byte{}, one...), two[:len(two)-2]...), 0, "frame 1"},
		"too big":   {[]byte{0xff, 0xff, 0xff, 0xff}, 0, "not a BuildKit status log"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			store, err := contentlocal.NewStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(c.data)
			p := filepath.Join(dir, "blobs", "sha256", hex.EncodeToString(sum[:]))
			os.MkdirAll(filepath.Dir(p), 0o700)
			os.WriteFile(p, c.data, 0o600)
			d := &controlapi.Descriptor{Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(c.data))}
			ev, err := readStatusLog(context.Background(), store, d)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || len(ev) != c.want || !ev[1].Vertexes[0].Cached {
				t.Errorf("events %d (err %v)", len(ev), err)
			}
		})
	}
}
