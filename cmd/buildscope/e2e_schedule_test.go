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
// (seconds, rounded; stop 32 on this 2-core machine): they start first. A
// test not named starts after them, in the order it asked.
var slowFirst = map[string]int{
	"TestHostileCatalogue": 60, "TestBuildKitCheckRules": 40,
	"TestDockerContainerBuilder": 26, "TestBuilderLifecycle": 19, "TestInterruptWhileHashingAfterTheSolve": 17,
	"TestWhyNamesTheInput": 17, "TestFlagsOnEachBuilder": 17, "TestBakeGroupSharesStage": 16,
	"TestWhyReasonsOnEmbedded": 16, "TestDiffContainerMatchesDocker": 15, "TestBuilderStoppedDaemonIsNamedAndRecovered": 15,
	"TestForeignImportBuildxBundle": 15, "TestCacheMountsWarmAndEmpty": 14, "TestCacheMountEmptyDespiteCacheFrom": 14,
	"TestDiffTimeoutAndUser": 13, "TestDiffSeedWritesOnlyTmp": 13, "TestBakeLoad": 12, "TestBakeStagesPerTarget": 12,
	"TestEmbeddedBuildColdThenOneFileChange": 12, "TestOneImageSizeEverywhere": 12, "TestBakeWhyPerTarget": 12,
	"TestStagesAfterPushTouchNoOutput": 12, "TestBakePush": 11, "TestStagesEmbedded": 11, "TestWhyCacheFromModeMin": 11,
	"TestStagesAreNotTheUsersBuilds": 10, "TestWhyGitSourceChanged": 10, "TestWhyCacheEvicted": 10,
	"TestDockerEngineBuild": 10, "TestCompareTwoBuilds": 10, "TestHistoryRmAndPruneFreeWhatNoRecordUses": 10,
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
