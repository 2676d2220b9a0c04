package main

import (
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

// slots start the package's parallel tests, at most BUILDSCOPE_E2E_SLOTS
// (default 6) at once, the slowest first. go test itself releases the
// paused tests in the order their goroutines wake, which is random: a
// 26-second test could start last and run alone at the end. make test
// runs the package with -parallel high enough that every test is waiting
// here, so the order is this one.
var slots = newScheduler()

// slowFirst are the tests that took longest in a run of the package
// (seconds, rounded; stop 34 on this 2-core machine): they start first. A
// test not named starts after them, in the order it asked.
var slowFirst = map[string]int{
	"TestBuildKitCheckRules": 35, "TestWhyNamesTheInput": 31, "TestHostileCatalogue": 28,
	"TestInterruptWhileHashingAfterTheSolve": 23, "TestWhyReasonsOnEmbedded": 22,
	"TestOneImageSizeEverywhere": 22, "TestFlagsOnEachBuilder": 21, "TestDiffContainerMatchesDocker": 21,
	"TestForeignImportBuildxBundle": 18, "TestDiffSeedWritesOnlyTmp": 16, "TestBuilderLifecycle": 16,
	"TestDockerContainerBuilder": 15, "TestDiffTimeoutAndUser": 15, "TestDebugEditRealDockerfileShapes": 14,
	"TestBuilderStoppedDaemonIsNamedAndRecovered": 14, "TestDockerEngineBuild": 11, "TestWhyCacheEvicted": 10,
	"TestStagesEmbedded": 10, "TestEmbeddedBuildColdThenOneFileChange": 10, "TestCompareTwoBuilds": 10,
	"TestCacheMountsWarmAndEmpty": 10, "TestCacheMountEmptyDespiteCacheFrom": 10, "TestBakeStagesPerTarget": 10,
	"TestWhyCacheFromModeMin": 9, "TestWhyAgreesWithBuildKitCacheDebug": 9,
	"TestForeignOpenedByRefWithBuilder": 9, "TestBakeWhyPerTarget": 9, "TestWhyGitSourceChanged": 8,
	"TestWhyForeignRebuildAfterPrune": 8, "TestStagesAfterPushTouchNoOutput": 8, "TestNormalisedLLBDigests": 8,
	"TestDiffContentOnlyChange": 8, "TestDebugEditReRunsOnlyTheEditedStep": 8,
	"TestDebugBreakAfterOpensInTheStepsResult": 8, "TestCacheExportImport": 8,
}

type scheduler struct {
	mu       sync.Mutex
	free     int
	asked    bool // the first test asked: the others go test woke with it are gathered for a moment
	gathered bool // the moment is over: slots are given as they free
	seq      int
	waiting  []*waiter
}

type waiter struct {
	weight, seq int
	start       chan struct{}
}

func newScheduler() *scheduler {
	n, err := strconv.Atoi(os.Getenv("BUILDSCOPE_E2E_SLOTS"))
	if err != nil || n < 1 {
		n = 6
	}
	return &scheduler{free: n}
}

// acquire waits for a slot for test name.
func (s *scheduler) acquire(name string) {
	s.mu.Lock()
	w := &waiter{weight: slowFirst[name], seq: s.seq, start: make(chan struct{})}
	s.seq++
	s.waiting = append(s.waiting, w)
	if !s.asked {
		s.asked = true
		// go test wakes every paused test at once: gather them, so that
		// the slowest start first, not the quickest to wake
		time.AfterFunc(200*time.Millisecond, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.gathered = true
			s.dispatch()
		})
	}
	s.dispatch()
	s.mu.Unlock()
	<-w.start
}

// release gives a test's slot to the next.
func (s *scheduler) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free++
	s.dispatch()
}

// dispatch starts the heaviest waiting tests while slots are free, once
// the first gathering is over.
func (s *scheduler) dispatch() {
	for s.gathered && s.free > 0 && len(s.waiting) > 0 {
		best := 0
		for i, w := range s.waiting {
			if w.weight > s.waiting[best].weight || (w.weight == s.waiting[best].weight && w.seq < s.waiting[best].seq) {
				best = i
			}
		}
		close(s.waiting[best].start)
		s.waiting = slices.Delete(s.waiting, best, best+1)
		s.free--
	}
}
