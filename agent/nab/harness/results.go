package harness

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/pynomaly/pynomaly/agent/nab"
)

// writeResults writes one CSV per file in NAB's results layout,
// out/<detector>/<folder>/<detector>_<file>.csv, with NAB's columns
// timestamp,value,anomaly_score,label (label 1 inside a window), so NAB's
// own scorer can read them too.
func writeResults(out, detector string, files []corpusFile, all []*series, c *nab.Corpus) error {
	for i, cf := range files {
		dir, base := path.Split(cf.name)
		p := filepath.Join(out, detector, filepath.FromSlash(dir), detector+"_"+base)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("results: %w", err)
		}
		if err := writeFile(p, all[i], c.InWindow(i)); err != nil {
			return fmt.Errorf("results: %w", err)
		}
	}
	return nil
}

func writeFile(p string, s *series, inWindow []bool) (err error) {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriter(f)
	w.WriteString("timestamp,value,anomaly_score,label\n")
	for i := range s.ts {
		label := "0"
		if inWindow[i] {
			label = "1"
		}
		w.WriteString(s.tsText[i])
		w.WriteByte(',')
		w.WriteString(strconv.FormatFloat(s.values[i], 'g', -1, 64))
		w.WriteByte(',')
		w.WriteString(strconv.FormatFloat(s.scores[i], 'g', -1, 64))
		w.WriteByte(',')
		w.WriteString(label)
		w.WriteByte('\n')
	}
	return w.Flush()
}
