package compare

import (
	"reflect"
	"testing"
)

func TestLeftBehind(t *testing.T) {
	final := FileSet{
		"/app": {Dir: true}, "/app/greeter": {Size: 10, Digest: "sha256:g"},
		"/bin": {Dir: true}, "/bin/busybox": {Size: 100, Digest: "sha256:bb"},
	}
	builder := FileSet{
		"/bin": {Dir: true}, "/bin/busybox": {Size: 100, Digest: "sha256:bb"}, // in final: not left
		"/opt": {Dir: true}, "/opt/tc": {Dir: true},
		"/opt/tc/cc": {Size: 500, Digest: "sha256:cc"}, "/opt/tc/lib.a": {Size: 300, Digest: "sha256:lib"},
		"/out": {Dir: true}, "/out/greeter": {Size: 10, Digest: "sha256:g"}, // shipped elsewhere: not left
		"/bin/gcc":  {Size: 50, Digest: "sha256:gcc"}, // /bin exists in final: the file itself is the root
		"/src/link": {},                               // not a regular file
	}
	assets := FileSet{"/opt/tc/cc": {Size: 500, Digest: "sha256:cc"}, "/node_modules/x": {Size: 70, Digest: "sha256:x"}}
	got := LeftBehind(final, map[string]FileSet{"builder": builder, "assets": assets}, []string{"builder", "assets"}, 0)
	want := []PathSize{
		{Path: "/opt", SizeBytes: 800, Stage: "builder"},
		{Path: "/node_modules", SizeBytes: 70, Stage: "assets"},
		{Path: "/bin/gcc", SizeBytes: 50, Stage: "builder"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("left behind\n got %+v\nwant %+v", got, want)
	}
	if top := LeftBehind(final, map[string]FileSet{"builder": builder}, []string{"builder"}, 1); len(top) != 1 || top[0].Path != "/opt" {
		t.Errorf("limit 1: %+v", top)
	}
}

func TestCompareSingleStage(t *testing.T) {
	stages := []StageSize{{Name: "deps", SizeBytes: 50}, {Name: "builder", SizeBytes: 400}, {Name: "prod", SizeBytes: 100, Final: true}}
	got := SingleStageFor(stages, "prod", []string{"deps", "builder"})
	if got == nil || got.Stage != "builder" || got.SavedBytes != 300 || got.Ratio != 0.25 {
		t.Errorf("%+v", got)
	}
	if SingleStageFor(stages, "prod", nil) != nil {
		t.Error("no source stage: no comparison")
	}
}
