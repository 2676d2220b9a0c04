package buildrun

import "github.com/buildscope/buildscope/model"

// Explain explains recorded build b against the previous build of the
// same context, Dockerfile and target in the history.
func (h History) Explain(b *model.Build) (*model.Explanation, error) {
	all, err := h.List()
	if err != nil {
		return nil, err
	}
	return model.Explain(b, model.PreviousBuild(b, all)), nil
}
