package buildrun

import (
	"encoding/json"
	"os"

	"github.com/buildscope/buildscope/model"
)

// Explain explains recorded build b against the previous build of the
// same context, Dockerfile and target in the history. Records carry the
// file digests of every step's inputs (tens of MB for a large context),
// so the previous build is picked from what each record says of itself,
// and only that one is read whole.
func (h History) Explain(b *model.Build) (*model.Explanation, error) {
	ids, err := h.ids()
	if err != nil {
		return nil, err
	}
	var heads []*model.Build
	for _, id := range ids {
		data, err := os.ReadFile(h.path(id))
		if err != nil {
			continue // removed since the directory was read
		}
		var head struct {
			ID, Context, Dockerfile, Target string
			Status                          string
			Started                         json.RawMessage
		}
		if json.Unmarshal(data, &head) != nil || head.ID != id {
			continue // damaged: `history ls` names it
		}
		hb := &model.Build{ID: head.ID, Context: head.Context, Dockerfile: head.Dockerfile, Target: head.Target, Status: head.Status}
		if json.Unmarshal(head.Started, &hb.Started) != nil {
			continue
		}
		heads = append(heads, hb)
	}
	prev := model.PreviousBuild(b, heads)
	if prev != nil {
		if prev, err = h.read(prev.ID); err != nil {
			return nil, err
		}
	}
	return model.Explain(b, prev), nil
}
