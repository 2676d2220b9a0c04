package progress

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// bake's targets report from goroutines of their own: the plain display's
// filter of repeated vertices takes their statuses at once (it was a map
// written without a lock: "concurrent map read and map write" killed
// `bake -f compose.yaml`).
func TestShowTakesStatusesFromManyGoroutines(t *testing.T) {
	err := Show(context.Background(), io.Discard, io.Discard, progressui.PlainMode, func(onStatus func(*client.SolveStatus)) error {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 500 {
					now := time.Now()
					d := digest.FromString(string(rune('a'+g)) + string(rune(i)))
					onStatus(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: d, Name: "step", Started: &now}}})
					onStatus(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: d, Name: "step", Started: &now, Completed: &now}}})
				}
			})
		}
		wg.Wait()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
