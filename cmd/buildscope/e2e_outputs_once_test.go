package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// Pressing s after `build --push -t REG/app:N -o DIR --load` measures
// every stage by building it as a target. Those builds take the user's
// inputs only: the registry tag still names the image the user's build
// pushed, the -o directory and the engine's image are untouched.
func TestStagesAfterPushTouchNoOutput(t *testing.T) {
	requireDocker(t)
	e := newColdEnv(t)
	nonce := history.NewID()
	tag := baseAddr + "/outputs-once/app:" + nonce
	out := filepath.Join(t.TempDir(), "out")
	report := filepath.Join(t.TempDir(), "report.json")
	defer runDocker(t, "rmi", "-f", tag)
	envs := e.shellVars(true)
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s build --builder embedded --push -t %s -o type=local,dest=%s --load --report %s ../../assets/examples/multistage; echo EXIT=$?; sleep 60",
		envs, binPath, tag, out, report)
	capture, send := tmuxSession(t, 120, 40, shell)
	waitScreen(t, capture, "done in", 120*time.Second)

	ref, _ := name.ParseReference(tag)
	before, err := remote.Head(ref)
	if err != nil {
		t.Fatalf("the user's --push did not reach the registry: %v", err)
	}
	engineBefore := strings.TrimSpace(runDocker(t, "image", "inspect", "--format", "{{.Id}}", tag))
	ageTree(t, out) // an -o rewrite would show in the mtimes
	outBefore := treeDigest(t, out)
	histBefore := len(e.history(t))
	internal := func() (n int) { // the stage builds, recorded apart from the user's
		files, _ := filepath.Glob(filepath.Join(e.dir, "state", "buildscope", "history", "*.json"))
		for _, f := range files {
			if strings.Contains(readFile(t, f), `"internal": "`+model.InternalStageSize+`"`) {
				n++
			}
		}
		return n
	}

	send("s")
	waitScreen(t, capture, "Left behind by", 120*time.Second)
	send("q")
	waitScreen(t, capture, "EXIT=", 30*time.Second)

	if n := internal(); n < 2 {
		t.Fatalf("s recorded %d internal builds, want one per stage", n)
	}
	if n := len(e.history(t)) - histBefore; n != 0 {
		t.Errorf("s added %d builds to the user's history, want none", n)
	}
	after, err := remote.Head(ref)
	if err != nil {
		t.Fatal(err)
	}
	if after.Digest != before.Digest {
		t.Errorf("%s was re-pushed by measuring the stages: %s, the user's build pushed %s", tag, after.Digest, before.Digest)
	}
	if id := strings.TrimSpace(runDocker(t, "image", "inspect", "--format", "{{.Id}}", tag)); id != engineBefore {
		t.Errorf("the engine's %s changed from %s to %s: a stage was loaded", tag, engineBefore, id)
	}
	if got := treeDigest(t, out); got != outBefore {
		t.Errorf("the -o directory was rewritten by measuring the stages")
	}
}

// treeDigest digests a directory's paths, contents and mtimes.
// ageTree sets the mtimes under dir (links aside) to a day in 2000, so
// that whatever rewrites a file or directory there changes its mtime,
// however soon after the build it does.
func ageTree(t *testing.T, dir string) {
	t.Helper()
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d %d\n", p, fi.Size(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// history lists the IDs of the builds recorded in e.
func (e *env) history(t *testing.T) []string {
	t.Helper()
	r := e.mustRun(t, "history", "ls", "--json")
	var recs []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil {
		t.Fatalf("history ls --json: %v", err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}
