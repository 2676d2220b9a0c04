package failedstep

import "github.com/buildscope/buildscope/model"

// Failure is the error the build UI shows under its panes: the selected
// step's (sel says a step is selected), or, when the build failed and no
// step carries one (the builder failed the solve before any step), the
// build's own (b's, else err's). line is the Dockerfile line of the
// failing instruction (0: none).
func Failure(st model.Step, sel, failed bool, b *model.Build, err error) (text string, line int, ok bool) {
	if sel && st.Error != "" {
		return st.Error, st.Line, true
	}
	if !failed || anyStepFailed(b) {
		return "", 0, false
	}
	switch {
	case b.Error != "":
		return b.Error, 0, true
	case err != nil:
		return err.Error(), 0, true
	}
	return "", 0, false
}

func anyStepFailed(b *model.Build) bool {
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			if st.Error != "" {
				return true
			}
		}
	}
	for _, st := range b.Other {
		if st.Error != "" {
			return true
		}
	}
	return false
}
