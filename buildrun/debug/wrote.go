package debug

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	units "github.com/docker/go-units"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
)

// maxWalk bounds the entries read from each side of a failed step's root
// filesystem: past it, what the step wrote is not listed.
const maxWalk = 200_000

// maxListed is how many changed paths are printed; the rest are counted.
const maxListed = 50

// wrote lists what the failed step changed in its root filesystem against
// the step's input, read through the gateway (no process runs). A path is
// changed when its type, mode, owner, link, size or modification time
// differ, as `docker container diff` decides; the other mounts' targets
// and the runtime's (/dev, /proc, /sys, /etc/hosts…) are left out.
func wrote(ctx context.Context, gc gateway.Client, se *errdefs.SolveError, exec *pb.ExecOp) ([]compare.FileChange, error) {
	root := -1
	// the runtime mounts these over the rootfs while the step runs: what
	// is there is the runtime's stubs, never what the step wrote
	skip := []string{"/dev", "/proc", "/sys", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"}
	for i, m := range exec.Mounts {
		if m.Dest == "/" {
			root = i
		} else {
			skip = append(skip, path.Clean(m.Dest))
		}
	}
	if root < 0 || root >= len(se.InputIDs) || root >= len(se.MountIDs) || se.MountIDs[root] == "" {
		return nil, fmt.Errorf("the builder kept no root filesystem of the failed step")
	}
	mounts := []gateway.Mount{{Dest: "/", ResultID: se.MountIDs[root], Readonly: true, MountType: pb.MountType_BIND}}
	if in := se.InputIDs[root]; in != "" { // "" is scratch: an empty input
		mounts = append(mounts, gateway.Mount{Dest: "/input", ResultID: in, Readonly: true, MountType: pb.MountType_BIND})
	}
	ctr, err := gc.NewContainer(ctx, gateway.NewContainerRequest{Mounts: mounts})
	if err != nil {
		return nil, fmt.Errorf("opening the failed step's filesystem: %w", err)
	}
	defer ctr.Release(context.WithoutCancel(ctx))
	after, before := compare.FileSet{}, compare.FileSet{}
	if err := walk(ctx, ctr, 0, "/", skip, after); err != nil {
		return nil, err
	}
	if len(mounts) > 1 {
		if err := walk(ctx, ctr, 1, "/", skip, before); err != nil {
			return nil, err
		}
	}
	changes, _ := compare.DiffFiles(before, after, [2][]string{})
	return changes, nil
}

// walk reads the tree under dir of mount i into set, leaving out skip.
func walk(ctx context.Context, ctr gateway.Container, i int, dir string, skip []string, set compare.FileSet) error {
	sts, err := ctr.ReadDir(ctx, gateway.ReadDirContainerRequest{ReadDirRequest: gateway.ReadDirRequest{Path: dir}, MountIndex: i})
	if err != nil {
		return fmt.Errorf("reading %s of the failed step: %w", model.Printable(dir), err)
	}
	for _, st := range sts {
		p := path.Join(dir, path.Base(st.Path))
		if skipped(p, skip) {
			continue
		}
		if len(set) >= maxWalk {
			return fmt.Errorf("the failed step's filesystem holds more than %d entries: not listed", maxWalk)
		}
		mode := os.FileMode(st.Mode)
		e := compare.FileEntry{Dir: mode.IsDir(), Mode: int64(mode), UID: int(st.Uid), GID: int(st.Gid), Link: st.Linkname, Layer: -1}
		if !e.Dir {
			e.Size = st.Size
			e.Digest = fmt.Sprintf("%d@%d", st.Size, st.ModTime) // size and mtime, as docker diff decides
		}
		set[p] = e
		if e.Dir {
			if err := walk(ctx, ctr, i, p, skip, set); err != nil {
				return err
			}
		}
	}
	return nil
}

func skipped(p string, skip []string) bool {
	for _, s := range skip {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}

// writeWrote prints changes as `docker container diff` does, with sizes:
// at most maxListed lines, the rest counted.
func writeWrote(w io.Writer, changes []compare.FileChange) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "debug: the failed step changed no file of its root filesystem")
		return
	}
	fmt.Fprintf(w, "debug: what the failed step wrote before it failed (%d paths, against its input):\n", len(changes))
	for i, c := range changes {
		if i == maxListed {
			fmt.Fprintf(w, "  … %d more\n", len(changes)-maxListed)
			break
		}
		size := c.Size[1]
		if c.Kind == "D" {
			size = c.Size[0]
		}
		fmt.Fprintf(w, "  %s %s  %s\n", c.Kind, model.Printable(c.Path), units.HumanSize(float64(size)))
	}
}
