//go:build unix

package agent

import (
	"fmt"
	"os"
	"syscall"
)

// sourceID identifies a file across restarts: its path and its device and
// inode, which change when a file is replaced or rotated.
func sourceID(path string, fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%s@%d:%d", path, st.Dev, st.Ino)
	}
	return path + "@"
}
