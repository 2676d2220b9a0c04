package buildtext

import (
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/buildscope/buildscope/model"
)

// loadBuild reads a build record `history show --json` printed.
func loadBuild(t *testing.T, path string) *model.Build {
	t.Helper()
	var b model.Build
	modeltest.LoadJSON(t, path, &b)
	return &b
}

// lineIndex is the index of the first line of text holding want.
func lineIndex(t *testing.T, lines []string, want string) int {
	t.Helper()
	for i, l := range lines {
		if strings.Contains(l, want) {
			return i
		}
	}
	t.Fatalf("no line holds %q:\n%s", want, strings.Join(lines, "\n"))
	return -1
}

// A real build's check warnings (testdata/checks: base with a secret ARG
// at line 2 and its RUN at 3; "unused" at 5-6, not built; final with a
// secret ENV at 9, a RUN at 10, a shell-form CMD at 11) stand under their
// stage, in line order with its steps; those of a stage the build did not
// reach come after the stages.
func TestTextPutsWarningsBesideTheirLines(t *testing.T) {
	b := loadBuild(t, "../testdata/checks/warnings.json")
	lines := strings.Split(Text(b, nil), "\n")
	base, final := lineIndex(t, lines, "stage base"), lineIndex(t, lines, "stage final")
	arg, run3 := lineIndex(t, lines, "warning: line 2: SecretsUsedInArgOrEnv"), lineIndex(t, lines, `RUN echo "token x"`)
	env, run10, cmd := lineIndex(t, lines, "warning: line 9: SecretsUsedInArgOrEnv"), lineIndex(t, lines, "RUN echo final"), lineIndex(t, lines, "warning: line 11: JSONArgsRecommended")
	casing, unused := lineIndex(t, lines, "warning: line 5: FromAsCasing"), lineIndex(t, lines, "warning: line 6: JSONArgsRecommended")
	if !(base < arg && arg < run3 && run3 < final && final < env && env < run10 && run10 < cmd && cmd < casing && casing < unused) {
		t.Errorf("warnings out of place (base %d, line 2 %d, RUN 3 %d, final %d, line 9 %d, RUN 10 %d, line 11 %d, line 5 %d, line 6 %d):\n%s",
			base, arg, run3, final, env, run10, cmd, casing, unused, strings.Join(lines, "\n"))
	}
	if !strings.HasPrefix(lines[arg], "        warning:") || strings.HasPrefix(lines[casing], " ") {
		t.Errorf("a stage's warnings are indented under it, the others are not:\n%q\n%q", lines[arg], lines[casing])
	}
	if n := strings.Count(Text(b, nil), "warning: line "); n != len(b.Warnings) {
		t.Errorf("%d warnings printed, the record holds %d", n, len(b.Warnings))
	}
}

// A record made before stages kept their lines lists every warning after
// the stages, once.
func TestTextWarningsOfAnOlderRecord(t *testing.T) {
	b := loadBuild(t, "../testdata/checks/warnings.json")
	for i := range b.Stages {
		b.Stages[i].Line, b.Stages[i].EndLine = 0, 0
	}
	text := Text(b, nil)
	lines := strings.Split(text, "\n")
	if w, last := lineIndex(t, lines, "warning: line 2:"), lineIndex(t, lines, "RUN echo final"); w < last {
		t.Errorf("warning listed before the last step:\n%s", text)
	}
	if n := strings.Count(text, "warning: line "); n != len(b.Warnings) {
		t.Errorf("%d warnings printed, the record holds %d", n, len(b.Warnings))
	}
}

// What build prints when it is done: the checks line (only when checks
// did not run) before the summary line.
func TestDone(t *testing.T) {
	b := &model.Build{ID: "b1", Status: model.StatusOK}
	if got, want := Done(b), SummaryLine(b)+"\n"; got != want {
		t.Errorf("Done = %q, want %q", got, want)
	}
	b.ChecksUnavailable = "frontend too old"
	if got, want := Done(b), "buildscope: checks not available on this builder: frontend too old\n"+SummaryLine(b)+"\n"; got != want {
		t.Errorf("Done = %q, want %q", got, want)
	}
}

// TestHistoryTableNamesTheDefaultTarget: a build without --target built
// the Dockerfile's last stage, which the TARGET column names.
func TestHistoryTableNamesTheDefaultTarget(t *testing.T) {
	b := &model.Build{ID: "abc", Status: model.StatusOK, Stages: []model.Stage{{Name: "production", Index: 1}, {Name: "builder", Index: 0}}}
	out := HistoryTable([]*model.Build{b, {ID: "def", Status: model.StatusError}})
	if strings.Contains(out, "(last)") || !strings.Contains(out, " production ") {
		t.Errorf("history ls:\n%s", out)
	}
}
