package buildui

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/buildscope/buildscope/assets/baseimage"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/testdeps"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/imageopen"
)

// The real thing: i on an engine build saves the image from the Docker
// engine (docker save to a temp tar) in a command, and leaving the
// inspector, reopening it twice and quitting leave no tar behind.
func TestInspectorEngineImageLeavesNoTempFile(t *testing.T) {
	err := exec.Command("docker", "info").Run()
	testdeps.Need(t, err == nil, fmt.Sprintf("no Docker engine answers: %v", err))
	img, err := random.Image(4096, 2)
	if err != nil {
		t.Fatal(err)
	}
	tag := "buildscope-tui-test:" + history.NewID()
	if err := baseimage.LoadDocker(context.Background(), img, tag); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the engine save goes

	m := finishedEngineBuild(t)
	opened := 0
	m.opts.Inspect = func(ctx context.Context, id string) (*Inspection, error) {
		opened++
		return imageopen.Open(ctx, "docker://"+tag, source.Options{})
	}
	for round := 1; round <= 3; round++ {
		_, cmd := m.Update(press("i"))
		if cmd == nil || opened != round-1 {
			t.Fatalf("round %d: the image was saved inside Update (command %v, %d opens)", round, cmd != nil, opened)
		}
		if s := screen(m); !strings.Contains(s, "opening build:abc…") {
			t.Fatalf("round %d: no loading state while the image is saved:\n%s", round, s)
		}
		run(m, cmd)
		if s := screen(m); !strings.Contains(s, "efficiency") || !strings.Contains(s, "2 layers") {
			t.Fatalf("round %d: inspector:\n%s", round, s)
		}
		if n := len(saved(t, tmp)); n != 1 {
			t.Fatalf("round %d: %d saved tars while the inspector shows the image", round, n)
		}
		_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
		run(m, cmd)
		if left := saved(t, tmp); len(left) != 0 {
			t.Fatalf("round %d: leaving the inspector left %v", round, left)
		}
	}
	_, cmd := m.Update(press("i"))
	run(m, cmd)
	m.Update(press("q"))
	m.Close()
	if left := saved(t, tmp); len(left) != 0 {
		t.Errorf("quitting from the inspector left %v", left)
	}
}
