package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
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
  context-changed      files the COPY/ADD selects changed (added, removed, modified)
  platform-changed     the target platform changed
  parent-missed        an earlier step it builds on ran (with the root cause)
  no-cache             --no-cache or --no-cache-filter forced it
  first-build          there is no previous build to compare with
  cache-evicted        its inputs were equal, and it ran anyway (pruned cache)

Root causes are listed first, then the steps they cascaded to, then advice.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h := buildrun.History{Dir: g.paths.History()}
			id := "last"
			if len(args) == 1 {
				id = strings.TrimPrefix(args[0], "build:")
			}
			cur, err := h.Get(id)
			if err != nil {
				return err
			}
			all, err := h.List()
			if err != nil {
				return err
			}
			ex := model.Explain(cur, model.PreviousBuild(cur, all))
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), ex)
			}
			printWhy(cmd, cur, ex)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printWhy(cmd *cobra.Command, cur *model.Build, ex *model.Explanation) {
	w := cmd.OutOrStdout()
	prev := ex.Previous
	if prev == "" {
		prev = "none"
	}
	fmt.Fprintf(w, "build %s against %s: %d/%d steps cached, %d ran\n", cur.ID, prev, cur.Cache.StepsCached, cur.Cache.StepsTotal, len(ex.Misses))
	header := ""
	for _, m := range ex.Misses {
		h := "root causes"
		if !m.Root {
			h = "then"
		}
		if h != header {
			fmt.Fprintf(w, "%s:\n", h)
			header = h
		}
		fmt.Fprintf(w, "  line %-4d %s\n            %s%s\n", m.Line, m.Step, m.Reason, detailText(m))
	}
	for _, a := range ex.Advice {
		fmt.Fprintf(w, "advice: %s\n", a)
	}
}

func detailText(m model.Miss) string {
	d := m.Detail
	switch m.Reason {
	case model.ReasonContext:
		files, _ := d["files"].([]string)
		return ": " + strings.Join(files, ", ")
	case model.ReasonBuildArg:
		return fmt.Sprintf(": %v %q → %q", d["arg"], d["old"], d["new"])
	case model.ReasonEnv:
		return fmt.Sprintf(": %v %q → %q", d["var"], d["old"], d["new"])
	case model.ReasonInstruction:
		return fmt.Sprintf(": was %q", d["old"])
	case model.ReasonBase:
		return fmt.Sprintf(": %v %v → %v", d["image"], d["old"], d["new"])
	case model.ReasonParent:
		return fmt.Sprintf(" ← %v", d["root"])
	case model.ReasonNoCache:
		return fmt.Sprintf(" (%v)", d["flag"])
	case model.ReasonPlatform:
		return fmt.Sprintf(": %v → %v", d["old"], d["new"])
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return ""
}
