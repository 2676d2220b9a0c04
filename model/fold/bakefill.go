package fold

import "github.com/buildscope/buildscope/model"

// FillBake gives b, the fold of a bake's status stream (NewBake), what
// its targets' records recs hold and the stream does not: each step's
// size (a step is the same vertex in every target that builds it, so it
// is matched by digest) and the cache mounts, each once.
func FillBake(b *model.Build, recs []*model.Build) {
	sizes := map[string]int64{}
	type mountKey struct {
		stage, id string
		line      int
	}
	mounts := map[mountKey]bool{}
	for _, cm := range b.CacheMounts {
		mounts[mountKey{cm.Stage, cm.ID, cm.Line}] = true
	}
	for _, r := range recs {
		if r == nil {
			continue
		}
		for _, s := range r.Stages {
			for _, st := range s.Steps {
				if _, ok := sizes[st.Digest]; st.SizeBytes != nil && !ok {
					sizes[st.Digest] = *st.SizeBytes
				}
			}
		}
		for _, cm := range r.CacheMounts {
			if k := (mountKey{cm.Stage, cm.ID, cm.Line}); !mounts[k] {
				mounts[k] = true
				b.CacheMounts = append(b.CacheMounts, cm)
			}
		}
	}
	for si := range b.Stages {
		for k := range b.Stages[si].Steps {
			st := &b.Stages[si].Steps[k]
			if v, ok := sizes[st.Digest]; ok && st.SizeBytes == nil {
				st.SizeBytes = &v
			}
		}
	}
}
