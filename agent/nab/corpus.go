package nab

import (
	"errors"
	"fmt"
	"math"
)

// Window is a labelled anomaly window of one file: rows Start to End, both
// included, counted from 0.
type Window struct{ Start, End int }

// FileLabels is what the scorer needs to know of one file.
type FileLabels struct {
	Name string
	// Rows is the number of rows (data lines) in the file.
	Rows int
	// Windows are in row order and do not overlap.
	Windows []Window
}

// Corpus is a set of labelled files, classified once so that any number of
// detectors' scores can be scored against it.
type Corpus struct {
	files []classified
	// windowFile is the index in files of each window's file; live says
	// whether a window has a row past the probationary period. A window
	// without one can be neither hit nor missed, as in NAB.
	windowFile []int
	live       []bool
}

// classified is one file: how a detection at each of its rows counts.
type classified struct {
	name string
	rows []rowClass
}

// rowClass is a row's window (an index into the corpus' windows, or
// outside or probation) and the unweighted sigmoid value of a detection
// there: positive inside a window, negative outside.
type rowClass struct {
	window int32
	sigma  float64
}

const (
	outside   = -1
	probation = -2
)

// ErrScores marks detector scores that do not fit the corpus.
var ErrScores = errors.New("scores do not fit the corpus")

// ProbationRows is the length of a file's probationary period, whose rows
// are never scored: 15 % of the file, at most 750 rows (15 % of 5,000).
func ProbationRows(rows int) int {
	return int(math.Min(math.Floor(0.15*float64(rows)), 0.15*5000))
}

// NewCorpus classifies files' rows. It fails when a file's windows are out
// of order, overlap or lie outside the file.
func NewCorpus(files []FileLabels) (*Corpus, error) {
	c := &Corpus{files: make([]classified, len(files))}
	for fi, f := range files {
		if err := checkWindows(f); err != nil {
			return nil, err
		}
		first := len(c.live)
		for _, w := range f.Windows {
			c.windowFile = append(c.windowFile, fi)
			c.live = append(c.live, w.End >= ProbationRows(f.Rows))
		}
		c.files[fi] = classified{name: f.Name, rows: classify(f, first)}
	}
	return c, nil
}

func checkWindows(f FileLabels) error {
	prevEnd := -1
	for i, w := range f.Windows {
		if w.Start <= prevEnd || w.End < w.Start || w.End >= f.Rows {
			return fmt.Errorf("%s: window %d (rows %d..%d): windows must be in order, apart and within the file's %d rows",
				f.Name, i, w.Start, w.End, f.Rows)
		}
		prevEnd = w.End
	}
	return nil
}

// classify walks f's rows once, tracking the window each row is in or,
// outside, the nearest window before it, whose right edge and width set
// the cost of a false positive there.
func classify(f FileLabels, first int) []rowClass {
	rows := make([]rowClass, f.Rows)
	p := ProbationRows(f.Rows)
	next, prevRight, prevWidth := 0, 0, 0
	for i := range rows {
		if next < len(f.Windows) && i > f.Windows[next].End {
			prevRight, prevWidth = f.Windows[next].End, f.Windows[next].End-f.Windows[next].Start+1
			next++
		}
		if next < len(f.Windows) && i >= f.Windows[next].Start {
			w := f.Windows[next]
			rows[i] = rowClass{window: int32(first + next), sigma: tpSigma(i, w.Start, w.End)}
		} else {
			rows[i] = rowClass{window: outside, sigma: fpSigma(i, prevRight, prevWidth)}
		}
		if i < p {
			rows[i].window = probation
		}
	}
	return rows
}

// Files returns the number of files.
func (c *Corpus) Files() int { return len(c.files) }

// Windows returns the number of windows in all files.
func (c *Corpus) Windows() int { return len(c.live) }

// check reports why scores cannot be scored against c, or nil.
func (c *Corpus) check(scores [][]float64) error {
	if len(scores) != len(c.files) {
		return fmt.Errorf("%w: %d files of scores for %d files", ErrScores, len(scores), len(c.files))
	}
	for fi, f := range c.files {
		if len(scores[fi]) != len(f.rows) {
			return fmt.Errorf("%w: %s: %d scores for %d rows", ErrScores, f.name, len(scores[fi]), len(f.rows))
		}
		for i, s := range scores[fi] {
			if !(s >= 0 && s <= 1) {
				return fmt.Errorf("%w: %s: row %d scores %v, want a value in [0, 1]", ErrScores, f.name, i, s)
			}
		}
	}
	return nil
}

// InWindow reports, for each row of file f, whether it lies in a window
// (probationary rows included): NAB's label column.
func (c *Corpus) InWindow(f int) []bool {
	out := make([]bool, len(c.files[f].rows))
	for i, r := range c.files[f].rows {
		out[i] = r.window >= 0 || (r.window == probation && r.sigma > 0)
	}
	return out
}
