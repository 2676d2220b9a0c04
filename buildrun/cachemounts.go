package buildrun

import (
	"context"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
)

// cacheRecords lists the builder's cache-mount records (nil when the
// builder cannot say: its size is then unknown, never guessed).
func cacheRecords(ctx context.Context, b *Builder) []model.CacheRecord {
	du, err := b.Client.DiskUsage(ctx, client.WithFilter([]string{"type==" + string(client.UsageRecordTypeCacheMount)}))
	if err != nil {
		return nil
	}
	out := make([]model.CacheRecord, 0, len(du))
	for _, u := range du {
		out = append(out, model.CacheRecord{Type: string(u.RecordType), Description: u.Description, Size: u.Size})
	}
	return out
}
