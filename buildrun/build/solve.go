package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker/cli/cli/config"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/client"
	bkbuild "github.com/moby/buildkit/cmd/buildctl/build"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/sirupsen/logrus"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/buildscope/buildscope/buildrun/buildctx"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/cachekeys"
	"github.com/buildscope/buildscope/buildrun/engine"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/fold"
	"github.com/buildscope/buildscope/model/trace"
)

// Run builds p on b and returns the build record, which it also saves to
// the history under paths (whatever the outcome: ok, error or canceled).
// onStatus, if not nil, receives every status update, secrets redacted.
// The returned error is the build's failure, already in the record.
func Run(ctx context.Context, b *builder.Builder, p *Prepared, paths state.Paths, onStatus func(*client.SolveStatus)) (*model.Build, error) {
	rec := &model.Build{
		ID: history.NewID(), Context: p.ContextAbs, Dockerfile: p.DockerfileAbs, Target: p.Target,
		Builder: b.Name(), Status: model.StatusRunning, Started: time.Now().UTC(),
		Platforms: p.Platforms, BuildArgs: p.Args, NoCache: p.NoCache, NoCacheFilter: p.NoCacheFilter,
		Bake: p.bake, Internal: p.internal,
	}
	if b.Kind != builder.KindDocker {
		// no sweep of the results store from the start until the record
		// naming the image is saved (results_gc.go)
		unlock, _, err := results.Lock(paths.Results(), false)
		if err != nil {
			return rec, err
		}
		defer unlock()
	}
	lintIt := false
	if !p.frontendImage { // a frontend image's checks are its own
		rec.ChecksUnavailable, lintIt = b.Checks(ctx)
	}
	// the build checks the stages it builds; the lint subrequest, run
	// beside it, the others (it costs a warm build ~15%, so only then)
	lintIt = lintIt && p.Plan != nil && p.unreachedStages()
	folder := fold.New(rec, p.Plan)
	advise := startAdvice(ctx, p) // looks at the context while the build runs
	hist := history.History{Dir: paths.History()}
	events, err := history.NewEventWriter(hist, rec.ID)
	if err != nil {
		return rec, err
	}
	var mountsBefore []fold.CacheRecord
	hasMounts := p.Plan != nil && p.Plan.HasCacheMounts()
	if hasMounts {
		mountsBefore = cacheRecords(ctx, b)
	}
	var vertices []*client.Vertex // for the critical path
	// the build's session is made here so that its ID, which BuildKit's
	// keys of the local sources hold, is known (cachekeys_map.go)
	sess, err := session.NewSession(ctx, "")
	if err != nil {
		return rec, fmt.Errorf("creating the build's session: %w", err)
	}
	var hashers buildctx.Hashers
	prewarmed := make(chan struct{})
	if p.SkipInputs {
		close(prewarmed)
	} else {
		hashers = contextHashersOf(p, filepath.Join(paths.State, "cache"))
		go func() { defer close(prewarmed); hashers.Prewarm(ctx, p.Plan, p.Target) }()
	}
	var linted []model.Warning
	resp, err := solve(ctx, b, p, paths, rec.ID, sess, lintIt, &linted, func(s *client.SolveStatus) {
		p.redactor.Status(s)
		folder.Add(s)
		vertices = append(vertices, s.Vertexes...)
		events.Write(s)
		if onStatus != nil {
			onStatus(s)
		}
	})
	folder.Build()
	for _, w := range linted {
		w.Short = p.redactor.String(w.Short)
		rec.Warnings = fold.AppendWarning(rec.Warnings, w)
	}
	solved := time.Now()
	defer func() { logrus.Debugf("build %s: %s from the solve's end to the record", rec.ID, time.Since(solved)) }()
	// BuildKit writes the build's provenance as the build ends: fetch it
	// while the record is put together
	llbc := make(chan *cachekeys.BuiltLLB, 1)
	go func() {
		var l *cachekeys.BuiltLLB
		if !p.SkipInputs && b.Kind != builder.KindDocker && ctx.Err() == nil { // the engine's BuildKit keeps no history
			l = cachekeys.ReadBuiltLLB(ctx, b, keyStoreOf(paths), SolveRef(rec.ID), sess.ID())
		}
		llbc <- l
	}()
	logrus.Debugf("build %s: solved; recording its inputs", rec.ID)
	<-prewarmed // ends at once when ctx is done (Ctrl-C)
	if !p.SkipInputs && ctx.Err() == nil {
		if ierr := fold.AttachInputs(rec, p.Plan, hashers.HashFunc(ctx)); ierr != nil && ctx.Err() == nil {
			rec.Warnings = append(rec.Warnings, model.Warning{Short: "cache inputs not recorded: " + ierr.Error()})
		}
		hashers.Save()
	}
	rec.Completed = time.Now().UTC()
	switch {
	// canceled first: a Ctrl-C after a solve that succeeded still cancels
	// the build (its inputs were not all recorded), never an "ok" record
	// that silently lacks them
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		rec.Status = model.StatusCanceled
		rec.Error = "build canceled"
		err = ErrCanceled
	case err == nil:
		rec.Status = model.StatusOK
	default:
		rec.Status = model.StatusError
		err = errors.New(p.redactor.String(solveErrorMessage(err, p, b)))
		rec.Error = err.Error()
	}
	pushed := ""
	if err == nil && p.Push && b.Kind == builder.KindDocker {
		var perr error
		if pushed, perr = engine.Push(ctx, b.Docker, p.Tags); perr != nil {
			rec.Status, err = model.StatusError, perr
			rec.Error = perr.Error()
		}
	}
	if resp != nil && rec.Status != model.StatusCanceled {
		rec.Exporter = userResponse(resp.ExporterResponse, p.Tags)
		if pushed != "" { // the digest the registry holds, as buildx reports it
			rec.Exporter[exptypes.ExporterImageDigestKey] = pushed
		}
		describeResult(context.WithoutCancel(ctx), b, p, paths, resp, rec)
		if pushed != "" && rec.Image != nil {
			// the engine's image ID is its config's digest; once pushed,
			// the image has the manifest the registry holds, as on the
			// other builders
			rec.Image.Digest = pushed
		}
	}
	rec.Advice = advise(rec)
	if p.Solver != nil {
		rec.Debug = p.Solver.Note()
	}
	if hasMounts && mountsBefore != nil && ctx.Err() == nil {
		if after := settledCacheRecords(ctx, b); after != nil {
			rec.CacheMounts = fold.CacheMountUses(rec, p.Plan, mountsBefore, after)
			if b.MountsUnnamed(ctx) {
				for i := range rec.CacheMounts {
					rec.CacheMounts[i] = rec.CacheMounts[i].WithUnknown("the Docker engine's BuildKit (before 0.11) names cache mounts in its disk usage by target, not id, and does not measure a reused mount again: use --builder embedded")
				}
			}
		}
	}
	if len(vertices) > 0 {
		rec.Critical = trace.New(rec.ID, []*client.SolveStatus{{Vertexes: vertices}}, rec).Summary()
	}
	if len(p.CacheFrom) > 0 {
		rec.CacheImports = readCacheImports(ctx, p.CacheFrom)
	}
	if l := <-llbc; l != nil {
		setLLB(rec, l.Digests)
		cachekeys.Set(rec, l.Keys)
		rec.KeysMissing = l.KeysMissing
	}
	if cerr := hist.Commit(rec, events); cerr != nil { // a failed build says so too
		if err == nil {
			err = cerr
		} else {
			err = fmt.Errorf("%w; %v", err, cerr)
		}
	}
	return rec, err
}

