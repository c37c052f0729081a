package hst

import (
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// node is one node of a tree's reference mass profile. Only nodes a score
// can reach are kept: the root, and both children of every node whose mass
// is above the size limit. A node's children are adjacent, at kids and
// kids+1; kids is -1 for a leaf.
type node struct {
	r    uint32 // reference mass: window points that fell in this node
	kids int32
}

// detector is one series' state.
type detector struct {
	opts  Options
	dim   int
	limit int       // size limit: a node with mass <= limit is a leaf
	ws    []float64 // each tree's workspace box, see trees
	order []int32   // each tree's split features by depth, see trees
	// The latest window, raw, in arrival order: buf[i*dim:(i+1)*dim] is
	// point i of fill. When full it becomes the reference (see rebuild).
	seen uint64 // points learned, all time
	fill int
	buf  []float64
	ref  reference
	// Scratch, so that Score allocates nothing.
	u, lo, hi []float64 // a point scaled to the reference; a node's box
	idx       []int32   // window point numbers, partitioned by rebuild
}

// reference is the mass profile of the last full window, with the feature
// scaling it was built with.
type reference struct {
	// offset and span scale feature q as (x/2 − offset[q]) / span[q]:
	// halves, so that no difference of finite values overflows.
	offset, span []float64
	roots        []int32 // each tree's root in nodes
	nodes        []node
	// masses holds the in-sample mass of each window point, ascending; it
	// calibrates scores (see calibrate).
	masses []float64
}

func newDetector(o Options, dim int) *detector {
	ws, order := trees(mix(o.Seed), o.Trees, dim)
	return &detector{
		opts: o, dim: dim, limit: o.Window / 10, ws: ws, order: order,
		buf: make([]float64, o.Window*dim),
		ref: reference{
			offset: make([]float64, dim), span: make([]float64, dim),
			roots: make([]int32, o.Trees), masses: make([]float64, 0, o.Window),
		},
		u: make([]float64, dim), lo: make([]float64, dim), hi: make([]float64, dim),
		idx: make([]int32, o.Window),
	}
}

// Score returns how anomalous x is against the reference window, 0 until
// the first window is full, then learns x.
func (d *detector) Score(x []float64) (float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return 0, err
	}
	s := d.score(x)
	d.learn(x)
	return s, nil
}

// ScoreBatch scores xs in order; hst gains nothing from a batch.
func (d *detector) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	return sdk.ScoreEach(d, xs, out)
}

func (d *detector) ready() bool { return len(d.ref.nodes) > 0 }

func (d *detector) score(x []float64) float64 {
	if !d.ready() {
		return 0
	}
	return d.ref.calibrate(d.mass(x, nil))
}

// mass returns x's mass averaged over the trees: in each, the reference
// mass of the leaf x falls in times 2^depth. If credit is not nil, it adds
// each feature's share of isolating x to it (see Explain).
func (d *detector) mass(x []float64, credit []float64) float64 {
	for q, v := range x {
		d.u[q] = d.ref.scaled(v, q)
	}
	sum := 0.0
	for t := range d.opts.Trees {
		sum += d.walk(t, credit)
	}
	return sum / float64(d.opts.Trees)
}

// walk descends tree t with d.u to its leaf and returns its mass times
// 2^depth, the paper's score for one tree.
func (d *detector) walk(t int, credit []float64) float64 {
	d.resetBox(t)
	order := d.order[t*d.dim : (t+1)*d.dim]
	n, j := d.ref.roots[t], 0 // j cycles through order: depth mod dim
	for depth := 0; ; depth++ {
		nd := d.ref.nodes[n]
		if nd.kids < 0 || depth == d.opts.Depth {
			return float64(nd.r) * float64(uint64(1)<<depth)
		}
		q := int(order[j])
		if j++; j == len(order) {
			j = 0
		}
		n = nd.kids
		if !d.goLeft(q, d.u[q]) {
			n++
		}
		if credit != nil {
			// Bits beyond the one an even split gives; max: a forged
			// snapshot may hold a child heavier than its parent.
			credit[q] += max(0, math.Log2(float64(nd.r)+1)-math.Log2(float64(d.ref.nodes[n].r)+1)-1)
		}
	}
}

// goLeft reports whether v, feature q of a point, lies in the lower half of
// the current box, and narrows the box to that half.
func (d *detector) goLeft(q int, v float64) bool {
	mid := d.lo[q]/2 + d.hi[q]/2
	if v < mid {
		d.hi[q] = mid
		return true
	}
	d.lo[q] = mid
	return false
}

// resetBox sets the box to tree t's workspace.
func (d *detector) resetBox(t int) {
	ws := d.ws[2*t*d.dim : 2*(t+1)*d.dim]
	for q := range d.dim {
		d.lo[q], d.hi[q] = ws[2*q], ws[2*q+1]
	}
}

// scaled returns feature q of a raw value on the reference's unit scale.
func (r *reference) scaled(v float64, q int) float64 {
	return (v/2 - r.offset[q]) / r.span[q]
}
