package hst

// The trees are never stored: every random choice derives from a hash of
// the seed, so a tree is the same on every agent and after every restart.

// mix is the SplitMix64 finaliser, a bijection on uint64 with good
// avalanche.
func mix(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	return z ^ z>>31
}

// draw returns the n-th random number of tree t's stream, uniform in [0, 1).
func draw(seedHash uint64, t, n int) float64 {
	return float64(mix(seedHash^(uint64(t)<<32|uint64(n)))>>11) / (1 << 53)
}

// trees draws what makes each tree: its workspace box in the unit-scaled
// feature space and the order its levels split the features in.
//
// The workspace is the paper's: for each feature a random s in [0, 1) and
// the range s ± 2·max(s, 1−s), which covers [0, 1] with room around it;
// ws holds lo, hi pairs, tree by tree, feature by feature.
//
// The split features differ from the paper, which draws one at random per
// node: here the nodes at depth k split feature order[k mod dim] of a
// random permutation per tree. Every path then splits every feature once
// per dim levels, so a point out of line in one feature is cut off from the
// bulk on that feature before the size limit ends the path; with features
// drawn per node, many paths end before the shifted feature is split at
// all (see README for measurements).
func trees(seedHash uint64, n, dim int) (ws []float64, order []int32) {
	ws = make([]float64, 0, 2*n*dim)
	order = make([]int32, 0, n*dim)
	for t := range n {
		perm := order[len(order) : len(order)+dim]
		order = order[:len(order)+dim]
		for q := range dim {
			s := draw(seedHash, t, q)
			r := 2 * max(s, 1-s)
			ws = append(ws, s-r, s+r)
			// Inside-out Fisher-Yates.
			j := int(draw(seedHash, t, dim+q) * float64(q+1))
			perm[q] = perm[j]
			perm[j] = int32(q)
		}
	}
	return ws, order
}
