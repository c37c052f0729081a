//go:build !linux

package sdk

import "os/exec"

// pluginCommand starts the plugin; outside Linux there is no parent-death
// signal, so the host must Kill its plugins itself.
func pluginCommand(path string) *exec.Cmd { return exec.Command(path) }
