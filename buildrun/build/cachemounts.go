package build

import (
	"context"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/model/fold"
)

// cacheRecords lists the builder's cache-mount records (nil when the
// builder cannot say: its size is then unknown, never guessed).
func cacheRecords(ctx context.Context, b *builder.Builder) []fold.CacheRecord {
	du, err := b.Client.DiskUsage(ctx, client.WithFilter([]string{"type==" + string(client.UsageRecordTypeCacheMount)}))
	if err != nil {
		return nil
	}
	out := make([]fold.CacheRecord, 0, len(du))
	for _, u := range du {
		out = append(out, fold.CacheRecord{Type: string(u.RecordType), Description: u.Description, Size: u.Size, InUse: u.InUse})
	}
	return out
}

// settledCacheRecords is cacheRecords once no cache mount is in use, read
// again every 50 ms for up to a second: BuildKit releases a build's
// mounts just after its solve returns, and reports no size for a mount in
// use. A mount another build still holds stays unmeasured, and its use is
// then reported unknown.
func settledCacheRecords(ctx context.Context, b *builder.Builder) []fold.CacheRecord {
	for i := 0; ; i++ {
		recs := cacheRecords(ctx, b)
		if recs == nil || !fold.AnyChanging(recs) || i == 20 || ctx.Err() != nil {
			return recs
		}
		time.Sleep(50 * time.Millisecond)
	}
}
