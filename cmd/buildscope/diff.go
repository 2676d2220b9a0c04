package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/inspect/cdiff"
)

// diffOptions are the flags of `buildscope diff`.
type diffOptions struct {
	image    string
	platform string
	export   string
	user     string
	readOnly bool
	tmpfs    []string
	timeout  time.Duration
	asJSON   bool
	content  bool
	paths    []string
	method   string
}

func init() { commands = append(commands, newDiffCmd) }

func newDiffCmd(g *globals) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff CONTAINER | diff --image IMAGE [flags] -- CMD [ARG...] | diff --image IMAGE --export FILE.tar",
		Short: "Show what a container changed in its filesystem against its image",
		Long: `diff lists what a container added (A), changed (C) and deleted (D) in its
filesystem, in the format of ` + "`docker container diff`" + `: a directory holding a
change is marked C before its contents. Files copied up but equal in
metadata and content are not reported.

  buildscope diff CONTAINER
      a Docker-engine container (name or id), running or stopped.
  buildscope diff --image IMAGE [--user U] [--read-only] [--tmpfs PATH] [--timeout D] -- CMD [ARG...]
      runs CMD in a container of IMAGE on the current builder (the engine
      with --builder docker, BuildKit otherwise), waits for it to exit,
      diffs and removes it. Without CMD the image's own command runs.
  buildscope diff --image IMAGE --export FILE.tar
      offline, against a ` + "`docker export`" + ` tarball of a container of IMAGE.

IMAGE is build:last (the default), build:ID, an OCI layout dir, a docker
save tar, docker://NAME or a registry reference.`,
		Example: `  buildscope diff my-container
  buildscope diff --json --content --path /tmp my-container
  buildscope diff --image build:last -- sh -c 'echo hi > /tmp/x'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.image, "image", "build:last", "the image to run, or that --export's container ran")
	f.StringVar(&o.platform, "platform", "", "image of a multi-platform --image (os/arch[/variant]; default: the host's)")
	f.StringVar(&o.export, "export", "", "diff a `docker export` tarball (offline) against --image")
	f.StringVar(&o.user, "user", "", "run CMD as this user (name or uid[:gid])")
	f.BoolVar(&o.readOnly, "read-only", false, "run CMD with a read-only root filesystem")
	f.StringArrayVar(&o.tmpfs, "tmpfs", nil, "mount a tmpfs at this path while CMD runs (repeatable)")
	f.DurationVar(&o.timeout, "timeout", 0, "stop CMD after this long (e.g. 30s); 0 waits for it")
	f.BoolVar(&o.asJSON, "json", false, `print JSON: {"changes":[{"kind","path","size_bytes",...}]}`)
	f.BoolVar(&o.content, "content", false, "add unified diffs of added and changed text files")
	f.StringArrayVar(&o.paths, "path", nil, "show only these paths and what is under them (glob, repeatable)")
	f.StringVar(&o.method, "method", "auto", "how to read an engine container: auto, overlay (its layer on disk) or export (docker export)")
	return cmd
}

func runDiff(cmd *cobra.Command, g *globals, o *diffOptions, args []string) error {
	switch o.method {
	case "auto", "overlay", "export":
	default:
		return fmt.Errorf("--method %q: use auto, overlay or export", o.method)
	}
	for _, p := range o.paths {
		if _, err := path.Match(p, "/"); err != nil {
			return fmt.Errorf("--path %q: %w", p, err)
		}
	}
	ctx := cmd.Context()
	dash := cmd.ArgsLenAtDash()
	var (
		res *cdiff.Result
		err error
	)
	switch {
	case o.export != "":
		if len(args) > 0 {
			return errors.New("--export takes no CONTAINER or CMD: buildscope diff --image IMAGE --export FILE.tar")
		}
		res, err = cdiff.ExportChanges(ctx, o.image, o.platform, o.export, g.paths, o.content)
	case dash >= 0 || cmd.Flags().Changed("image"):
		if dash > 0 {
			return fmt.Errorf("unexpected %q before --: buildscope diff --image IMAGE [flags] -- CMD [ARG...]", args[0])
		}
		res, err = diffRun(ctx, cmd.ErrOrStderr(), g, o, args)
	default:
		if len(args) != 1 {
			return errors.New("name one CONTAINER, or run one: buildscope diff --image IMAGE -- CMD [ARG...]")
		}
		if o.user != "" || o.readOnly || len(o.tmpfs) > 0 || o.timeout != 0 {
			return errors.New("--user, --read-only, --tmpfs and --timeout apply to a container diff runs: add --image IMAGE -- CMD")
		}
		res, err = cdiff.ContainerChanges(ctx, args[0], o.runOptions(nil))
	}
	if err != nil {
		return err
	}
	return printDiff(cmd.OutOrStdout(), res, o)
}

// runOptions are the flags as the runners take them.
func (o *diffOptions) runOptions(argv []string) cdiff.RunOptions {
	return cdiff.RunOptions{Image: o.image, Platform: o.platform, Args: argv, User: o.user, ReadOnly: o.readOnly, Tmpfs: o.tmpfs,
		Timeout: o.timeout, Content: o.content, Method: o.method}
}

// diffRun runs a container of --image on the current builder and diffs it.
func diffRun(ctx context.Context, stderr io.Writer, g *globals, o *diffOptions, argv []string) (*cdiff.Result, error) {
	b, err := g.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	res, err := cdiff.NewRunner(b, g.paths).Run(ctx, o.runOptions(argv))
	if err != nil {
		return nil, err
	}
	switch {
	case res.Stopped:
		fmt.Fprintf(stderr, "buildscope: stopped the container after --timeout %s\n", o.timeout)
	case res.ExitCode != 0:
		fmt.Fprintf(stderr, "buildscope: the command exited %d\n", res.ExitCode)
	}
	return res, nil
}

func printDiff(w io.Writer, res *cdiff.Result, o *diffOptions) error {
	changes := res.Select(o.paths, o.content)
	if o.asJSON {
		return writeJSON(w, cdiff.Report{Changes: changes})
	}
	return cdiff.WriteText(w, changes)
}
