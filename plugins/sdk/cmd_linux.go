package sdk

import (
	"os/exec"
	"syscall"
)

// pluginCommand makes the kernel kill the plugin when the thread that
// started it dies, so a host killed with SIGKILL leaves no orphan plugin
// behind to hold files or ports. (The signal follows the starting OS
// thread, and the Go runtime keeps its threads alive unless a goroutine
// exits while locked to one, which the agent never does.)
func pluginCommand(path string) *exec.Cmd {
	cmd := exec.Command(path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}
