package buildui

import (
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/advice"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// Once the build is over, a RUN's cache mounts show on its step line (id,
// warm or empty, size) and the seeds' advice follows BuildKit's warnings
// in the image node's pane.
func TestStepDetailsShowMountsAndAdvice(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := New(Options{Title: "x", Builder: "embedded", Now: func() time.Time { return now }})
	m.Update(teaSize(160, 30))
	b := &model.Build{Status: model.StatusOK, Started: now, Completed: now.Add(time.Second),
		Stages: []model.Stage{{Name: "api", Steps: []model.Step{
			{Name: "[api 1/2] COPY requirements.txt ./", Instruction: "COPY requirements.txt ./", Line: 17, Digest: "sha256:1"},
			{Name: "[api 2/2] RUN --mount=type=cache,id=pip pip install", Instruction: "RUN --mount=type=cache,id=pip pip install", Line: 18, Digest: "sha256:2"},
		}}},
		CacheMounts: []model.CacheMountUse{{Stage: "api", Line: 18, CacheMount: model.CacheMount{ID: "pip", Target: "/root/.cache/pip", Sharing: "shared"}, SizeBytes: 1_700_000, Warm: true}},
		Warnings:    []model.Warning{{Short: "FromAsCasing: …", Line: 1}},
		Advice:      []model.Advice{{Rule: advice.BindMount, Line: 17, Message: "requirements.txt is read only by the RUN at line 18"}},
	}
	m.Update(DoneMsg{Build: b})
	m.selNode = 0
	if scr := screen(m); !strings.Contains(scr, "L18  [cache pip warm 1.7MB] RUN --mount") || strings.Contains(scr, "L17  [cache") {
		t.Errorf("steps of api:\n%s", scr)
	}
	m.selNode = len(m.build.Stages) // the image node
	scr := screen(m)
	w, a := strings.Index(scr, "⚠ line 1: FromAsCasing"), strings.Index(scr, "✎ line 17: bind-mount-over-copy: requirements.txt is read only")
	if w < 0 || a < w {
		t.Errorf("image node: want the warning, then the advice:\n%s", scr)
	}
}

// On a builder whose frontend has no checks, the image node's pane says
// so where the warnings would be.
func TestChecksUnavailableShown(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := New(Options{Title: "x", Builder: "docker", Now: func() time.Time { return now }})
	m.Update(teaSize(160, 30))
	m.Update(DoneMsg{Build: &model.Build{Status: model.StatusOK, Started: now, Completed: now.Add(time.Second),
		Stages:            []model.Stage{{Name: "stage-0", Steps: []model.Step{{Name: "[1/1] RUN x", Instruction: "RUN x", Line: 2, Digest: "sha256:1"}}}},
		ChecksUnavailable: "its BuildKit is older than 0.11"}})
	m.selNode = len(m.build.Stages)
	if scr := screen(m); !strings.Contains(scr, "⚠ checks not available on this builder: its BuildKit is older than 0.11") {
		t.Errorf("image node:\n%s", scr)
	}
}

// A stage's pane lists the checks' warnings of its own lines after its
// steps (a real record: testdata of model/checks); the image node still
// lists them all.
func TestStagePaneShowsItsWarnings(t *testing.T) {
	b := loadRecord(t, "../../model/testdata/checks/warnings.json")
	m := New(Options{Title: "x", Builder: "embedded", Now: func() time.Time { return b.Completed }})
	m.Update(teaSize(200, 30))
	m.Update(DoneMsg{Build: b})
	for i, want := range map[int][]string{0: {"⚠ L2   SecretsUsedInArgOrEnv"}, 1: {"⚠ L9   SecretsUsedInArgOrEnv", "⚠ L11  JSONArgsRecommended"}} {
		m.selNode = i
		scr := screen(m)
		for _, w := range want {
			if !strings.Contains(scr, w) {
				t.Errorf("stage %s lacks %q:\n%s", b.Stages[i].Name, w, scr)
			}
		}
		if strings.Contains(scr, "FromAsCasing") { // line 5: the stage the build did not reach
			t.Errorf("stage %s shows another stage's warning:\n%s", b.Stages[i].Name, scr)
		}
	}
	m.selNode = len(m.build.Stages)
	if scr := screen(m); !strings.Contains(scr, "⚠ line 5: FromAsCasing") {
		t.Errorf("image node lacks the unreached stage's warning:\n%s", scr)
	}
}

func loadRecord(t *testing.T, path string) *model.Build {
	t.Helper()
	var b model.Build
	tuitest.LoadJSON(t, path, &b)
	return &b
}
