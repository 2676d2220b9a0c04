package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/content/proxy"
	controlapi "github.com/moby/buildkit/api/services/control"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
)

// BuildKit's own history keeps a step's output unredacted: a secret the
// step printed is in its logs blob under the builder's root, though
// buildscope's record and output show ****. PurgeBuilderHistory deletes
// those records, so BuildKit no longer serves them.
func TestPurgeBuilderHistoryDeletesUnredactedRecords(t *testing.T) {
	e := newColdEnv(t)
	secret := "purge-" + history.NewID() + "-value"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM " + baseAddr + "/buildscope/busybox:latest\n" +
		"RUN --mount=type=secret,id=tok cat /run/secrets/tok\n"})
	file := filepath.Join(t.TempDir(), "tok")
	os.WriteFile(file, []byte(secret), 0o600)
	b, r := e.build(t, "--builder", "embedded", "--no-cache", "--secret", "id=tok,src="+file, dir)
	if r.code != 0 || bytes.Contains([]byte(r.stderr), []byte(secret)) {
		t.Fatalf("exit %d; the secret redacted: %v", r.code, !bytes.Contains([]byte(r.stderr), []byte(secret)))
	}
	ctx := context.Background()
	bk, err := builder.Connect(ctx, "embedded", builder.ConnectOptions{Env: builder.EnvFromOS(), Paths: state.Paths{
		State: filepath.Join(e.dir, "state", "buildscope"), Runtime: filepath.Join(e.dir, "run", "buildscope")}})
	if err != nil {
		t.Fatal(err)
	}
	defer bk.Close()
	ref := builder.BuildRefPrefix + b.ID
	logs := builderLogs(t, bk, ref)
	if logs == nil {
		t.Fatalf("BuildKit kept no logs for %s", ref)
	}
	store := proxy.NewContentStore(bk.Client.ContentClient())
	dt, err := content.ReadBlob(ctx, store, ocispecs.Descriptor{Digest: digest.Digest(logs.Digest), Size: logs.Size, MediaType: logs.MediaType})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(dt, []byte(secret)) {
		t.Fatalf("BuildKit's logs of %s do not hold the secret: the premise of the purge is gone", ref)
	}
	pr := e.mustRun(t, "builder", "prune", "--history")
	if !strings.Contains(pr.stdout, "of BuildKit's own build records") {
		t.Fatalf("builder prune --history: %q", pr.stdout)
	}
	if builderLogs(t, bk, ref) != nil {
		t.Errorf("BuildKit still has a record of %s", ref)
	}
	// The logs blob itself was still readable through the content API
	// here after the delete (BuildKit collects it later, if at all): the
	// README says so; deleting the builder's root is the sure purge.
}

// builderLogs is the descriptor of the logs BuildKit keeps for ref, nil
// when it has no record of it.
func builderLogs(t *testing.T, bk *builder.Builder, ref string) *controlapi.Descriptor {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background()) // an open stream keeps the record from being deleted
	defer cancel()
	cl, err := bk.Client.ControlClient().ListenBuildHistory(ctx, &controlapi.BuildHistoryRequest{Ref: ref, EarlyExit: true})
	if err != nil {
		t.Fatal(err)
	}
	for {
		ev, err := cl.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && strings.Contains(err.Error(), "is deleted") {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Record != nil && ev.Record.Ref == ref && ev.Type == controlapi.BuildHistoryEventType_COMPLETE {
			return ev.Record.Logs
		}
	}
}
