package build

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/advice"
)

// unneededDirs are directories of a build context that no image needs and
// a .dockerignore usually leaves out: VCS data, installed dependencies,
// caches of tools that run on the host.
var unneededDirs = []string{".git", ".hg", "node_modules", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".tox", "_build"}

// contextFacts looks at the build context for what advice needs: a
// .dockerignore, and, without one, the unneeded directories it holds and
// their sizes. Once ctx is done it stops walking (the sizes are then
// partial, and the advice not given).
func contextFacts(ctx context.Context, dir string) advice.ContextFacts {
	var f advice.ContextFacts
	if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err == nil {
		f.Dockerignore = true
		return f
	}
	for _, name := range unneededDirs {
		p := filepath.Join(dir, name)
		if fi, err := os.Lstat(p); err != nil || !fi.IsDir() {
			continue
		}
		if f.Unneeded == nil {
			f.Unneeded = map[string]int64{}
		}
		f.Unneeded[name] = dirSize(ctx, p)
	}
	return f
}

// dirSize is the size of the regular files under dir (unreadable parts
// count as empty), until ctx is done.
func dirSize(ctx context.Context, dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// startAdvice starts looking at the context of build p (a walk of the
// unneeded directories a context without .dockerignore holds, which can
// be large) while the build runs, and returns the function that gives the
// seeds' advice on the finished build's record: what each costs is
// measured from the record's steps. A build whose ctx is done (Ctrl-C)
// gets no advice, and does not wait for the walk: the walk stops too.
func startAdvice(ctx context.Context, p *Prepared) func(rec *model.Build) []model.Advice {
	if p.Plan == nil {
		return func(*model.Build) []model.Advice { return nil }
	}
	facts := make(chan advice.ContextFacts, 1)
	go func() { facts <- contextFacts(ctx, p.ContextAbs) }()
	return func(rec *model.Build) []model.Advice {
		select {
		case f := <-facts:
			if ctx.Err() == nil {
				return advice.Advise(p.Plan, rec, f)
			}
		case <-ctx.Done():
		}
		return nil
	}
}
