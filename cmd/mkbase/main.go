// Command mkbase makes buildscope's offline base image from Debian's static
// busybox and serves it from a loopback registry, or loads it into the
// Docker engine. Examples and tests use it so that nothing is downloaded.
//
//	mkbase serve [--addr 127.0.0.1:5015] [--busybox /bin/busybox]
//	mkbase load  [--tag buildscope/busybox:latest]
//	mkbase tar FILE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/assets/baseimage"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mkbase:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: mkbase serve|load|tar [flags]")
	}
	fs := flag.NewFlagSet("mkbase "+args[0], flag.ContinueOnError)
	busybox := fs.String("busybox", baseimage.DefaultBusybox, "static busybox binary")
	addr := fs.String("addr", "127.0.0.1:5015", "serve: address of the loopback registry")
	tag := fs.String("tag", baseimage.Repository+":latest", "load/tar: image tag")
	detach := fs.Bool("detach", false, "serve: run in the background (no-op when the registry already answers)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "serve" && *detach {
		return serveDetached(*addr, args)
	}
	img, err := baseimage.Image(*busybox)
	if err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		r, err := baseimage.Serve(*addr, img)
		if err != nil {
			return err
		}
		fmt.Printf("serving %s (plain HTTP, loopback only); stop with Ctrl-C\n", r.Ref())
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		<-ctx.Done()
		return r.Close()
	case "load":
		if err := baseimage.LoadDocker(context.Background(), img, *tag); err != nil {
			return err
		}
		fmt.Println("loaded", *tag, "into the Docker engine")
		return nil
	case "tar":
		if fs.NArg() != 1 {
			return fmt.Errorf("usage: mkbase tar FILE")
		}
		t, err := name.NewTag(*tag)
		if err != nil {
			return err
		}
		return tarball.WriteToFile(fs.Arg(0), t, img)
	}
	return fmt.Errorf("unknown command %q: use serve, load or tar", args[0])
}

// serveDetached starts `mkbase serve` in its own session unless the
// registry already answers, and waits until it does.
func serveDetached(addr string, args []string) error {
	ref := addr + "/" + baseimage.Repository + ":latest"
	if baseimage.Answers(ref) {
		fmt.Println("base image already served at", ref)
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var rest []string
	for _, a := range args {
		if a != "--detach" && a != "-detach" {
			rest = append(rest, a)
		}
	}
	cmd := exec.Command(self, rest...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the registry: %w", err)
	}
	for i := 0; i < 100; i++ {
		if baseimage.Answers(ref) {
			fmt.Printf("serving %s in the background (pid %d)\n", ref, cmd.Process.Pid)
			return cmd.Process.Release()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the registry did not answer at %s within 10s", addr)
}
