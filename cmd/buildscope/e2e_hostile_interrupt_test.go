package main

import (
	"bytes"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stallingListener accepts connections on a real loopback socket and
// never answers on them; accepted says when the first one came.
type stallingListener struct {
	net.Listener
	accepted chan struct{}
	mu       sync.Mutex
	conns    []net.Conn
}

func newStallingListener(t *testing.T, network, addr string) *stallingListener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &stallingListener{Listener: ln, accepted: make(chan struct{})}
	go func() {
		var once sync.Once
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			once.Do(func() { close(s.accepted) })
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.conns {
			c.Close()
		}
	})
	return s
}

// interrupted starts buildscope with args, waits until blocked says it is
// stuck, sends it SIGINT and returns what it did. The deadlines only
// guard against a hang; nothing is measured.
func (e *env) interrupted(t *testing.T, blocked <-chan struct{}, extraEnv []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(append([]string{}, e.vars...), extraEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-blocked:
	case err := <-done:
		t.Fatalf("buildscope %v ended before it blocked (%v):\n%s", args, err, errb.String())
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("buildscope %v never reached the stalling peer", args)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("buildscope %v ignored SIGINT while blocked:\n%s", args, errb.String())
	}
	return result{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
}

// Ctrl-C ends every call that waits on a peer that accepted and never
// answers: a registry, a builder's unix socket, a tcp:// builder, the
// Docker engine (its store, its builder), with a non-zero exit and one
// line that says it was interrupted.
func TestInterruptEndsStalledCalls(t *testing.T) {
	e := newEnv(t)
	ctx := t.TempDir()
	writeFiles(t, ctx, map[string]string{"Dockerfile": "FROM " + baseAddr + "/buildscope/busybox:latest\nRUN true\n"})
	tcp := func() *stallingListener { return newStallingListener(t, "tcp", "127.0.0.1:0") }
	unix := func() *stallingListener { return newStallingListener(t, "unix", filepath.Join(t.TempDir(), "bk.sock")) }
	registry, sock, builder, foreign, engine, engineBuild := tcp(), unix(), tcp(), unix(), unix(), unix()
	for _, c := range []struct {
		name string
		peer *stallingListener
		env  []string
		args []string
	}{
		{"registry", registry, nil, []string{"inspect", "--json", registry.Addr().String() + "/app:1"}},
		{"unix socket builder", sock, nil, []string{"build", "--progress", "plain", "--builder", "unix://" + sock.Addr().String(), ctx}},
		{"tcp builder", builder, nil, []string{"build", "--progress", "plain", "--builder", "tcp://" + builder.Addr().String(), ctx}},
		{"a builder's own history", foreign, nil, []string{"history", "ls", "--builder", "unix://" + foreign.Addr().String()}},
		{"the Docker engine's store", engine, []string{"DOCKER_HOST=unix://" + engine.Addr().String()}, []string{"inspect", "--json", "docker://app:1"}},
		{"the Docker engine as builder", engineBuild, []string{"DOCKER_HOST=unix://" + engineBuild.Addr().String()},
			[]string{"build", "--progress", "plain", "--builder", "docker", ctx}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.interrupted(t, c.peer.accepted, c.env, c.args...)
			if r.code == 0 || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "buildscope: interrupted while waiting for ") {
				t.Errorf("after SIGINT: exit %d, stderr:\n%s", r.code, r.stderr)
			}
		})
	}
}
