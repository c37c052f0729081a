package ensemble

// window is a ring of one member's most recent scores, at most RankWindow.
// Until it is full, vals grows by append and next is 0; once full, next is
// the slot of the oldest score, which the next push overwrites.
type window struct {
	vals []float64
	next int
}

// rank returns the fraction of the window strictly below s plus half the
// fraction equal to it: where s falls in the member's recent scores, 0.5
// for a typical one. It is 0 while the window holds fewer than
// MinRankWindow scores. A linear scan: cheaper than keeping a sorted copy
// for windows of a few thousand, and it allocates nothing.
func (w *window) rank(s float64) float64 {
	if len(w.vals) < MinRankWindow {
		return 0
	}
	// Two independent comparisons, not a switch, so the compiler can count
	// without branches: a branch on v < s is mispredicted half the time.
	below, atOrBelow := 0, 0
	for _, v := range w.vals {
		if v < s {
			below++
		}
		if v <= s {
			atOrBelow++
		}
	}
	return (float64(below) + float64(atOrBelow-below)/2) / float64(len(w.vals))
}

// push adds s, evicting the oldest score once the window holds size.
func (w *window) push(s float64, size int) {
	if len(w.vals) < size {
		w.vals = append(w.vals, s)
		return
	}
	w.vals[w.next] = s
	w.next = (w.next + 1) % size
}

// appendOrdered appends the window's scores to b, oldest first.
func (w *window) appendOrdered(b []float64) []float64 {
	b = append(b, w.vals[w.next:]...)
	return append(b, w.vals[:w.next]...)
}