// userResponse is BuildKit's exporter response as the user's build made
// it: image.name names the user's tags, not the name of the copy
// buildscope keeps in its results layout (the responses of all exporters
// are merged, and that one may come last).
func userResponse(resp map[string]string, tags []string) map[string]string {
	out := make(map[string]string, len(resp))
	for k, v := range resp {
		out[k] = v
	}
	if len(tags) > 0 {
		out[exptypes.ExporterImageNameKey] = strings.Join(tags, ",")
	} else {
		delete(out, exptypes.ExporterImageNameKey)
	}
	return out
}

// ErrCanceled is returned by Run when the build was canceled.
var ErrCanceled = errors.New("build canceled")

// solve runs the build; with lintIt, the frontend's lint subrequest at the
// same time, its warnings put in linted (none when it fails: the build's
// own warnings remain).
func solve(ctx context.Context, b *builder.Builder, p *Prepared, paths state.Paths, id string, sess *session.Session, lintIt bool, linted *[]model.Warning, onStatus func(*client.SolveStatus)) (*client.SolveResponse, error) {
	attrs, locals, stores, err := p.frontendAttrs()
	if err != nil {
		return nil, err
	}
	mounts := map[string]fsutil.FS{}
	for name, dir := range map[string]string{"context": p.ContextAbs, "dockerfile": filepath.Dir(p.DockerfileAbs)} {
		locals[name] = dir
	}
	ctx, fail := context.WithCancelCause(ctx) // a context file that cannot be read ends the solve
	defer fail(nil)
	for name, dir := range locals {
		fs, err := buildctx.FS(dir, fail)
		if err != nil {
			return nil, fmt.Errorf("opening %s for the build: %w", dir, err)
		}
		mounts[name] = fs
	}
	imports, cacheExports, err := cacheOptions(p.CacheFrom, p.CacheTo)
	if err != nil {
		return nil, err
	}
	attach, err := attachables(p)
	if err != nil {
		return nil, err
	}
	exports, loadDone, err := exportsFor(ctx, b, p, paths, id)
	if err != nil {
		return nil, err
	}
	opt := client.SolveOpt{
		Ref:      SolveRef(id),
		Frontend: "dockerfile.v0", FrontendAttrs: attrs, LocalMounts: mounts,
		Exports: exports, CacheImports: imports, CacheExports: cacheExports, Session: attach,
		OCIStores: stores, SharedSession: sess,
	}
	lintDone := make(chan struct{})
	if lintIt {
		go func() {
			defer close(lintDone)
			t0 := time.Now()
			ws, err := lintDockerfile(ctx, b, attrs, mounts, stores, attach)
			if err != nil {
				logrus.Debugf("build %s: %v", id, err)
			}
			logrus.Debugf("build %s: the lint subrequest took %s", id, time.Since(t0))
			*linted = ws
		}()
	} else {
		close(lintDone)
	}
	defer func() { <-lintDone }()
	ch := make(chan *client.SolveStatus)
	eg, ectx := errgroup.WithContext(ctx)
	var resp *client.SolveResponse
	eg.Go(func() error {
		var err error
		if r, ok := p.Solver.(interface{ Redact(func([]byte) []byte) }); ok {
			r.Redact(p.redactor.Bytes) // what the solver prints of its own (debug's edited re-run's log)
		}
		if p.Solver != nil {
			resp, err = p.Solver.Solve(ectx, b.Client, opt, ch)
		} else {
			resp, err = b.Client.Solve(ectx, nil, opt, ch)
		}
		return err
	})
	eg.Go(func() error {
		for s := range ch {
			onStatus(s)
		}
		if s := p.redactor.Flush(); s != nil { // log tails held back in case a secret continued
			onStatus(s)
		}
		return nil
	})
	err = eg.Wait()
	var unreadable *buildctx.UnreadableError
	if errors.As(context.Cause(ctx), &unreadable) {
		err = unreadable
	}
	if loadDone != nil {
		if lerr := loadDone(); lerr != nil && err == nil {
			err = lerr
		}
	}
	return resp, err
}

