package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/tui/tuitest"
)

// vertexLabel is the stage label of a Dockerfile step's vertex name:
// "[linux/arm64 build 2/3] RUN …" → "build".
var vertexLabel = regexp.MustCompile(`^\[([^\]]*?)\s*\d+/\d+\]\s`)

// corpusRecord is the part of a build record this test checks, decoded
// into a struct of its own so a renamed field fails here.
type corpusRecord struct {
	Stages []struct {
		Name      string   `json:"name"`
		Base      string   `json:"base"`
		DependsOn []string `json:"depends_on"`
		Steps     []struct {
			Name   string `json:"name"`
			Digest string `json:"digest"`
		} `json:"steps"`
	} `json:"stages"`
	Other []struct {
		Name string `json:"name"`
	} `json:"other"`
}

// Real-world stage graphs (testdata/corpus: the shapes of docker/buildx's
// and moby/buildkit's release Dockerfiles, stages picked by TARGETOS and
// TARGETARCH) built on the embedded builder: every step BuildKit ran is in
// the record under the stage BuildKit named, and the record's stages and
// depends_on are the graph BuildKit resolved.
func TestCorpusRecordsWhatBuildKitRan(t *testing.T) {
	shared := newEnv(t)
	cases := []struct {
		file, target string
		args         []string
		stages       map[string][]string // stage → depends_on, in Dockerfile order
		order        []string
	}{
		{file: "buildx-shape.Dockerfile",
			order: []string{"xx", "golatest", "gobase", "version", "build", "binaries-unix", "binaries-linux", "binaries", "stage-12"},
			stages: map[string][]string{"xx": {}, "golatest": {}, "gobase": {"golatest", "xx"}, "version": {"gobase"},
				"build": {"gobase", "version"}, "binaries-unix": {"build"}, "binaries-linux": {"binaries-unix"},
				"binaries": {"binaries-linux"}, "stage-12": {"binaries"}}},
		{file: "buildx-shape.Dockerfile", target: "release",
			order: []string{"xx", "golatest", "gobase", "version", "build", "binaries-unix", "binaries-linux", "binaries", "releaser", "release"},
			stages: map[string][]string{"xx": {}, "golatest": {}, "gobase": {"golatest", "xx"}, "version": {"gobase"},
				"build": {"gobase", "version"}, "binaries-unix": {"build"}, "binaries-linux": {"binaries-unix"},
				"binaries": {"binaries-linux"}, "releaser": {"binaries", "version"}, "release": {"releaser"}}},
		{file: "buildkit-shape.Dockerfile", target: "daemon-linux",
			order: []string{"gobase", "git", "buildinfo", "runc", "ctl", "daemon-oci", "binaries-linux", "binaries", "daemon-export", "daemon-linux"},
			stages: map[string][]string{"gobase": {}, "git": {"gobase"}, "buildinfo": {"gobase", "git"}, "runc": {"gobase"},
				"ctl": {"gobase", "buildinfo"}, "daemon-oci": {"gobase", "buildinfo"}, "binaries-linux": {"runc", "ctl", "daemon-oci"},
				"binaries": {"binaries-linux"}, "daemon-export": {"binaries"}, "daemon-linux": {"daemon-export"}}},
		{file: "arch-shape.Dockerfile", args: []string{"--platform", "linux/arm64"},
			order:  []string{"build", "out-arm64", "stage-3"},
			stages: map[string][]string{"build": {}, "out-arm64": {"build"}, "stage-3": {"out-arm64", "build"}}},
	}
	for _, c := range cases {
		t.Run(c.file+":"+c.target, func(t *testing.T) {
			ctx := t.TempDir()
			report := filepath.Join(t.TempDir(), "report.json")
			args := []string{"build", "--progress", "json", "--report", report, "-f", filepath.Join("../../testdata/corpus", c.file)}
			if c.target != "" {
				args = append(args, "--target", c.target)
			}
			args = append(append(args, c.args...), ctx)
			r := shared.mustRun(t, args...)
			var rec corpusRecord
			tuitest.LoadJSON(t, report, &rec)

			// what BuildKit ran: every labelled vertex, by digest
			ran := map[string]string{} // digest → label
			sc := bufio.NewScanner(strings.NewReader(r.stdout))
			sc.Buffer(nil, 16<<20)
			for sc.Scan() {
				var s client.SolveStatus
				if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
					t.Fatalf("--progress json line: %v", err)
				}
				for _, v := range s.Vertexes {
					if m := vertexLabel.FindStringSubmatch(v.Name); m != nil {
						f := strings.Fields(m[1])
						ran[v.Digest.String()] = f[len(f)-1]
					}
				}
			}
			if len(ran) == 0 {
				t.Fatal("BuildKit reported no Dockerfile steps")
			}
			var order []string
			deps := map[string][]string{}
			where := map[string]string{} // digest → record stage
			bases := map[string]string{}
			for _, s := range rec.Stages {
				order = append(order, s.Name)
				deps[s.Name] = append([]string{}, s.DependsOn...)
				bases[s.Name] = s.Base
				for _, st := range s.Steps {
					where[st.Digest] = s.Name
				}
			}
			if !reflect.DeepEqual(order, c.order) {
				t.Errorf("record stages %v, want %v", order, c.order)
			}
			if !reflect.DeepEqual(deps, c.stages) {
				t.Errorf("record depends_on %v, want %v", deps, c.stages)
			}
			for d, label := range ran {
				got, ok := where[d]
				switch {
				case !ok:
					t.Errorf("BuildKit ran %s (stage %s); the record has no such step", d, label)
				case !slices.Contains(c.order, label):
					// the warm builder is shared: a vertex that another
					// test's build solved at the same moment (the same FROM)
					// carries the name that build gave it, a stage this
					// Dockerfile does not have
				case got != label && bases[got] != bases[label]:
					// a FROM shared by stages is filed under the first stage with that base
					t.Errorf("step %s: BuildKit ran it in stage %s, the record files it under %s", d, label, got)
				}
			}
			if len(rec.Other) > 0 {
				for _, o := range rec.Other {
					if vertexLabel.MatchString(o.Name) {
						t.Errorf("Dockerfile step %q recorded outside any stage", o.Name)
					}
				}
			}
		})
	}
}
