package surprise

import "slices"

// ranker ranks a value among the last len(ring.buf) values added: the
// fraction below it, ties counting half.
type ranker struct {
	ring   ring
	sorted []float64 // the ring's values in ascending order
}

func newRanker(size int) ranker {
	return ranker{ring: newRing(size), sorted: make([]float64, 0, size)}
}

// rank returns x's rank in [0, 1], 0.5 when nothing was added yet.
func (r *ranker) rank(x float64) float64 {
	if len(r.sorted) == 0 {
		return 0.5
	}
	lo, _ := slices.BinarySearch(r.sorted, x)
	hi := lo
	for hi < len(r.sorted) && r.sorted[hi] == x {
		hi++
	}
	return (float64(lo) + float64(hi-lo)/2) / float64(len(r.sorted))
}

// add remembers x, forgetting the oldest value when full.
func (r *ranker) add(x float64) {
	if r.ring.n == len(r.ring.buf) {
		old := r.ring.back(r.ring.n)
		i, _ := slices.BinarySearch(r.sorted, old)
		r.sorted = slices.Delete(r.sorted, i, i+1)
	}
	r.ring.push(x)
	i, _ := slices.BinarySearch(r.sorted, x)
	r.sorted = slices.Insert(r.sorted, i, x)
}

// load replaces the remembered values with vs, oldest first.
func (r *ranker) load(vs []float64) {
	r.ring.load(vs)
	r.sorted = append(r.sorted[:0], vs...)
	slices.Sort(r.sorted)
}
