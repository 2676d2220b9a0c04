package builder

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// daemonProc is a live buildkitd that runs on the embedded builder's root,
// found from the pid file or from the lock it holds on the root. p is
// pinned (a pidfd): signals sent through it cannot reach a process that
// reused the pid.
type daemonProc struct {
	pid   int
	p     *os.Process
	state byte // from /proc/PID/stat: R, S, D, T (stopped), t, Z
}

func (d *daemonProc) stopped() bool { return d.state == 'T' || d.state == 't' }

// describeState says what a process state letter means to a user.
func (d *daemonProc) describeState() string {
	switch d.state {
	case 'T':
		return "stopped (SIGSTOP)"
	case 't':
		return "stopped by a debugger"
	case 'D':
		return "blocked in the kernel (state D)"
	default:
		return "running"
	}
}

// findDaemon returns the buildkitd that holds the root's lock, else the one
// the pid file names, when that process really is a buildkitd on this
// root (its command line says --root ROOT), else any process whose command
// line says so. A pid file naming any other process (a pid reused since)
// is no daemon. nil means none runs.
func (e *Embedded) findDaemon() *daemonProc {
	var pids []int
	if pid, ok := lockHolder(filepath.Join(e.Root(), "buildkitd.lock")); ok {
		pids = append(pids, pid)
	}
	if pid, err := e.pidFromFile(); err == nil {
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		p, err := os.FindProcess(pid) // a pidfd on Linux: pinned from here on
		if err != nil {
			continue
		}
		state, ok := procState(pid)
		if !ok || state == 'Z' || !runsOnRoot(pid, e.Root()) {
			p.Release()
			continue
		}
		return &daemonProc{pid: pid, p: p, state: state}
	}
	// a daemon that neither holds the lock yet nor has its pid file: its
	// buildscope was killed between starting it and writing the file (a
	// terminal closed under it), and the daemon had not reached its lock
	if pid, ok := processOnRoot(e.Root()); ok {
		if p, err := os.FindProcess(pid); err == nil {
			// read again once pinned: the pid may have been reused since
			if state, ok := procState(pid); ok && state != 'Z' && runsOnRoot(pid, e.Root()) {
				return &daemonProc{pid: pid, p: p, state: state}
			}
			p.Release()
		}
	}
	return nil
}

// processOnRoot is a process started with --root root, found in /proc.
func processOnRoot(root string) (int, bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	for _, en := range entries {
		pid, err := strconv.Atoi(en.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if runsOnRoot(pid, root) {
			return pid, true
		}
	}
	return 0, false
}

// pidFromFile reads the pid file, without checking the process.
func (e *Embedded) pidFromFile() (int, error) {
	b, err := os.ReadFile(e.pidPath())
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("reading %s: not a pid: %q", e.pidPath(), b)
	}
	return pid, nil
}

// runsOnRoot says whether process pid was started with --root root.
func runsOnRoot(pid int, root string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	for i, a := range args {
		if a == "--root="+root || (a == "--root" && i+1 < len(args) && args[i+1] == root) {
			return true
		}
	}
	return false
}

// procState returns the state letter of a live process.
func procState(pid int) (byte, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// pid (comm) S …: comm may hold spaces and parentheses
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0, false
	}
	return b[i+2], true
}

// lockHolder returns the pid holding a flock on path, from /proc/locks.
func lockHolder(path string) (int, bool) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, false
	}
	major := (st.Dev>>8)&0xfff | (st.Dev>>32)&0xfffff000
	minor := st.Dev&0xff | (st.Dev>>12)&0xffffff00
	dev := fmt.Sprintf("%02x:%02x:%d", major, minor, st.Ino)
	f, err := os.Open("/proc/locks")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 1: FLOCK  ADVISORY  WRITE 584 fe:00:10193080 0 EOF
		fs := strings.Fields(sc.Text())
		if len(fs) < 6 || fs[1] != "FLOCK" || fs[5] != dev {
			continue
		}
		if pid, err := strconv.Atoi(fs[4]); err == nil && pid > 0 {
			return pid, true
		}
	}
	return 0, false
}
