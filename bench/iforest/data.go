package main

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
)

// labelled returns n rows of dim features: three Gaussian clusters (sd
// spread, centres uniform in ±10) and, with probability frac, outliers
// uniform in ±15, labelled true. Outliers closer than margin to a centre
// are drawn again; with margin 0 some fall inside clusters and no detector
// can tell them apart, which keeps ROC-AUC below 1 and worth comparing.
// The same seed gives the same rows, so train and test come from one draw,
// split.
func labelled(seed uint64, n, dim int, frac, spread, margin float64) (xs [][]float64, outlier []bool) {
	r := rand.New(rand.NewPCG(seed, 2))
	centres := [][]float64{uniform(r, dim, 10), uniform(r, dim, 10), uniform(r, dim, 10)}
	for range n {
		isOut := r.Float64() < frac
		x := uniform(r, dim, 15)
		for isOut && nearest(x, centres) < margin {
			x = uniform(r, dim, 15)
		}
		if !isOut {
			c := centres[r.IntN(len(centres))]
			for j := range x {
				x[j] = c[j] + spread*r.NormFloat64()
			}
		}
		xs, outlier = append(xs, x), append(outlier, isOut)
	}
	return xs, outlier
}

func uniform(r *rand.Rand, dim int, half float64) []float64 {
	x := make([]float64, dim)
	for j := range x {
		x[j] = (2*r.Float64() - 1) * half
	}
	return x
}

func nearest(x []float64, centres [][]float64) float64 {
	best := math.Inf(1)
	for _, c := range centres {
		var d float64
		for j := range x {
			d += (x[j] - c[j]) * (x[j] - c[j])
		}
		best = min(best, math.Sqrt(d))
	}
	return best
}

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

// auc is the ROC area: the probability that a random outlier scores above
// a random inlier, ties counting half (the Mann–Whitney U statistic).
func auc(scores []float64, outlier []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpFloat(scores[a], scores[b]) })
	var rankSum, pos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		for _, k := range idx[i:j] {
			if outlier[k] {
				rankSum += float64(i+j+1) / 2
				pos++
			}
		}
		i = j
	}
	neg := float64(len(scores)) - pos
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