func attachables(p *Prepared) ([]session.Attachable, error) {
	dockerConfig := config.LoadDefaultConfigFile(io.Discard)
	out := []session.Attachable{authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
		AuthConfigProvider: authprovider.LoadAuthConfig(dockerConfig),
	})}
	if len(p.SSH) > 0 {
		cfgs, err := bkbuild.ParseSSH(p.SSH)
		if err != nil {
			return nil, fmt.Errorf("invalid --ssh: %w", err)
		}
		sp, err := sshprovider.NewSSHAgentProvider(cfgs)
		if err != nil {
			return nil, fmt.Errorf("--ssh: %w", err)
		}
		out = append(out, sp)
	}
	if len(p.Secrets) > 0 {
		sp, err := bkbuild.ParseSecret(p.Secrets)
		if err != nil {
			return nil, fmt.Errorf("invalid --secret: %w", err)
		}
		out = append(out, sp)
	}
	return out, nil
}

// exportsFor lists the exporters: the user's outputs, push, load, and the
// result buildscope keeps so that build:ID opens later. loadDone, when not
// nil, waits for a --load into the Docker engine to finish.
func exportsFor(ctx context.Context, b *builder.Builder, p *Prepared, paths state.Paths, id string) (ex []client.ExportEntry, loadDone func() error, err error) {
	if ex, err = userExports(p.Destinations); err != nil {
		return nil, nil, err
	}
	names := strings.Join(p.Tags, ",")
	if b.Kind == builder.KindDocker {
		if len(ex) > 0 {
			return ex, nil, nil // the engine's BuildKit takes one exporter
		}
		attrs := map[string]string{}
		if names != "" {
			attrs["name"] = names
		}
		// --push: the engine pushes after the solve (its BuildKit 20.10 ignores the exporter's push; see engine.Push)
		return []client.ExportEntry{{Type: "moby", Attrs: attrs}}, nil, nil
	}
	if p.Push {
		ex = append(ex, client.ExportEntry{Type: client.ExporterImage, Attrs: map[string]string{"name": names, "push": "true"}})
	}
	if p.Load {
		if b.Docker == nil {
			dc, err := engine.Connect(ctx)
			if err != nil {
				return nil, nil, fmt.Errorf("--load puts the image in a Docker engine: %w", err)
			}
			b.Docker = dc
		}
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			err := engine.LoadTar(context.WithoutCancel(ctx), b.Docker, pr)
			pr.CloseWithError(err)
			done <- err
		}()
		attrs := map[string]string{}
		if names != "" {
			attrs["name"] = names
		}
		ex = append(ex, client.ExportEntry{Type: client.ExporterDocker, Attrs: attrs,
			Output: func(map[string]string) (io.WriteCloser, error) { return pw, nil }})
		loadDone = func() error {
			pw.Close()
			if err := <-done; err != nil {
				return fmt.Errorf("loading the image into the Docker engine: %w", err)
			}
			return nil
		}
	}
	res, err := results.Export(paths, id)
	if err != nil {
		return nil, nil, err
	}
	return append(ex, res), loadDone, nil
}

