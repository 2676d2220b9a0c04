package main

import (
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// gate is a barrier a RUN step waits on instead of a sleep: the step
// fetches URL (`wget -q -O /dev/null URL`), which answers only once the
// test opens the gate. The embedded builder runs steps on the host's
// network (no CNI is configured), so the loopback server is reachable.
type gate struct {
	URL     string
	once    sync.Once
	open    chan struct{}
	arrived chan struct{} // closed when the step first reaches the gate
}

// newGate serves a gate on a loopback port until the test ends; the gate
// is opened when the test ends too, so no step is left waiting.
func newGate(t *testing.T) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{URL: "http://" + ln.Addr().String() + "/gate", open: make(chan struct{}), arrived: make(chan struct{})}
	var arrive sync.Once
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrive.Do(func() { close(g.arrived) })
		select {
		case <-g.open:
		case <-r.Context().Done():
		}
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { g.Open(); srv.Close() })
	return g
}

// Open lets every step waiting at the gate (and every later one) go on.
func (g *gate) Open() { g.once.Do(func() { close(g.open) }) }

// Step is the RUN command that waits at the gate.
func (g *gate) Step() string { return "wget -q -O /dev/null " + g.URL }

// WaitArrived waits until a step reached the gate, for at most a minute.
func (g *gate) WaitArrived(t *testing.T) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(time.Minute):
		t.Fatal("no step reached the gate within a minute")
	}
}
