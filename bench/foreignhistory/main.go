// Command foreignhistory fills a BuildKit's build history with N records
// (small solves of their own, as other clients would leave) and then
// measures what `history ls --builder` does with them: how long
// builderhistory.List takes and which BuildKit API methods it calls
// (it must read no blob: no content-store call).
//
//	foreignhistory -addr unix:///tmp/b/buildkitd.sock -n 1000 -runs 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
)

func main() {
	addr := flag.String("addr", "", "BuildKit address")
	n := flag.Int("n", 0, "records to add before measuring")
	runs := flag.Int("runs", 5, "measured listings")
	flag.Parse()
	if err := run(context.Background(), *addr, *n, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "foreignhistory:", err)
		os.Exit(1)
	}
}

// calls counts the gRPC methods a client calls.
type calls struct {
	mu sync.Mutex
	by map[string]int
}

func (c *calls) add(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.by[method]++
}

func (c *calls) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for m, k := range c.by {
		out = append(out, fmt.Sprintf("%s×%d", m, k))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func run(ctx context.Context, addr string, n, runs int) error {
	if n > 0 {
		if err := fill(ctx, addr, n); err != nil {
			return err
		}
	}
	seen := &calls{by: map[string]int{}}
	c, err := client.New(ctx, addr,
		client.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			seen.add(method)
			return invoker(ctx, method, req, reply, cc, opts...)
		})),
		client.WithGRPCDialOption(grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			seen.add(method)
			return streamer(ctx, desc, cc, method, opts...)
		})))
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", addr, err)
	}
	defer c.Close()
	b := &builder.Builder{Kind: builder.KindRemote, Address: addr, Client: c}
	var times []time.Duration
	records := 0
	for range runs {
		start := time.Now()
		recs, err := builderhistory.List(ctx, b, 0)
		if err != nil {
			return err
		}
		times = append(times, time.Since(start))
		records = len(recs)
		_ = builderhistory.Table(recs)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	fmt.Printf("records %d, listing (records + table) median %s, max %s over %d runs\n", records, times[len(times)/2].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), runs)
	fmt.Printf("BuildKit API calls: %s\n", seen)
	if strings.Contains(seen.String(), "content.v1.Content") {
		return fmt.Errorf("the listing read blobs from the content store")
	}
	return nil
}

// fill runs n tiny solves, 8 at a time: each leaves a history record with
// its logs and provenance, as any client's build does.
func fill(ctx context.Context, addr string, n int) error {
	c, err := client.New(ctx, addr)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", addr, err)
	}
	defer c.Close()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	start := time.Now()
	for i := range n {
		g.Go(func() error {
			def, err := llb.Scratch().File(llb.Mkfile("/n", 0o644, fmt.Appendf(nil, "%d %d", i, start.UnixNano()))).Marshal(ctx)
			if err != nil {
				return err
			}
			if _, err := c.Solve(ctx, def, client.SolveOpt{}, nil); err != nil {
				return fmt.Errorf("solve %d: %w", i, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	fmt.Printf("added %d records in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
