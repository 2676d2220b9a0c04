// Package buildui is the live build UI: the stage graph, the steps of the
// selected stage, the logs of the selected step, errors with their
// Dockerfile lines, and a summary once the build is over; then the views
// of the finished build (why steps ran, stage sizes, a run's diff, the
// image in the inspector). It renders model types from messages and
// routes keys; it never talks to BuildKit itself, and every read or run
// happens in a tea.Cmd, through the functions of Options.
package buildui

import (
	"context"
	"time"

	"github.com/buildscope/buildscope/model/trace"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/dockerfile"
	"github.com/buildscope/buildscope/model/fold"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/cacheview"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/diffview"
	"github.com/buildscope/buildscope/tui/failedstep"
	"github.com/buildscope/buildscope/tui/graph"
	"github.com/buildscope/buildscope/tui/imageopen"
	"github.com/buildscope/buildscope/tui/layersview"
	"github.com/buildscope/buildscope/tui/logs"
	"github.com/buildscope/buildscope/tui/stagesview"
	"github.com/buildscope/buildscope/tui/stepshell"
	"github.com/buildscope/buildscope/tui/timeline"
)

// Options configure the UI.
type Options struct {
	// Title names what is built (context and Dockerfile).
	Title string
	// Builder names where it runs.
	Builder string
	// Plan is the parsed Dockerfile; Dockerfile its text, for error excerpts.
	Plan       *dockerfile.Plan
	Dockerfile []byte
	Target     string
	// LogCap is the bytes of output kept per step (0: logs.DefaultCap).
	LogCap int
	// Events, when set, is the live status stream.
	Events <-chan *client.SolveStatus
	// Cancel cancels the build (Ctrl-C, or q once confirmed).
	Cancel func()
	// Attached says the build is someone else's, followed: q detaches
	// (Cancel ends the following, not the build) without asking.
	Attached bool
	// Replay is a finished build shown from its record (history show).
	Replay *model.Build
	// Context, when set, bounds the views' work (measuring stages,
	// running a diff, opening an image) besides Close.
	Context context.Context
	// Now is the clock (tests fix it).
	Now func() time.Time
	// Why explains the finished build's cache misses (nil: no cache view).
	Why func(b *model.Build) (*why.Explanation, error)
	// Stages builds and measures every stage (nil: no stages view). It
	// runs in a command; ctx is cancelled when the program ends (Close).
	Stages func(ctx context.Context) (*compare.StageReport, error)
	// Diff runs the built image's command and diffs what it wrote (nil:
	// no diff view). It runs in a command; ctx is cancelled when the
	// program ends (Close).
	Diff func(ctx context.Context, b *model.Build) ([]cdiff.Change, error)
	// Targets, for a bake, are its targets (all of one Dockerfile, Plan):
	// the graph draws every stage they need once and a node per target
	// after its stage, in place of the image.
	Targets []BakeTarget
	// BakeEnd fills a bake's fold, once it is over, from its targets' records.
	BakeEnd func(*model.Build)
	// Inspect opens the image of a build (by ID) for the inspector; it
	// runs in a command, and ctx is cancelled when the inspector is left
	// (nil: no inspector).
	Inspect func(ctx context.Context, buildID string) (*Inspection, error)
	// Held, when set, delivers the failed RUN step the builder keeps open
	// for a shell (x), once, when the build fails (launch.BuildUI).
	Held <-chan failedstep.Held
	// Paused, when set, delivers each --break the build pauses at: the
	// terminal goes to a shell there, and the build goes on when it exits.
	Paused <-chan stepshell.Pause
	// StepShell, when set, opens a shell in a completed step's result (x).
	StepShell stepshell.Opener
}

// view is what fills the screen below the header.
type view int

const (
	viewBuild view = iota
	viewCache
	viewStages
	viewDiff
	viewInspect
	viewTimeline
)

type pane int

const (
	paneGraph pane = iota
	paneSteps
	paneLogs
	panes
)

