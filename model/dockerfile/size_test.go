package dockerfile

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// Hostile Dockerfile sizes: planning costs memory linear in the number of
// instructions, whatever they are (the report: the scope's maps were
// copied for every instruction, and 20,000 ENV lines took 14.6 GB). Each
// shape is planned at n and 4n instructions and the bytes allocated are
// compared: a linear plan allocates about 4 times as much, the copy per
// instruction 16 times.
func TestPlanMemoryLinearInInstructions(t *testing.T) {
	shapes := []struct {
		name string
		line func(i int) string
	}{
		{"ENV lines, each a new variable", func(i int) string { return fmt.Sprintf("ENV V%d=value-%d", i, i) }},
		{"ARG lines, each a new build arg", func(i int) string { return fmt.Sprintf("ARG A%d=value-%d", i, i) }},
		{"RUN lines after 200 variables", func(i int) string {
			if i < 200 {
				return fmt.Sprintf("ENV V%d=value-%d", i, i)
			}
			return fmt.Sprintf("RUN echo $V%d %d", i%200, i)
		}},
		{"ENV, COPY, WORKDIR, LABEL and RUN mixed", func(i int) string {
			switch i % 8 {
			case 0, 1, 2:
				return fmt.Sprintf("ENV V%d=$V%d-x", i, i-1)
			case 3:
				return fmt.Sprintf("COPY f%d /d/", i)
			case 4:
				return fmt.Sprintf("WORKDIR /w/$V%d", i-2)
			case 5:
				return fmt.Sprintf("LABEL l%d=$V%d", i, i-3)
			case 6:
				return fmt.Sprintf("ARG A%d", i)
			}
			return "USER nobody"
		}},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			planned := func(n int) uint64 {
				var b strings.Builder
				b.WriteString("FROM busybox\n")
				for i := 0; i < n; i++ {
					b.WriteString(s.line(i) + "\n")
				}
				data := []byte(b.String())
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				p, err := Parse("Dockerfile", data, nil)
				runtime.ReadMemStats(&after)
				if err != nil {
					t.Fatal(err)
				}
				if got := len(p.Stages[0].Instructions); got != n+1 {
					t.Fatalf("%d instructions planned, want %d", got, n+1)
				}
				return after.TotalAlloc - before.TotalAlloc
			}
			small, big := planned(1000), planned(4000)
			if ratio := float64(big) / float64(small); ratio > 5.5 {
				t.Errorf("1,000 instructions: %d bytes allocated, 4,000: %d (%.1f times): not linear", small, big, ratio)
			}
		})
	}
}

// A Dockerfile whose RUNs see more variables in all than MaxScopeEntries
// (ENV and RUN lines alternating: each RUN's scope is kept whole) is
// refused in one line naming the RUN that crosses the bound.
func TestPlanScopeBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("FROM busybox\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "ENV V%d=%d\nRUN echo %d\n", i, i, i)
	}
	// the RUNs see 1, 2, … variables: 1+…+13 = 91, 1+…+14 = 105
	_, err := parseBounded("Dockerfile", []byte(b.String()), nil, AutoArgs{}, 100)
	want := "Dockerfile:29: the RUN instructions up to this one see over 100 build args and environment variables in all (each RUN's are recorded with it): over the bound (MaxScopeEntries): refused"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if _, err := parseBounded("Dockerfile", []byte(strings.SplitAfterN(b.String(), "RUN echo 13\n", 2)[0]), nil, AutoArgs{}, 105); err != nil {
		t.Errorf("at the bound: %v", err)
	}
}
