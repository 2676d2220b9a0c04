// Package keyoffer decides which of the keys that open the views of a
// build (c why steps ran, s stage sizes, d a run's diff, i the image's
// layers, t the timeline), and x (a shell in a failed RUN step, or in a completed step's result), work in
// the state the build UI is in — a build running or followed, finished,
// failed, replayed from buildscope's record or another client's, a bake
// — and for one that cannot, the one line that says why. The build UI draws its footer and help (?) from
// it and shows the line when such a key is pressed; it is pure, so every
// state is tested here.
package keyoffer

// State is what decides the keys: the build's, and which services the
// UI was given.
type State struct {
	// Done: the build is over; Failed: and did not succeed (or was
	// canceled); Bake: the UI shows a bake (one record per target).
	Done, Failed, Bake bool
	// Result: the build made an image (a record of it is kept).
	Result bool
	// Why, Stages, Diff and Inspect say the UI can explain, measure
	// stages, run a diff and open the image.
	Why, Stages, Diff, Inspect bool
	// ID is the build's record ("": none).
	ID string
	// StepFailed: the selected step is one that failed. Held: the
	// builder keeps that step open for a shell (the build UI's build
	// runs through the gateway). NoShell, when not "", says why no shell
	// can open in it.
	StepFailed, Held bool
	NoShell          string
	// Completed: the selected step ran (or came from the cache) and x
	// opens a shell in its result (stepshell), unless NoShell says why not.
	Completed bool
	// NoEdit, when not "", says why e cannot edit the failed instruction
	// (the builder sent no Dockerfile location). Edited: an edited
	// re-run is shown, which w writes to the Dockerfile; Written: it has
	// been; Busy: a re-run is under way.
	NoEdit                string
	Edited, Written, Busy bool
}

// ref is how the command line names the build.
func (s State) ref() string {
	if s.ID != "" {
		return "build:" + s.ID
	}
	return "build:ID"
}

// Offer says whether the key named key ("c", "s", "d", "i", "t", "x",
// "e" edit the failed instruction and re-run, "w" write the edit back)
// works in s, and if not why, in one line that starts with the key.
// Other keys are offered.
func Offer(key string, s State) (bool, string) {
	switch key {
	case "c":
		switch {
		case !s.Done:
			return false, "c: why steps ran is known once the build is over"
		case s.Bake:
			return false, "c: a bake records one build per target: `buildscope why build:ID` explains one (`buildscope history ls` lists them)"
		case !s.Why || s.ID == "":
			return false, "c: this build left no record to explain here; `buildscope why " + s.ref() + "` tries the builder's"
		}
	case "s":
		switch {
		case !s.Done:
			return false, "s: stage sizes are measured once the build is over"
		case s.Failed:
			return false, "s: the build failed, so its stages cannot all be built and measured: fix the error and build again"
		case s.Bake:
			return false, "s: `buildscope stages --target TARGET PATH` measures one target's stages"
		case !s.Stages:
			return false, "s: not measured from here: `buildscope stages " + s.ref() + "` builds every stage and measures it"
		}
	case "d":
		switch {
		case !s.Done:
			return false, "d: a run's diff needs the finished image"
		case s.Failed || !s.Result && !s.Bake:
			return false, "d: the build made no image to run"
		case s.Bake:
			return false, "d: `buildscope diff --image build:ID` runs one target's image (`buildscope history ls` lists them)"
		case !s.Diff:
			return false, "d: not run from here: `buildscope diff --image " + s.ref() + "` runs the image and shows what it wrote"
		}
	case "i":
		switch {
		case !s.Done:
			return false, "i: the image is inspected once the build is over"
		case s.Failed || !s.Result && !s.Bake:
			return false, "i: the build made no image to inspect"
		case s.Bake:
			return false, "i: `buildscope inspect build:ID` opens one target's image (`buildscope history ls` lists them)"
		case !s.Inspect:
			return false, "i: buildscope keeps no copy of this build's image: `buildscope inspect IMAGE` opens it by name"
		}
	case "x":
		switch {
		case s.Completed && s.NoShell != "":
			return false, "x: " + s.NoShell
		case s.Completed:
			return true, ""
		case !s.StepFailed:
			return false, "x: a shell opens in a failed RUN step: select the step that failed"
		case s.NoShell != "":
			return false, "x: " + s.NoShell
		case !s.Held && !s.Done:
			return false, "x: the builder has not said yet which step failed: a moment"
		case !s.Held:
			return false, "x: the builder let the failed step go when the build ended: `buildscope debug PATH` builds again and opens a shell in it (the step runs again)"
		}
	case "e":
		switch {
		case !s.StepFailed:
			return false, "e: edits the instruction of a failed RUN step and re-runs it: select the step that failed"
		case s.NoShell != "":
			return false, "e: " + s.NoShell
		case s.NoEdit != "":
			return false, "e: " + s.NoEdit
		case !s.Held && !s.Done:
			return false, "e: the builder has not said yet which step failed: a moment"
		case !s.Held:
			return false, "e: the builder let the failed step go when the build ended: `buildscope debug --edit PATH` builds again and re-runs it edited"
		case s.Busy:
			return false, "e: the edited re-run is under way"
		}
	case "w":
		switch {
		case !s.Edited:
			return false, "w: writes an edited instruction to the Dockerfile: e edits it and re-runs the step first"
		case s.Busy:
			return false, "w: the edited re-run is under way"
		case s.Written:
			return false, "w: the edit is already written to the Dockerfile"
		}
	}
	return true, ""
}
