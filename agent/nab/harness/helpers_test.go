package harness_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC)

// stamp is row i's timestamp in NAB's format, 5 minutes apart.
func stamp(i int) string {
	return t0.Add(time.Duration(i) * 5 * time.Minute).Format("2006-01-02 15:04:05")
}

// wavyCSV returns n rows of a daily wave with a little deterministic
// noise, and spikes of 50 at the rows given.
func wavyCSV(n int, spikes ...int) string {
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	for i := range n {
		v := 10 + 2*math.Sin(float64(i)*2*math.Pi/288) + 0.3*math.Sin(float64(i*i%97))
		for _, s := range spikes {
			if s == i {
				v += 50
			}
		}
		fmt.Fprintf(&b, "%s,%.4f\n", stamp(i), v)
	}
	return b.String()
}

// writeCorpus lays out a NAB folder: files by name under data/, and the
// windows JSON as given.
func writeCorpus(t *testing.T, files map[string]string, windows string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		write(t, filepath.Join(dir, "data", name), data)
	}
	write(t, filepath.Join(dir, "labels", "combined_windows.json"), windows)
	return dir
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// window is a windows JSON entry for rows a..b.
func window(a, b int) string { return fmt.Sprintf(`[%q, %q]`, stamp(a)+".000000", stamp(b)+".000000") }
