package nab

import (
	"cmp"
	"slices"
)

// NoDetections is the threshold at which no row is a detection: scores are
// at most 1. The sweep starts there, as NAB's does.
const NoDetections = 1.1

// Outcome is a detector's NAB score on a corpus under one profile, at one
// threshold: a row is a detection when its score is at least Threshold.
type Outcome struct {
	Profile   string
	Threshold float64
	// Raw is the sum of the files' raw scores; Score is Raw normalised,
	// 0 for the null detector and 100 for the perfect one.
	Raw, Score float64
	// Hit counts the windows with a credited detection, Missed those
	// without one, FP the detected rows outside every window.
	Hit, Missed, FP int
	// Files holds each file's raw score, in corpus order.
	Files []float64
}

// Score scores a detector at threshold. scores[f][i] is its score of row i
// of the corpus' file f, in [0, 1].
func (c *Corpus) Score(p Profile, scores [][]float64, threshold float64) (Outcome, error) {
	if err := c.check(scores); err != nil {
		return Outcome{}, err
	}
	o := c.score(p, threshold, func(fi, i int) bool { return scores[fi][i] >= threshold })
	o.Score = c.Normalise(p, o.Raw)
	return o, nil
}

// score adds up the rows detected says are detections: each window earns
// the best (earliest) of its detections, or loses A_FN without one; each
// detection outside the windows costs its own, distance-weighted, A_FP.
func (c *Corpus) score(p Profile, threshold float64, detected func(fi, i int) bool) Outcome {
	o := Outcome{Profile: p.Name, Threshold: threshold, Files: make([]float64, len(c.files))}
	best := c.missed(p)
	for fi, f := range c.files {
		for i, r := range f.rows {
			if r.window == probation || !detected(fi, i) {
				continue
			}
			if r.window == outside {
				o.Files[fi] += r.sigma * p.FP
				o.FP++
				continue
			}
			best[r.window] = max(best[r.window], r.sigma*p.TP/maxTP)
		}
	}
	for w, v := range best {
		if !c.live[w] {
			continue
		}
		o.Files[c.windowFile[w]] += v
		if v > 0 {
			o.Hit++
		} else {
			o.Missed++
		}
	}
	for _, v := range o.Files {
		o.Raw += v
	}
	return o
}

// missed returns every window's value with no detection in it: −A_FN for
// the live ones, 0 for those lost in the probationary period.
func (c *Corpus) missed(p Profile) []float64 {
	v := make([]float64, len(c.live))
	for w, live := range c.live {
		if live {
			v[w] = -p.FN
		}
	}
	return v
}

// pooled is one non-probationary row of the corpus with its score.
type pooled struct {
	score  float64
	window int32
	sigma  float64
}

// Optimise finds the detector's best global threshold under p, as NAB's
// optimiser does: it pools every file's non-probationary rows, sorts them
// by score, highest first, and lowers the threshold through every distinct
// score, keeping the one with the highest corpus score (the highest such
// threshold on a tie). This chooses the threshold with the labels.
func (c *Corpus) Optimise(p Profile, scores [][]float64) (Outcome, error) {
	if err := c.check(scores); err != nil {
		return Outcome{}, err
	}
	rows := c.pool(scores)
	slices.SortFunc(rows, func(a, b pooled) int { return cmp.Compare(b.score, a.score) })
	best := c.missed(p)
	var raw float64
	for _, v := range best {
		raw += v
	}
	bestRaw, bestTh := raw, NoDetections
	for i := 0; i < len(rows); {
		th := rows[i].score
		for ; i < len(rows) && rows[i].score == th; i++ {
			raw += gain(p, rows[i], best)
		}
		if raw > bestRaw {
			bestRaw, bestTh = raw, th
		}
	}
	// The running sum drifts in the last bits; score the winner afresh.
	return c.Score(p, scores, bestTh)
}

// gain is what detecting r adds to the corpus score, given each window's
// best value so far, which it updates.
func gain(p Profile, r pooled, best []float64) float64 {
	if r.window == outside {
		return r.sigma * p.FP
	}
	v := r.sigma * p.TP / maxTP
	if v <= best[r.window] {
		return 0
	}
	d := v - best[r.window]
	best[r.window] = v
	return d
}

func (c *Corpus) pool(scores [][]float64) []pooled {
	var n int
	for _, f := range c.files {
		n += len(f.rows)
	}
	rows := make([]pooled, 0, n)
	for fi, f := range c.files {
		for i, r := range f.rows {
			if r.window != probation {
				rows = append(rows, pooled{score: scores[fi][i], window: r.window, sigma: r.sigma})
			}
		}
	}
	return rows
}

// Perfect is the raw score of the perfect detector: every window hit on its
// first row, no false positive. Like NAB, it counts every window, even one
// the probationary period hides.
func (c *Corpus) Perfect(p Profile) float64 { return p.TP * float64(len(c.live)) }

// Null is the raw score of NAB's null detector, a constant score, at its
// best threshold: it detects every row or none.
func (c *Corpus) Null(p Profile) float64 {
	none := c.score(p, NoDetections, func(int, int) bool { return false })
	all := c.score(p, 0, func(int, int) bool { return true })
	return max(none.Raw, all.Raw)
}

// Normalise maps a raw score to NAB's scale: 100·(raw − null)/(perfect −
// null), 0 for the null detector, 100 for the perfect one. It is NaN for a
// corpus without windows, where every detector ties with the null one.
func (c *Corpus) Normalise(p Profile, raw float64) float64 {
	null := c.Null(p)
	return 100 * (raw - null) / (c.Perfect(p) - null)
}