// Model is the root model of the build UI.
type Model struct {
	common.Common
	opts   Options
	styles common.Styles
	keys   common.KeyMap
	help   help.Model

	build  *model.Build
	folder *fold.Folder
	logs   map[string]*logs.Buffer
	logv   logs.View

	nodes []graph.Node
	rows  []graph.Row
	gw    int

	selNode, selStep int
	userMoved        bool
	focus            pane
	search           common.Input
	showHelp         bool
	note             string           // one line saying why the last key did nothing; the next key clears it
	confirm          bool             // q was pressed on a running build: y cancels it
	fstep            failedstep.State // the failed step the builder holds for a shell (x)
	pause            stepshell.State  // the --break the build is paused at

	view       view
	why        *why.Explanation
	whyErr     error
	stages     *compare.StageReport
	stagesErr  error
	stagesBusy bool
	cv         *cacheview.Model
	cvFor      *why.Explanation
	sv         *stagesview.Model
	svFor      *compare.StageReport
	diff       []cdiff.Change
	diffErr    error
	diffBusy   bool
	dv         *diffview.Model
	dvLoaded   bool
	lv         *layersview.Model  // the inspector, once its image is open
	lvGen      int                // generation of the inspector shown or opening
	lvCancel   context.CancelFunc // cancels the inspector's work; nil once left
	lvTitle    string             // the image the inspector opens
	lvErr      error              // why it could not be opened
	back       view               // the view esc returns to from the inspector
	vertices   []*client.Vertex   // every vertex update, for the timeline
	tv         *timeline.Model
	tvFor      timelineKey    // what tv's timeline was laid out from
	images     imageopen.Held // every image the inspector holds open

	// newTimeline lays out the timeline and its critical path
	// (trace.New; tests count its calls).
	newTimeline func(id string, events []*client.SolveStatus, b *model.Build) *trace.Timeline

	// ctx is cancelled when the program ends: the work of the views
	// (measuring stages, running a diff, the inspector's) stops then.
	ctx  context.Context
	stop context.CancelFunc

	started, now time.Time
	frame        int
	done         bool
	err          error
	canceled     bool
}

// New returns the model.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Model{opts: o, keys: common.DefaultKeyMap(), help: help.New(), logs: map[string]*logs.Buffer{}, newTimeline: trace.New}
	if o.Context == nil {
		o.Context = context.Background()
	}
	m.ctx, m.stop = context.WithCancel(o.Context)
	m.styles = common.NewStyles(true)
	m.Styles, m.Keys = &m.styles, &m.keys
	m.logv.Styles = &m.styles
	m.build = &model.Build{Target: o.Target, Builder: o.Builder}
	m.folder = fold.New(m.build, o.Plan)
	if len(o.Targets) > 0 {
		m.folder = fold.NewBake(m.build, o.Plan, bakeStages(o.Targets))
	}
	if o.Replay != nil {
		m.build, m.done, m.started = o.Replay, true, o.Replay.Started
		m.folder = fold.New(&model.Build{}, nil) // logs only: steps come from the record
	}
	m.now = o.Now()
	if m.started.IsZero() {
		m.started = m.now
	}
	m.layout()
	return m
}

// Build is the build as folded so far.
func (m *Model) Build() *model.Build { return m.build }

// layout recomputes the graph when the stages change.
func (m *Model) layout() {
	var nodes []graph.Node
	for _, s := range m.build.Stages {
		nodes = append(nodes, graph.Node{ID: s.Name, Deps: s.DependsOn})
	}
	if len(m.opts.Targets) > 0 {
		nodes = append(nodes, targetNodes(m.build.Stages, m.opts.Targets)...)
	} else if n := len(m.build.Stages); n > 0 {
		nodes = append(nodes, graph.Node{ID: imageNode, Deps: []string{m.build.Stages[n-1].Name}})
	}
	m.nodes = nodes
	m.rows, m.gw = graph.Layout(nodes)
}

// imageNode is the graph node of the final image.
const imageNode = "\x00image"

// Init starts the clock, asks the terminal's background colour, and
// starts reading the status stream.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.opts.Replay != nil {
		cmds = append(cmds, m.explain()) // the steps' reasons (new, …) without visiting c
	} else {
		cmds = append(cmds, tick()) // a replay's clock does not move
	}
	if m.opts.Events != nil {
		cmds = append(cmds, WaitForStatus(m.opts.Events))
	}
	if m.opts.Held != nil {
		cmds = append(cmds, failedstep.Wait(m.opts.Held))
	}
	return tea.Batch(append(cmds, stepshell.Wait(m.opts.Paused))...)
}

// LoadLogs fills the step logs from a recorded status stream (replay of a
// finished build: the steps come from its record).
func (m *Model) LoadLogs(events []*client.SolveStatus) {
	for _, e := range events {
		m.vertices = append(m.vertices, e.Vertexes...)
		if len(e.Logs) > 0 {
			m.apply(&client.SolveStatus{Logs: e.Logs})
		}
	}
	m.syncLogs()
	m.selectFailure()
	m.settle()
}
