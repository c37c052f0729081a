package iforest

import (
	"encoding/binary"
	"fmt"
	"math"
)

// treeReader decodes one tree's node records into m at base, checking the
// invariants listed in snapshot.go.
type treeReader struct {
	data []byte
	dim  int
	base uint32
	m    *forest
	seen []bool
	// deepest is the depth of the deepest leaf, once read.
	deepest int32
}

type rawNode struct {
	feat, left, size uint32
	thr              uint64
}

func (r *treeReader) node(i int) rawNode {
	b, le := r.data[nodeLen*i:], binary.LittleEndian
	return rawNode{feat: le.Uint32(b), left: le.Uint32(b[4:]), size: le.Uint32(b[8:]), thr: le.Uint64(b[12:])}
}

// read walks the tree of n nodes from its root, depth first, so each
// leaf's depth is known, and fails unless every node is reached once.
func (r *treeReader) read(n, psi int) error {
	if root := r.node(0); root.size != uint32(psi) {
		return fmt.Errorf("root size %d, want psi %d", root.size, psi)
	}
	r.seen = make([]bool, n)
	type visit struct{ i, depth int }
	stack, reached := []visit{{0, 0}}, 0
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r.seen[v.i] {
			return fmt.Errorf("node %d reached twice", v.i)
		}
		r.seen[v.i] = true
		reached++
		left, err := r.decode(v.i, v.depth, n)
		if err != nil {
			return fmt.Errorf("node %d: %w", v.i, err)
		}
		if left > 0 {
			stack = append(stack, visit{left + 1, v.depth + 1}, visit{left, v.depth + 1})
		}
	}
	if reached != n {
		return fmt.Errorf("%d of %d nodes unreachable from the root", n-reached, n)
	}
	return nil
}

// decode checks node i and stores it; it returns the left child's index,
// or 0 for a leaf.
func (r *treeReader) decode(i, depth, n int) (left int, err error) {
	raw, at := r.node(i), r.base+uint32(i)
	r.m.sizes[at] = raw.size
	if int32(raw.feat) == -1 {
		if raw.left != 0 || raw.thr != 0 || raw.size == 0 {
			return 0, fmt.Errorf("leaf with left %d, thr bits %#x, size %d; want 0, 0, ≥1", raw.left, raw.thr, raw.size)
		}
		r.m.nodes[at], r.m.val[at] = leafNode(at), leafPath(depth, raw.size)
		r.deepest = max(r.deepest, int32(depth))
		return 0, nil
	}
	thr := math.Float64frombits(raw.thr)
	switch {
	case raw.feat >= uint32(r.dim):
		return 0, fmt.Errorf("split feature %d, dim is %d", int32(raw.feat), r.dim)
	case math.IsNaN(thr) || math.IsInf(thr, 0) || raw.thr == 1<<63:
		return 0, fmt.Errorf("threshold %v (bits %#x), want finite and not −0", thr, raw.thr)
	case raw.left <= uint32(i) || raw.left >= uint32(n-1):
		return 0, fmt.Errorf("left child %d outside %d..%d", raw.left, i+1, n-2)
	}
	l, rt := r.node(int(raw.left)), r.node(int(raw.left)+1)
	if l.size == 0 || rt.size == 0 || uint64(l.size)+uint64(rt.size) != uint64(raw.size) {
		return 0, fmt.Errorf("size %d, children %d + %d", raw.size, l.size, rt.size)
	}
	r.m.nodes[at] = node{key: key(thr), feat: raw.feat, left: r.base + raw.left}
	return int(raw.left), nil
}
