package fold

import (
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"
)

// History of the production image of assets/examples/multistage as
// BuildKit wrote it (config history and compressed layer sizes of a real
// build on the embedded builder).
var productionHistory = []HistoryEntry{
	{CreatedBy: "buildscope base image from /bin/busybox", SizeBytes: 1150843},
	{CreatedBy: "WORKDIR /app", SizeBytes: 93},
	{CreatedBy: "COPY /out/ /app/ # buildkit", SizeBytes: 381},
	{CreatedBy: "RUN /bin/sh -c echo 'greeter:x:1000:1000::/app:/bin/false' >> /etc/passwd # buildkit", SizeBytes: 237},
	{CreatedBy: "USER greeter", EmptyLayer: true},
	{CreatedBy: `CMD ["/app/greeter"]`, EmptyLayer: true},
}

func TestAssignStepSizes(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../testdata/multistage.Dockerfile", nil)
	b := foldEvents(t, plan, modeltest.LoadEvents(t, "../../testdata/multistage-cold.jsonl"))
	if !AssignStepSizes(b, plan, productionHistory) {
		t.Fatal("history did not line up")
	}
	want := map[int]int64{24: 93, 25: 381, 26: 237}
	for _, st := range b.Stages[1].Steps {
		if st.SizeBytes == nil || *st.SizeBytes != want[st.Line] {
			t.Errorf("line %d: size %v, want %d", st.Line, st.SizeBytes, want[st.Line])
		}
	}
	for _, st := range b.Stages[0].Steps {
		if st.SizeBytes != nil {
			t.Errorf("builder step %d got a size from the production image", st.Line)
		}
	}
}

func TestAssignStepSizesRefusesMismatch(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../testdata/multistage.Dockerfile", nil)
	b := foldEvents(t, plan, modeltest.LoadEvents(t, "../../testdata/multistage-cold.jsonl"))
	bad := append([]HistoryEntry(nil), productionHistory...)
	bad[3].CreatedBy = "COPY x y # buildkit" // a RUN line paired with a COPY entry
	if AssignStepSizes(b, plan, bad) {
		t.Error("mismatched history accepted")
	}
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			if st.SizeBytes != nil {
				t.Errorf("size assigned despite the mismatch: %+v", st)
			}
		}
	}
}

// BuildKit records an ARG given a value with --build-arg in the image's
// history ("ARG DB_PASSWORD=…", no layer); sizes still line up.
func TestAssignStepSizesSkipsArgEntries(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../testdata/multistage.Dockerfile", nil)
	b := foldEvents(t, plan, modeltest.LoadEvents(t, "../../testdata/multistage-cold.jsonl"))
	hist := append([]HistoryEntry(nil), productionHistory[:2]...)
	hist = append(hist, HistoryEntry{CreatedBy: "ARG VERSION=2", EmptyLayer: true})
	hist = append(hist, productionHistory[2:]...)
	if !AssignStepSizes(b, plan, hist) {
		t.Fatal("history with an ARG entry did not line up")
	}
	for _, st := range b.Stages[1].Steps {
		if st.Line == 25 && (st.SizeBytes == nil || *st.SizeBytes != 381) {
			t.Errorf("COPY at line 25: size %v, want 381", st.SizeBytes)
		}
	}
}
