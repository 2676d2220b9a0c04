package source

import (
	"fmt"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// BuildBack is the ID of the build s names counting back: for
// build:last~N, the Nth build before the last one of the same context,
// Dockerfile and target (build:last~0 is the last build). list returns
// the history, so that a caller resolving two specs reads it once.
// A spec that does not count back (build:ID) is its own ID.
func BuildBack(h history.History, s Spec, list func() ([]*model.Build, error)) (string, error) {
	if s.Kind != SpecBuild {
		return "", fmt.Errorf("%s is not a recorded build", model.Printable(s.Raw))
	}
	if s.Build != "last" {
		return s.Build, nil
	}
	b, err := h.Get("last")
	if err != nil {
		return "", err
	}
	if s.Back == 0 {
		return b.ID, nil
	}
	all, err := list()
	if err != nil {
		return "", err
	}
	for i := 0; i < s.Back; i++ {
		if b = why.PreviousBuild(b, all); b == nil {
			return "", fmt.Errorf("%s: there are not %d earlier builds of the last build's context, Dockerfile and target", s, s.Back)
		}
	}
	return b.ID, nil
}
