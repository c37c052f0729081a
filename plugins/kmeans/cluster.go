package kmeans

import (
	"math"
	"math/rand/v2"
)

// cluster runs k-means on the n = len(data)/w vectors of width w laid out
// row after row: k-means++ seeding from seed, then at most iterations
// rounds of Lloyd's algorithm, stopping when no vector changes cluster. It
// returns the k centres row after row. A cluster left empty keeps its
// centre.
func cluster(data []float64, w, k, iterations int, seed uint64) []float64 {
	centres := seedCentres(data, w, k, seed)
	n := len(data) / w
	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	sums, counts := make([]float64, len(centres)), make([]int, k)
	for range iterations {
		if !reassign(data, w, centres, assign) {
			break
		}
		clear(sums)
		clear(counts)
		for i, c := range assign {
			counts[c]++
			for j, v := range data[i*w : (i+1)*w] {
				sums[c*w+j] += v
			}
		}
		for c, m := range counts {
			for j := range w {
				if m > 0 {
					centres[c*w+j] = sums[c*w+j] / float64(m)
				}
			}
		}
	}
	return centres
}

// seedCentres picks k vectors by k-means++: the first uniformly, each next
// with probability proportional to its squared distance to the nearest
// centre picked so far (uniformly again when all distances are 0).
func seedCentres(data []float64, w, k int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x6b6d65616e73))
	n := len(data) / w
	centres := make([]float64, 0, k*w)
	d2 := make([]float64, n)
	for i := range d2 {
		d2[i] = math.Inf(1)
	}
	pick := rng.IntN(n)
	for {
		c := data[pick*w : (pick+1)*w]
		centres = append(centres, c...)
		if len(centres) == k*w {
			return centres
		}
		var total float64
		for i := range d2 {
			d2[i] = min(d2[i], sqDist(data[i*w:(i+1)*w], c))
			total += d2[i]
		}
		pick = weighted(rng, d2, total)
	}
}

// weighted draws an index with probability proportional to d2.
func weighted(rng *rand.Rand, d2 []float64, total float64) int {
	if !(total > 0) || math.IsInf(total, 0) {
		return rng.IntN(len(d2))
	}
	r := rng.Float64() * total
	last := 0
	for i, v := range d2 {
		if v > 0 {
			last = i
		}
		if r -= v; r < 0 {
			return i
		}
	}
	return last // rounding left r ≥ 0: the last with any weight
}

// reassign moves every vector to its nearest centre and reports whether
// any moved.
func reassign(data []float64, w int, centres []float64, assign []int) bool {
	changed := false
	for i := range assign {
		c, _ := nearest(centres, w, data[i*w:(i+1)*w])
		if c != assign[i] {
			assign[i], changed = c, true
		}
	}
	return changed
}

// nearest returns the index of the centre nearest x and the squared
// distance to it; the first on a tie. With NaN distances it returns 0, +Inf.
func nearest(centres []float64, w int, x []float64) (int, float64) {
	best, bestD := 0, math.Inf(1)
	for c := 0; c*w < len(centres); c++ {
		if d := sqDist(centres[c*w:(c+1)*w], x); d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}

func sqDist(a, b []float64) float64 {
	var s float64
	for j, v := range a {
		d := v - b[j]
		s += d * d
	}
	return s
}
