package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/source"
)

// inspectJSON is what `buildscope inspect --json IMAGE` does, in process.
func inspectJSON(path string) error {
	ctx := context.Background()
	img, err := source.Open(ctx, path, source.Options{})
	if err != nil {
		return err
	}
	defer img.Close()
	out, err := layers.Inspect(ctx, path, img, false, nil)
	if err != nil {
		return err
	}
	return out.Write(io.Discard, true)
}

// shape is one deep image of the benchmark.
type shape struct {
	name         string
	files, depth int
	dirs         bool
}

// bench writes each shape, then times inspectJSON against list on it,
// alternating, and prints the medians and their ratio as a table row.
func bench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	runs := fs.Int("runs", 5, "alternating runs of each")
	prof := fs.String("cpuprofile", "", "write inspect's CPU profile here")
	only := fs.String("shape", "", "only this shape")
	memprof := fs.String("memprofile", "", "write the allocations of inspect's runs here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "deepimage")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	shapes := []shape{
		{"one file 2,000 levels deep, every directory a member", 1, 2000, true},
		{"one file 2,000 levels deep, directories implied", 1, 2000, false},
		{"50 files 2,000 levels deep, every directory a member", 50, 2000, true},
		{"200 files 2,000 levels deep, directories implied", 200, 2000, false},
		{"one file 50,000 levels deep (refused: PATH_MAX)", 1, 50000, false},
		{"200 files 5,000 levels deep (refused: PATH_MAX)", 200, 5000, false},
	}
	if *memprof != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			if f, err := os.Create(*memprof); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	fmt.Println("| shape | tar members | inspect --json: wall, CPU | limit (archive/tar list): wall, CPU | ratio: wall, CPU | inspect allocated, page faults |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, s := range shapes {
		if *only != "" && *only != s.name {
			continue
		}
		img := filepath.Join(dir, "deep.tar")
		if err := write(s.files, s.depth, s.dirs, img); err != nil {
			return err
		}
		var bs, lim, bsCPU, limCPU []time.Duration
		var allocated uint64 // bytes inspect allocated, the same every run
		var faults int64     // minor page faults of inspect's median run
		var inspectErr error
		for i := 0; i < *runs; i++ {
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			f0 := minorFaults()
			c0 := cpu()
			t0 := time.Now()
			if *prof != "" && i == 0 {
				f, _ := os.Create(*prof)
				pprof.StartCPUProfile(f)
				inspectErr = inspectJSON(img)
				pprof.StopCPUProfile()
				f.Close()
			} else {
				inspectErr = inspectJSON(img)
			}
			bs, bsCPU = append(bs, time.Since(t0)), append(bsCPU, cpu()-c0)
			runtime.ReadMemStats(&m1)
			allocated = m1.TotalAlloc - m0.TotalAlloc
			if i == *runs/2 {
				faults = minorFaults() - f0
			}
			runtime.GC()
			c0 = cpu()
			t0 = time.Now()
			if err := list(img, io.Discard); err != nil {
				return err
			}
			lim, limCPU = append(lim, time.Since(t0)), append(limCPU, cpu()-c0)
		}
		members := s.files
		if s.dirs {
			members += s.files * (s.depth + 1)
		}
		what := ""
		if inspectErr != nil {
			what = " (refused)"
		}
		b, l, bc, lc := median(bs), median(lim), median(bsCPU), median(limCPU)
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
		fmt.Printf("| %s | %d | %s, %s%s | %s, %s | %.2f, %.2f | %.1f MB, %d |\n", s.name, members, ms(b), ms(bc), what, ms(l), ms(lc),
			float64(b)/float64(l), float64(bc)/float64(lc), float64(allocated)/1e6, faults)
		os.Remove(img)
	}
	return nil
}

// minorFaults is the process's minor page faults so far: memory touched
// for the first time.
func minorFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Minflt
}

// cpu is the process's user and system time so far.
func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
