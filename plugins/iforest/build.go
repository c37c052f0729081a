package iforest

import (
	"math/bits"
	"math/rand/v2"
	"slices"
)

// grow fits a forest on the validated xs.
func grow(xs [][]float64, o Options) *forest {
	psi := min(len(xs), o.SampleSize)
	b := &builder{
		xs:       xs,
		rng:      newRNG(o.Seed),
		maxDepth: o.MaxDepth,
		feats:    identity(len(xs[0])),
	}
	if b.maxDepth == 0 {
		b.maxDepth = bits.Len(uint(psi - 1)) // ceil(log2(psi)), psi >= 2
	}
	m := &forest{psi: psi, roots: make([]uint32, o.Trees), depth: make([]int32, o.Trees)}
	perm := identity(len(xs))
	sample := make([]int, psi)
	for t := range m.roots {
		b.subsample(perm, sample)
		b.deepest = 0
		m.roots[t] = b.alloc(1)
		b.split(m.roots[t], sample, 0)
		m.depth[t] = b.deepest
	}
	// Exact copies: append left up to a quarter of each unused, for the
	// life of the model.
	m.nodes, m.val, m.sizes = slices.Clone(b.nodes), slices.Clone(b.val), slices.Clone(b.sizes)
	m.norm = float64(o.Trees) * avgPath(uint32(psi))
	return m
}

// builder grows trees into one node array.
type builder struct {
	xs       [][]float64
	rng      rng
	maxDepth int
	feats    []int // a permutation of the feature indices, reshuffled by pick
	deepest  int32 // of the tree being grown
	nodes    []node
	val      []float64
	sizes    []uint32
}

// subsample draws len(sample) row indices without replacement by a partial
// Fisher–Yates shuffle of perm, which stays a permutation for the next tree.
func (b *builder) subsample(perm, sample []int) {
	for i := range sample {
		j := i + b.rng.intn(len(perm)-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	copy(sample, perm)
}

// alloc appends n nodes and returns the index of the first.
func (b *builder) alloc(n int) uint32 {
	i := uint32(len(b.nodes))
	for range n {
		b.nodes = append(b.nodes, node{})
		b.val = append(b.val, 0)
		b.sizes = append(b.sizes, 0)
	}
	return i
}

// split makes node at the root of a subtree over the rows idx, at depth.
// Children are allocated side by side, left then right.
func (b *builder) split(at uint32, idx []int, depth int) {
	b.sizes[at] = uint32(len(idx))
	if len(idx) > 1 && depth < b.maxDepth {
		if f, thr, ok := b.pick(idx); ok {
			k := partition(b.xs, idx, f, thr)
			left := b.alloc(2)
			b.nodes[at] = node{key: key(thr), feat: uint32(f), left: left}
			b.split(left, idx[:k], depth+1)
			b.split(left+1, idx[k:], depth+1)
			return
		}
	}
	b.nodes[at], b.val[at] = leafNode(at), leafPath(depth, uint32(len(idx)))
	b.deepest = max(b.deepest, int32(depth))
}

// pick draws features without replacement until one varies across idx, as
// scikit-learn's random splitter does, and returns it with a threshold
// drawn uniformly between its minimum and maximum. ok is false when every
// feature is constant on idx.
func (b *builder) pick(idx []int) (feat int, thr float64, ok bool) {
	fs := b.feats
	for n := len(fs); n > 0; n-- {
		j := b.rng.intn(n)
		fs[j], fs[n-1] = fs[n-1], fs[j]
		f := fs[n-1]
		lo, hi := span(b.xs, idx, f)
		if lo < hi {
			return f, threshold(lo, hi, b.rng.float()), true
		}
	}
	return 0, 0, false
}

func span(xs [][]float64, idx []int, f int) (lo, hi float64) {
	lo, hi = xs[idx[0]][f], xs[idx[0]][f]
	for _, r := range idx[1:] {
		lo, hi = min(lo, xs[r][f]), max(hi, xs[r][f])
	}
	return lo, hi
}

// threshold returns lo + u·(hi−lo) for u in [0, 1), without computing
// hi−lo (which overflows for far-apart values), moved into (lo, hi] so that
// both sides keep a row: lo goes left, hi goes right. A zero is +0, which
// key and unkey map both ways.
func threshold(lo, hi, u float64) float64 {
	t := lo*(1-u) + hi*u
	if !(t > lo) || t > hi {
		t = hi
	}
	return t + 0
}

// partition moves the rows with x[f] < thr to the front of idx and returns
// how many there are.
func partition(xs [][]float64, idx []int, f int, thr float64) int {
	k := 0
	for i, r := range idx {
		if xs[r][f] < thr {
			idx[k], idx[i] = idx[i], idx[k]
			k++
		}
	}
	return k
}

func identity(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// rng draws from PCG, whose output is fixed by its specification, with
// bounded integers and floats derived here rather than by rand.Rand, so a
// seed grows the same forest whatever the Go release.
type rng struct{ src *rand.PCG }

func newRNG(seed uint64) rng { return rng{rand.NewPCG(seed, 0x9e3779b97f4a7c15)} }

// intn returns a number in [0, n) by Lemire's multiply-shift; the bias, at
// most n/2^64, is far below anything a forest can show.
func (r rng) intn(n int) int {
	hi, _ := bits.Mul64(r.src.Uint64(), uint64(n))
	return int(hi)
}

// float returns a number in [0, 1) with 53 random bits.
func (r rng) float() float64 { return float64(r.src.Uint64()>>11) * 0x1p-53 }
