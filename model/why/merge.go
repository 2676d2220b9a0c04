package why

import "github.com/buildscope/buildscope/model"

// Merge is one explanation of a bake's steps from its targets' records
// recs, each explained by explain against that target's previous build:
// a step the targets share is listed once, with the first target's
// reason. The first error stops it.
func Merge(recs []*model.Build, explain func(*model.Build) (*Explanation, error)) (*Explanation, error) {
	out := &Explanation{Misses: []Miss{}, ChangedHits: []ChangedHit{}}
	seen := map[[2]string]bool{}
	for _, r := range recs {
		ex, err := explain(r)
		if err != nil {
			return nil, err
		}
		if out.Source == "" {
			out.Source = ex.Source
		}
		for _, m := range ex.Misses {
			if k := [2]string{m.Stage, m.Step}; !seen[k] {
				seen[k] = true
				out.Misses = append(out.Misses, m)
			}
		}
		out.ChangedHits = append(out.ChangedHits, ex.ChangedHits...)
	}
	return out, nil
}
