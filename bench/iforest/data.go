package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
)

// writeCSV writes rows of features, then the label (0 or 1) when labels
// is not nil, with full float64 precision, so Python parses the same
// values Go scored.
func writeCSV(path string, xs [][]float64, labels []bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i, x := range xs {
		var line []byte
		for j, v := range x {
			if j > 0 {
				line = append(line, ',')
			}
			line = strconv.AppendFloat(line, v, 'g', -1, 64)
		}
		if labels != nil {
			line = append(line, ',', "01"[b2i(labels[i])])
		}
		w.Write(append(line, '\n'))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
