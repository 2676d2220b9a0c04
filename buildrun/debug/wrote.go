package debug

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"unicode/utf8"

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

// maxShown is the largest file whose content is shown; maxShownLines the
// most lines shown of one, and maxShownTotal the most bytes of content
// shown in all.
const (
	maxShown      = 2 << 10
	maxShownLines = 20
	maxShownTotal = 16 << 10
)

// Written is one path a failed step changed, with the content of a small
// text file it added or changed.
type Written struct {
	compare.FileChange
	// Content is the file's content when it is text of at most 2 KiB
	// (shown escaped, at most 20 lines); "" otherwise.
	Content string
	// NotShown says why a regular file's content is not shown (binary,
	// too large, unreadable); "" when it is, or for what is no file.
	NotShown string
}

// wrote lists what the failed step changed in its root filesystem against
// the step's input, read through the gateway (no process runs). A path is
// changed when its type, mode, owner, link, size or modification time
// differ, as `docker container diff` decides; the other mounts' targets
// and the runtime's (/dev, /proc, /sys, /etc/hosts…) are left out.
func wrote(ctx context.Context, gc gateway.Client, se *errdefs.SolveError, exec *pb.ExecOp) ([]Written, error) {
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
	return withContent(ctx, ctr, changes, after), nil
}

// withContent adds to the first maxListed changes the content of each
// small text file the step added or changed, read from mount 0 of ctr,
// up to maxShownTotal bytes in all.
func withContent(ctx context.Context, ctr gateway.Container, changes []compare.FileChange, after compare.FileSet) []Written {
	out := make([]Written, len(changes))
	shown := 0
	for i, c := range changes {
		out[i].FileChange = c
		e, ok := after[c.Path]
		if i >= maxListed || c.Kind == "D" || !ok || !os.FileMode(e.Mode).IsRegular() || e.Size == 0 {
			continue
		}
		w := &out[i]
		switch {
		case e.Size > maxShown:
			w.NotShown = "content not shown: over " + units.BytesSize(maxShown)
		case shown+int(e.Size) > maxShownTotal:
			w.NotShown = "content not shown: " + units.BytesSize(maxShownTotal) + " of content shown above"
		default:
			b, err := ctr.ReadFile(ctx, gateway.ReadContainerRequest{ReadRequest: gateway.ReadRequest{
				Filename: c.Path, Range: &gateway.FileRange{Length: maxShown + 1}}})
			switch {
			case err != nil:
				w.NotShown = fmt.Sprintf("content unknown: reading it: %v", err)
			case len(b) > maxShown: // grew since it was listed
				w.NotShown = "content not shown: over " + units.BytesSize(maxShown)
			case !isText(b):
				w.NotShown = "binary: content not shown"
			default:
				w.Content, shown = string(b), shown+len(b)
			}
		}
	}
	return out
}

// isText says whether b reads as text: UTF-8, no NUL, and no control
// bytes but tab, newline, carriage return, form feed and escape.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) || c == 0x7f {
			return false
		}
	}
	return true
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
func writeWrote(w io.Writer, changes []Written) {
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
		note := ""
		if c.NotShown != "" {
			note = "  (" + c.NotShown + ")"
		}
		fmt.Fprintf(w, "  %s %s  %s%s\n", c.Kind, model.Printable(c.Path), units.HumanSize(float64(size)), note)
		writeContent(w, c.Content)
	}
}

// writeContent prints a text file's content under its line, each line
// escaped (model.PrintableTextLine) behind "    | ", at most maxShownLines.
func writeContent(w io.Writer, content string) {
	if content == "" {
		return
	}
	lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	for i, l := range lines {
		if i == maxShownLines {
			fmt.Fprintf(w, "    | … %d more lines\n", len(lines)-maxShownLines)
			break
		}
		fmt.Fprintf(w, "    | %s\n", model.PrintableTextLine(l))
	}
	if !strings.HasSuffix(content, "\n") {
		fmt.Fprintln(w, "    (no newline at end of file)")
	}
}
