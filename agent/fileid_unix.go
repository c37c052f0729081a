//go:build unix

package agent

import (
	"fmt"
	"os"
	"syscall"
)

// fileID identifies a file whatever its name, so that a file renamed by
// log rotation is known for the one being read: its device and inode.
func fileID(path string, fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	}
	return pathID(path)
}
