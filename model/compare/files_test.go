package compare

import (
	"reflect"
	"testing"
)

func TestDiffFiles(t *testing.T) {
	a := FileSet{
		"/etc":          {Dir: true, Mode: 0o755},
		"/etc/app.conf": {Size: 10, Digest: "sha256:a", Mode: 0o644, Layer: 1},
		"/etc/gone":     {Size: 5, Digest: "sha256:g", Mode: 0o644, Layer: 1},
		"/bin/tool":     {Size: 100, Digest: "sha256:t", Mode: 0o755, Layer: 0},
		"/lib/moved":    {Size: 7, Digest: "sha256:m", Mode: 0o644, Layer: 0},
		"/usr/link":     {Link: "/bin/tool", Layer: 0},
	}
	b := FileSet{
		"/etc":          {Dir: true, Mode: 0o755},
		"/etc/app.conf": {Size: 12, Digest: "sha256:b", Mode: 0o644, Layer: 2},
		"/etc/new":      {Size: 30, Digest: "sha256:n", Mode: 0o600, UID: 1000, Layer: 2},
		"/bin/tool":     {Size: 100, Digest: "sha256:t", Mode: 0o700, Layer: 0},
		"/lib/moved":    {Size: 7, Digest: "sha256:m", Mode: 0o644, Layer: 3}, // same content, another layer
		"/usr/link":     {Link: "/bin/other", Layer: 0},
	}
	steps := [2][]string{{"FROM base", "COPY etc /etc"}, {"FROM base", "RUN x", "COPY etc /etc", "RUN y"}}
	files, dirs := DiffFiles(a, b, steps)
	var got []string
	for _, c := range files {
		got = append(got, c.String())
	}
	want := []string{"C /bin/tool (mode)", "C /etc/app.conf (content, size)", "D /etc/gone", "A /etc/new", "C /usr/link (link)"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	conf := files[1]
	if conf.Layer != [2]int{1, 2} || conf.Step != [2]string{"COPY etc /etc", "COPY etc /etc"} || conf.Size != [2]int64{10, 12} {
		t.Errorf("app.conf: %+v", conf)
	}
	if len(dirs) == 0 || dirs[0].Path != "/etc" || dirs[0].Added != 1 || dirs[0].Removed != 1 || dirs[0].Changed != 1 || dirs[0].Delta != 27 {
		t.Errorf("dirs %+v", dirs)
	}
}
