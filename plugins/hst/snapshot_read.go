package hst

import (
	"encoding/binary"
	"math"
)

// reader decodes a snapshot whose length checkHeader has verified, so it
// never runs past the end.
type reader struct {
	data []byte
	off  int
}

func (r *reader) uint32s(n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(r.data[r.off:])
		r.off += 4
	}
	return out
}

func (r *reader) floats(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(r.data[r.off:]))
		r.off += 8
	}
	return out
}

// readReference decodes and validates a reference of n nodes, or returns
// nil for n = 0.
func (d *detector) readReference(r *reader, n int) (*reference, error) {
	if n == 0 {
		return nil, nil
	}
	ref := &reference{offset: r.floats(d.dim), span: r.floats(d.dim)}
	for q, s := range ref.span {
		if v := ref.offset[q]; math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, badSnapshot("offset %d is %v", q, v)
		}
		if !(s > 0 && s <= math.MaxFloat64) {
			return nil, badSnapshot("span %d is %v, want finite and > 0", q, s)
		}
	}
	for t, root := range r.uint32s(d.opts.Trees) {
		if root >= uint32(n) {
			return nil, badSnapshot("root of tree %d is node %d of %d", t, root, n)
		}
		ref.roots = append(ref.roots, int32(root))
	}
	raw := r.uint32s(2 * n)
	for i := range n {
		nd := node{r: raw[2*i], kids: int32(raw[2*i+1])}
		if nd.r > uint32(d.opts.Window) {
			return nil, badSnapshot("node %d holds %d points, more than the window", i, nd.r)
		}
		if nd.kids != -1 && (nd.kids <= int32(i) || nd.kids >= int32(n-1)) {
			return nil, badSnapshot("node %d has children at %d, want -1 or %d..%d", i, nd.kids, i+1, n-2)
		}
		ref.nodes = append(ref.nodes, nd)
	}
	ref.masses = r.floats(d.opts.Window)
	for i, m := range ref.masses {
		if !(m >= 0 && m <= math.MaxFloat64) || (i > 0 && m < ref.masses[i-1]) {
			return nil, badSnapshot("mass %d is %v, want finite, >= 0 and ascending", i, m)
		}
	}
	return ref, nil
}

// restoreInto copies ref into dst, reusing dst's memory.
func (ref *reference) restoreInto(dst *reference) {
	copy(dst.offset, ref.offset)
	copy(dst.span, ref.span)
	copy(dst.roots, ref.roots)
	dst.nodes = append(dst.nodes[:0], ref.nodes...)
	dst.masses = append(dst.masses[:0], ref.masses...)
}

// firstNonFinite returns the index of the first NaN or ±Inf in vs, or -1.
func firstNonFinite(vs []float64) int {
	for i, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}
