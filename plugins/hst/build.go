package hst

import (
	"math"
	"slices"
)

// learn appends x to the latest window. A full window becomes the
// reference, replacing the previous one: the paper's swap of the latest
// and reference mass profiles.
func (d *detector) learn(x []float64) {
	copy(d.buf[d.fill*d.dim:], x)
	d.seen++
	if d.fill++; d.fill == d.opts.Window {
		d.rebuild()
		d.fill = 0
	}
}

// rebuild makes the buffered window the reference: it fits the scaling to
// the window, then counts the points into each tree top-down, partitioning
// them at each split like a quicksort, and stops below nodes at or under
// the size limit, which a score never descends past. A point's in-sample
// mass is known when it reaches its leaf.
func (d *detector) rebuild() {
	d.fitScale()
	r := &d.ref
	r.nodes = r.nodes[:0]
	r.masses = r.masses[:d.opts.Window]
	clear(r.masses)
	for t := range d.opts.Trees {
		for i := range d.idx {
			d.idx[i] = int32(i)
		}
		d.resetBox(t)
		r.roots[t] = int32(len(r.nodes))
		r.nodes = append(r.nodes, node{r: uint32(d.opts.Window), kids: -1})
		d.grow(t, r.roots[t], 0, d.idx)
	}
	for i := range r.masses {
		r.masses[i] /= float64(d.opts.Trees)
	}
	slices.Sort(r.masses)
}

// grow splits node n of tree t at depth, holding the window points idx,
// unless it is a leaf. The box d.lo, d.hi is the node's.
func (d *detector) grow(t int, n int32, depth int, idx []int32) {
	if len(idx) <= d.limit || depth == d.opts.Depth {
		m := float64(len(idx)) * float64(uint64(1)<<depth) // as in walk
		for _, i := range idx {
			d.ref.masses[i] += m
		}
		return
	}
	q := int(d.order[t*d.dim+depth%d.dim]) // as in walk
	mid := d.lo[q]/2 + d.hi[q]/2           // as in goLeft
	left := 0
	for j, i := range idx {
		if d.ref.scaled(d.buf[int(i)*d.dim+q], q) < mid {
			idx[left], idx[j] = i, idx[left]
			left++
		}
	}
	kids := int32(len(d.ref.nodes))
	d.ref.nodes[n].kids = kids
	d.ref.nodes = append(d.ref.nodes, node{r: uint32(left), kids: -1}, node{r: uint32(len(idx) - left), kids: -1})
	lo, hi := d.lo[q], d.hi[q]
	d.hi[q] = mid
	d.grow(t, kids, depth+1, idx[:left])
	d.lo[q], d.hi[q] = mid, hi
	d.grow(t, kids+1, depth+1, idx[left:])
	d.lo[q] = lo
}

// fitScale maps each feature's range over the window to [0, 1]. A feature
// constant over the window gets a range of 2^-40 of its value (or the
// smallest float for 0; spans are stored halved, like offsets), so that
// any change beyond rounding lands far outside the window's range.
func (d *detector) fitScale() {
	for q := range d.dim {
		lo, hi := d.buf[q], d.buf[q]
		for i := d.dim + q; i < len(d.buf); i += d.dim {
			lo, hi = min(lo, d.buf[i]), max(hi, d.buf[i])
		}
		span := hi/2 - lo/2
		if span == 0 {
			span = max(math.Abs(lo)*0x1p-41, math.SmallestNonzeroFloat64)
		}
		d.ref.offset[q], d.ref.span[q] = lo/2, span
	}
}
