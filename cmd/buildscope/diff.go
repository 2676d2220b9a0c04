package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/assets/help"
	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/inspect/cdiffrun"
)

// diffFlags are the flags of `buildscope diff`: what to read and how
// (req), and how to print it.
type diffFlags struct {
	req    cdiffrun.Request
	asJSON bool
}

func init() { commands = append(commands, newDiffCmd) }

func newDiffCmd(g *globals) *cobra.Command {
	o := &diffFlags{}
	cmd := &cobra.Command{
		Use:     "diff CONTAINER | diff --image IMAGE [flags] -- CMD [ARG...] | diff --image IMAGE --export FILE.tar",
		Short:   "Show what a container changed in its filesystem against its image",
		Long:    help.Long("diff"),
		Example: help.Example("diff"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.req.Image, "image", "build:last", "the image to run, or that --export's container ran")
	f.StringVar(&o.req.Platform, "platform", "", "image of a multi-platform --image (os/arch[/variant]; default: the host's)")
	f.StringVar(&o.req.Export, "export", "", "diff a `docker export` tarball (offline) against --image")
	f.StringVar(&o.req.User, "user", "", "run CMD as this user (name or uid[:gid])")
	f.BoolVar(&o.req.ReadOnly, "read-only", false, "run CMD with a read-only root filesystem")
	f.StringArrayVar(&o.req.Tmpfs, "tmpfs", nil, "mount a tmpfs at this path while CMD runs (repeatable)")
	f.DurationVar(&o.req.Timeout, "timeout", 0, "stop CMD after this long (e.g. 30s); 0 waits for it")
	f.BoolVar(&o.asJSON, "json", false, `print JSON: {"changes":[{"kind","path","size_bytes",...}]}`)
	f.BoolVar(&o.req.Content, "content", false, "add unified diffs of added and changed text files")
	f.StringArrayVar(&o.req.Patterns, "path", nil, "show only these paths and what is under them (glob, repeatable)")
	f.StringVar(&o.req.Method, "method", "auto", "how to read an engine container: auto, overlay (its layer on disk) or export (docker export)")
	return cmd
}

func runDiff(cmd *cobra.Command, g *globals, o *diffFlags, args []string) error {
	r, dash := o.req, cmd.ArgsLenAtDash()
	if err := cdiffrun.CheckSelection(r.Method, r.Patterns); err != nil {
		return err
	}
	switch {
	case r.Export != "":
		if len(args) > 0 {
			return errors.New("--export takes no CONTAINER or CMD: buildscope diff --image IMAGE --export FILE.tar")
		}
	case dash >= 0 || cmd.Flags().Changed("image"):
		if dash > 0 {
			return fmt.Errorf("unexpected %q before --: buildscope diff --image IMAGE [flags] -- CMD [ARG...]", args[0])
		}
		r.Run, r.Args = true, args
	default:
		if len(args) != 1 {
			return errors.New("name one CONTAINER, or run one: buildscope diff --image IMAGE -- CMD [ARG...]")
		}
		if r.User != "" || r.ReadOnly || len(r.Tmpfs) > 0 || r.Timeout != 0 {
			return errors.New("--user, --read-only, --tmpfs and --timeout apply to a container diff runs: add --image IMAGE -- CMD")
		}
		r.Container = args[0]
	}
	if r.Container == "" {
		if err := buildrun.ImportBuilderRecords(cmd.Context(), g.paths, g.builderOpener(), cmd.ErrOrStderr(), g.hist.Warn, r.Image); err != nil {
			return err
		}
	}
	return r.Print(cmd.Context(), g.connect, g.paths, cmd.OutOrStdout(), cmd.ErrOrStderr(), o.asJSON)
}
