package fold

import (
	"os"
	"reflect"
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/buildscope/buildscope/model"
)

// A foreign record with its Dockerfile folds exactly as buildscope's own
// build of it: same stages and lines, and a COPY from the context keeps
// the paths it selects (the builder keeps no per-file digests).
func TestFoldForeignMapsLikeAnOwnBuild(t *testing.T) {
	df, err := os.ReadFile("../../testdata/multistage.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	events := modeltest.LoadEvents(t, "../../testdata/multistage-cold.jsonl")
	own := foldEvents(t, modeltest.LoadPlan(t, "../../testdata/multistage.Dockerfile", nil), events)
	b := Foreign(&model.Build{ID: "ref"}, ForeignInput{Events: events, Dockerfile: df, DockerfileName: "Dockerfile"})
	if got, want := stepSummary(b), stepSummary(own); !reflect.DeepEqual(got, want) {
		t.Errorf("foreign fold\n got %v\nwant %v", got, want)
	}
	var copySrc []string
	for _, st := range b.Stages[0].Steps {
		if st.Line == 17 && st.Inputs != nil {
			copySrc = st.Inputs.Selected
		}
	}
	if !reflect.DeepEqual(copySrc, []string{"src/"}) {
		t.Errorf("COPY src/ selects %v", copySrc)
	}
	// without a Dockerfile: the stages BuildKit names, no inputs
	bare := Foreign(&model.Build{ID: "ref"}, ForeignInput{Events: events})
	if len(bare.Stages) != 2 || bare.Stages[0].Steps[0].Inputs != nil || bare.Stages[0].Steps[0].Line != 0 {
		t.Errorf("without a Dockerfile: %+v", bare.Stages)
	}
}
