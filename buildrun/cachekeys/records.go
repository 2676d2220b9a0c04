package cachekeys

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/moby/buildkit/solver"
	"github.com/moby/buildkit/solver/bboltcachestorage"
)

// loadRecords reads the records of BuildKit's key store that its roots
// reach (as BuildKit's util/cachestore does), each with its ID in the
// store, numbered in the order of those IDs.
func loadRecords(ctx context.Context, store *bboltcachestorage.Store) (map[int]*keyRecord, error) {
	var roots []string
	if err := store.Walk(func(id string) error {
		if strings.HasPrefix(id, "random:") || strings.HasPrefix(id, "sha256:") {
			roots = append(roots, id)
		}
		return ctx.Err()
	}); err != nil {
		return nil, err
	}
	type pending struct {
		parent string
		link   solver.CacheInfoLink
	}
	byID := map[string]*keyRecord{}
	links := map[string][]pending{}
	queue := roots
	for _, id := range roots {
		byID[id] = nil
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if err := store.WalkLinksAll(id, func(child string, l solver.CacheInfoLink) error {
			links[child] = append(links[child], pending{id, l})
			if _, ok := byID[child]; !ok {
				byID[child] = nil
				queue = append(queue, child)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	ids := slices.Sorted(maps.Keys(byID))
	for i, id := range ids {
		r := &keyRecord{ID: i + 1, BuildKitID: id}
		switch {
		case strings.HasPrefix(id, "random:"):
			r.Digest, r.Random = "sha256:"+strings.TrimPrefix(id, "random:"), true
		case strings.HasPrefix(id, "sha256:"):
			r.Digest = id
		}
		byID[id] = r
	}
	out := make(map[int]*keyRecord, len(ids))
	for _, id := range ids {
		r := byID[id]
		for _, p := range links[id] {
			r.Parents = append(r.Parents, keyLink{Input: int(p.link.Input), Digest: p.link.Digest.String(), Selector: p.link.Selector.String(), Target: byID[p.parent].ID})
		}
		out[r.ID] = r
	}
	return out, nil
}

// keyLink links a record to the record of one of its op's inputs.
type keyLink struct {
	Input    int
	Digest   string
	Selector string
	Target   int
}
