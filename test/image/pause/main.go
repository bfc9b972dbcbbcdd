// Command pause is PID 1 of two kinds of namespace in the test node, and it has no dependencies so
// it builds in seconds into a static binary:
//
//	pause                 the sandbox ("pause") container of every pod: holds the pod's namespaces,
//	                      reaps zombies, and exits 0 on SIGTERM or SIGINT.
//	pause -- CMD ARGS...  init of the node's own PID namespace: runs CMD, forwards SIGTERM, SIGINT
//	                      and SIGHUP to it, reaps every orphan re-parented to it (containerd's shims
//	                      double-fork), and exits with CMD's status. When it exits, the kernel kills
//	                      every process left in the namespace, so nothing of the node outlives it.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGCHLD)

	if len(os.Args) < 2 {
		for sig := range signals {
			if sig == syscall.SIGCHLD {
				reapAll(-2)
				continue
			}
			if sig == syscall.SIGTERM || sig == syscall.SIGINT {
				os.Exit(0)
			}
		}
	}

	args := os.Args[1:]
	if args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: pause [-- CMD ARGS...]")
		os.Exit(2)
	}
	child := exec.Command(args[0], args[1:]...)
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := child.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "pause: cannot start %s: %v\n", args[0], err)
		os.Exit(127)
	}
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			_ = child.Process.Signal(sig)
			continue
		}
		if status, exited := reapAll(child.Process.Pid); exited {
			if status.Signaled() {
				os.Exit(128 + int(status.Signal()))
			}
			os.Exit(status.ExitStatus())
		}
	}
}

// reapAll collects every exited child without blocking and tells whether main (a PID; -2 for
// none) was among them, with its status.
func reapAll(main int) (syscall.WaitStatus, bool) {
	var mainStatus syscall.WaitStatus
	mainExited := false
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return mainStatus, mainExited
		}
		if pid == main {
			mainStatus, mainExited = status, true
		}
	}
}
