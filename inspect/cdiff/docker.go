package cdiff

// dockerInit lists what the Docker engine's init layer puts under every
// container, between the image and the container's own layer. The engine
// diffs a container against image + init layer, so these are never
// changes of the container's.
var dockerInit = []string{
	"/dev/pts", "/dev/shm", "/proc", "/sys", "/.dockerenv",
	"/etc/resolv.conf", "/etc/hosts", "/etc/hostname", "/dev/console", "/etc/mtab",
}

// AddDockerInit turns base (an image's filesystem) into what the engine
// compares a container with: the image under the engine's init layer. The
// init layer's objects are taken as the container (a `docker export`
// tarball of it) shows them.
func AddDockerInit(base, container *Tree) {
	for _, d := range []string{"/dev", "/etc"} {
		if base.lookup(d) == nil {
			if e := container.lookup(d); e != nil {
				base.Put(e)
			}
		}
	}
	for _, p := range dockerInit {
		if e := container.lookup(p); e != nil {
			base.Put(e)
		}
	}
}

// runtimeMounts are where a container runtime mounts things, making an
// empty directory or file when the image has none there.
var runtimeMounts = append([]string{"/dev", "/proc", "/sys"}, dockerInit...)

// DropMountpoints removes from a layer of changes (upper) the empty
// mountpoints a runtime made for a run (BuildKit's runc executor: /dev,
// /proc, /sys, /etc/hosts, /etc/resolv.conf) where the image (base) has
// nothing: they are the runtime's, not the command's.
func DropMountpoints(base FS, upper *Tree) {
	for i := len(runtimeMounts) - 1; i >= 0; i-- {
		p := runtimeMounts[i]
		n := upper.find(p)
		if n == nil || n.e.Whiteout || len(n.kids) > 0 {
			continue
		}
		if n.e.IsDir() || (n.e.IsRegular() && n.e.Size == 0) {
			if _, err := base.Lstat(p); err != nil {
				upper.Remove(p)
			}
		}
	}
}
