package main

import (
	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
)

func init() { commands = append(commands, newWhyCmd) }

func newWhyCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "why [BUILD]",
		Short: "Explain why each step of a build missed the cache",
		Long: `Compare a build (default: the last) with the previous build of the same
context, Dockerfile and target, and give for every step that ran one reason:

  instruction-changed  the instruction's text changed (old vs new)
  build-arg-changed    a build arg that reaches the step changed (name, old → new)
  env-changed          an ENV value before the step changed
  base-image-changed   FROM resolved to a different digest
  context-changed      context files the COPY/ADD selects or a RUN bind-mounts changed
                       (after .dockerignore, or <Dockerfile>.dockerignore when it exists)
  named-context-changed files taken from a --build-context NAME=DIR changed
  platform-changed     the target platform changed
  parent-missed        an earlier step it builds on (or mounts, or copies from) ran
  parent-changed       a step it builds on changed but was answered from an older
                       cache entry (listed under "changed, but answered from …")
  no-cache             --no-cache or --no-cache-filter forced it
  first-build          there is no previous build to compare with
  cache-evicted        BuildKit's cache key equals the previous build's, and it ran
                       anyway (pruned cache)
  cache-not-imported   --cache-from did not hold the step's key or its layers (names
                       the cache; says when it was exported with mode=min), or failed
  inputs-unknown       the data cannot show why; says what is missing

On the embedded builder the answer comes from BuildKit's own cache keys
(source cache-keys): the plain-text inputs behind each step's key, diffed
down to the file, variable, op field or parent that differs. Elsewhere
(the Docker engine, a remote builder) it comes from the inputs buildscope
recorded (source recorded-inputs), and the output says so.

Root causes are listed first with the seconds they cost (their own run and
their cascades'), then the steps they cascaded to, then advice.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cur, ex, err := buildrun.ExplainBuild(cmd.Context(), buildrun.History{Dir: g.paths.History()}, buildArg(args), g.builderOpener())
			if err != nil {
				return err
			}
			return output(cmd, asJSON, ex, func() (string, error) { return ex.Text(cur), nil })
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
