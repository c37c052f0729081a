package iforest

import "math"

// forest is a fitted model. Trees are stored one after another in nodes,
// each starting with its root, so tree t spans roots[t]..roots[t+1].
type forest struct {
	psi   int     // rows each tree was grown on
	norm  float64 // trees · c(psi), the divisor of the summed path lengths
	roots []uint32
	depth []int32 // deepest leaf of each tree: the steps every walk takes
	nodes []node
	val   []float64 // at a leaf, the path length of a point ending there; 0 elsewhere
	sizes []uint32  // training rows that reached each node, for Explain and snapshots
}

// node is one tree node, 16 bytes. A point x moves from it to left when
// x[feat] < thr, else to left+1, comparing key(x[feat]) with key(thr). A
// leaf has key 0, below every key, and left one less than its own index,
// so every point moves to the leaf itself: a walk takes a fixed number of
// steps and never tests for a leaf, a branch that would be mispredicted
// once per tree.
type node struct {
	key  uint64
	feat uint32
	left uint32
}

func leafNode(at uint32) node { return node{left: at - 1} } // 0 − 1 wraps, and back

func (m *forest) isLeaf(i uint32) bool { return m.nodes[i].key == 0 }

// key maps a finite or infinite float64 to a uint64 in the same order, −0
// taken as +0 (adding +0 turns −0 into +0 and changes nothing else), so a
// walk compares integers, which compiles to a flag and an add where a float
// comparison compiles to a branch that is a coin flip at every node.
func key(f float64) uint64 {
	b := math.Float64bits(f + 0)
	return b ^ (uint64(int64(b)>>63) | 1<<63)
}

// unkey inverts key for any float64 but −0.
func unkey(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k ^ 1<<63)
	}
	return math.Float64frombits(^k)
}

// keys writes key(x[j]) into k, which has room for x.
func keys(x []float64, k []uint64) {
	for j, v := range x {
		k[j] = key(v)
	}
}

// lanes is how many trees a walk takes through at once. The walks are
// independent, so the CPU overlaps their chains of dependent loads; 16
// measured faster than 8 (fewer chains) and 32.
const lanes = 16

// sum returns the path lengths of the point whose keys are k, added up in
// tree order.
func (m *forest) sum(k []uint64) float64 {
	var s float64
	var idx [lanes]uint32
	nodes := m.nodes // a local, so the loop does not reload it from m
	for t := 0; t < len(m.roots); t += lanes {
		ix := idx[:min(lanes, len(m.roots)-t)]
		var depth int32
		for j := range ix {
			ix[j], depth = m.roots[t+j], max(depth, m.depth[t+j])
		}
		for range depth {
			for j, i := range ix {
				n := &nodes[i]
				ix[j] = n.left + b2u(k[n.feat] >= n.key)
			}
		}
		for _, i := range ix {
			s += m.val[i]
		}
	}
	return s
}

// next returns the node the point whose keys are k moves to from node i.
func (m *forest) next(i uint32, k []uint64) uint32 {
	n := &m.nodes[i]
	return n.left + b2u(k[n.feat] >= n.key)
}

// b2u compiles to SETcc and MOVZX, no branch.
func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func (m *forest) score(sum float64) float64 { return math.Exp2(-sum / m.norm) }

// credit adds to c, for each split on the path in tree t of the point
// whose keys are k, ln(node rows / rows of the branch taken), weighted by
// 1/h, h the path length.
func (m *forest) credit(t int, k []uint64, c []float64) {
	leaf := m.roots[t]
	for !m.isLeaf(leaf) {
		leaf = m.next(leaf, k)
	}
	w := 1 / m.val[leaf]
	for i := m.roots[t]; i != leaf; {
		next := m.next(i, k)
		c[m.nodes[i].feat] += w * math.Log(float64(m.sizes[i])/float64(m.sizes[next]))
		i = next
	}
}

const eulerGamma = 0.5772156649015329

// avgPath is c(n), the average path length of an unsuccessful search in a
// binary search tree of n keys: 2·H(n−1) − 2(n−1)/n, H(i) ≈ ln i + γ.
func avgPath(n uint32) float64 {
	switch {
	case n <= 1:
		return 0
	case n == 2:
		return 1
	}
	f := float64(n)
	return 2*(math.Log(f-1)+eulerGamma) - 2*(f-1)/f
}

// leafPath is the path length of a point ending in a leaf at depth that
// held size training rows: the rows' own subtree was cut off by the depth
// limit, so its expected height c(size) is added.
func leafPath(depth int, size uint32) float64 { return float64(depth) + avgPath(size) }
