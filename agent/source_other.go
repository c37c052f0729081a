//go:build !unix

package agent

import "os"

// sourceID identifies a file by its path alone where inodes are not
// available.
func sourceID(path string, _ os.FileInfo) string { return path + "@" }