// describeResult records where the image is and what it holds.
func describeResult(ctx context.Context, b *builder.Builder, p *Prepared, paths state.Paths, resp *client.SolveResponse, rec *model.Build) {
	dgst := resp.ExporterResponse[exptypes.ExporterImageDigestKey]
	if dgst == "" {
		return
	}
	if b.Kind == builder.KindDocker {
		id := resp.ExporterResponse[exptypes.ExporterImageConfigDigestKey]
		if id == "" {
			id = dgst
		}
		rec.Result = &model.ResultRef{Kind: model.ResultDocker, Ref: id}
		hist, err := results.DockerHistory(ctx, b.Docker, id)
		if err != nil {
			return
		}
		if img, err := results.SummarizeDocker(ctx, b.Docker, id, hist); err == nil {
			rec.Image = img
		}
		fold.AssignStepSizes(rec, p.Plan, hist)
		return
	}
	rec.Result = &model.ResultRef{Kind: model.ResultOCILayout, Path: paths.Results(), Ref: dgst}
	res, err := results.Open(paths.Results(), dgst)
	if err != nil {
		return
	}
	// one platform: the image itself; several: each platform's image, and
	// the host's (else the first) as the build's image
	if res.Image != nil {
		rec.Image = summarizeResultImage(res.Image, dgst, "", b, p, rec, true)
		return
	}
	host, _ := results.ParsePlatform("")
	var first *model.Image
	for _, d := range res.Platforms() {
		img, err := results.ImageFromBlobs(res.Layout, d.Digest)
		if err != nil {
			continue
		}
		isHost := d.Platform.Satisfies(host)
		sum := summarizeResultImage(img, d.Digest.String(), d.Platform.String(), b, p, rec, isHost)
		if sum == nil {
			continue
		}
		rec.Images = append(rec.Images, *sum)
		if isHost && rec.Image == nil {
			rec.Image = sum
		}
		if first == nil {
			first = sum
		}
	}
	if rec.Image == nil {
		rec.Image = first
	}
}

// summarizeResultImage summarizes image img (manifest digest dgst) of a
// result for one platform ("" for a single-platform result); steps get
// their layer sizes from the one image assignSizes names.
func summarizeResultImage(img v1.Image, dgst, platform string, b *builder.Builder, p *Prepared, rec *model.Build, assignSizes bool) *model.Image {
	hist, err := results.ImageHistory(img)
	if err != nil {
		return nil
	}
	sum, err := results.SummarizeImage(dgst, img, hist, b.ContentSizes)
	if err != nil {
		return nil
	}
	sum.Platform = platform
	if assignSizes && results.SizesKnown(hist) { // else the steps' sizes are not known
		fold.AssignStepSizes(rec, p.Plan, hist)
	}
	return sum
}

// solveErrorMessage turns a BuildKit error into one line naming the
// Dockerfile and line when BuildKit reports where it failed.
func solveErrorMessage(err error, p *Prepared, b *builder.Builder) string {
	if status.Code(errors.Unwrap(err)) == codes.Unavailable || status.Code(err) == codes.Unavailable ||
		strings.Contains(err.Error(), "code = Unavailable") {
		return fmt.Sprintf("lost the connection to the builder at %s (%s): it stopped or crashed; check it with `buildscope builder status` and retry", b.Address, builder.ShortErr(err))
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = strings.TrimPrefix(msg, "failed to solve: ")
	msg = strings.TrimPrefix(msg, "rpc error: code = Unknown desc = ")
	for _, src := range errdefs.Sources(err) {
		if len(src.Ranges) == 0 || src.Ranges[0].Start == nil {
			continue
		}
		name := p.DockerfileAbs
		if rel, err := filepath.Rel(mustGetwd(), name); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
		return fmt.Sprintf("%s:%d: %s", name, src.Ranges[0].Start.Line, msg)
	}
	return msg
}

func mustGetwd() string {
	wd, _ := os.Getwd()
	return wd
}

// SolveRef is the ref BuildKit knows a build by (its history, its status).
func SolveRef(id string) string { return "buildscope-" + id }

// setLLB records each step's normalised LLB op digest.
func setLLB(rec *model.Build, llb map[string]string) {
	for si := range rec.Stages {
		for k := range rec.Stages[si].Steps {
			st := &rec.Stages[si].Steps[k]
			if d, ok := llb[st.Digest]; ok && st.Inputs != nil {
				st.Inputs.LLB = d
			}
		}
	}
}
