package build

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/buildscope/buildscope/buildrun/builder"
)

// Check refuses, before anything is built, a flag the builder b cannot
// honour, in one line naming the flag and what to use instead. A flag is
// either honoured or refused here; none is parsed and then dropped.
func (p *Prepared) Check(ctx context.Context, b *builder.Builder) error {
	nplat := len(p.platforms)
	if b.Kind != builder.KindDocker {
		if p.Load && nplat > 1 {
			return fmt.Errorf("--load puts one image in the Docker engine, and %d platforms were asked for: build one --platform to load, or write them all with -o type=oci,dest=FILE", nplat)
		}
		return nil
	}
	// the Docker engine's BuildKit: one exporter (the engine's image store,
	// or one -o), its own cache, and an older frontend on older engines
	if len(p.Destinations) > 0 && (len(p.Tags) > 0 || p.Push || p.Load) {
		return fmt.Errorf("on the docker builder -o cannot be combined with -t, --push or --load: the Docker engine's BuildKit takes one exporter; drop -o (the image goes to the engine's store), or use --builder embedded")
	}
	if len(p.Destinations) > 1 {
		return fmt.Errorf("the docker builder writes one -o, and %d were given: use --builder embedded for several", len(p.Destinations))
	}
	if nplat > 1 && len(p.Destinations) == 0 {
		return fmt.Errorf("the Docker engine's image store holds one platform per image, and --platform names %d: use --builder embedded, or write them with -o type=oci,dest=FILE", nplat)
	}
	imports, exports, err := cacheOptions(p.CacheFrom, p.CacheTo)
	if err != nil {
		return err
	}
	for _, c := range exports {
		if c.Type != "inline" {
			return fmt.Errorf("--cache-to type=%s: the Docker engine's BuildKit exports cache only inline (--cache-to type=inline); use --builder embedded to export to a registry or a directory", c.Type)
		}
	}
	for _, c := range imports {
		if c.Type != "registry" {
			return fmt.Errorf("--cache-from type=%s: the Docker engine's BuildKit imports cache only from a registry (--cache-from REF); use --builder embedded to import from a directory", c.Type)
		}
	}
	if len(p.BuildContexts) > 0 {
		if _, err := b.Client.Info(ctx); status.Code(err) == codes.Unimplemented {
			return fmt.Errorf("--build-context needs BuildKit 0.11 or later, and this Docker engine's BuildKit is older (its frontend would look %s up as an image): use --builder embedded", firstContextName(p.BuildContexts))
		}
	}
	return nil
}

// Notes are what the user should know about where the result goes
// before the build runs, as buildx warns: a -t that neither pushes nor
// loads leaves the image only in buildscope's own store.
func (p *Prepared) Notes(b *builder.Builder) []string {
	if b.Kind != builder.KindDocker && len(p.Tags) > 0 && !p.Push && !p.Load && len(p.Destinations) == 0 {
		return []string{fmt.Sprintf("-t %s names an image that goes nowhere on the %s builder: add --push or --load (the result stays in buildscope's store as build:ID)", strings.Join(p.Tags, ","), b.Name())}
	}
	return nil
}

func firstContextName(bcs []string) string {
	name, _, _ := strings.Cut(bcs[0], "=")
	return name
}
