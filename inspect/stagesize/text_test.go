package stagesize

import (
	"bytes"
	"testing"

	"github.com/buildscope/buildscope/model/compare"
)

func TestWriteText(t *testing.T) {
	rep := &compare.StageReport{
		Stages: []compare.StageSize{
			{Name: "builder", SizeBytes: 28_000_000, CompressedBytes: 27_000_000, Layers: 7},
			{Name: "production", SizeBytes: 2_140_000, CompressedBytes: 1_150_000, Layers: 4, Final: true},
		},
		Final:       compare.FinalSize{Name: "production", SizeBytes: 2_140_000},
		SingleStage: &compare.SingleStage{Stage: "builder", SizeBytes: 28_000_000, FinalBytes: 2_140_000, Ratio: 0.0764, SavedBytes: 25_860_000},
		LeftBehind:  []compare.PathSize{{Path: "/opt", SizeBytes: 20_000_000, Stage: "builder"}},
		Compare: &compare.StageReport{
			Dockerfile: "/x/Dockerfile",
			Stages:     []compare.StageSize{{Name: "stage-0", SizeBytes: 28_000_000, CompressedBytes: 27_000_000, Layers: 8, Final: true}},
			Final:      compare.FinalSize{Name: "stage-0", SizeBytes: 28_000_000},
			LeftBehind: []compare.PathSize{},
		},
	}
	var b bytes.Buffer
	if err := WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := `STAGE       SIZE    COMPRESSED  LAYERS  
builder     28MB    27MB        7       
production  2.14MB  1.15MB      4       final
  ████████████████████████████████████████ builder 28MB
  ███                                      production 2.14MB
single-stage equivalent (shipping builder): 28MB; final 2.14MB is 7.6% of it, 25.9MB saved
left behind by production:
  /opt                                 20MB  (in builder)

compared with /x/Dockerfile:
STAGE    SIZE  COMPRESSED  LAYERS  
stage-0  28MB  27MB        8       final
  ████████████████████████████████████████ stage-0 28MB

final images: 2.14MB (production) vs 28MB (stage-0): 7.6% of it
`
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
}
