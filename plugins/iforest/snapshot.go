package iforest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Snapshot layout, version 1, all integers little-endian:
//
//	offset  size       field
//	0       3          magic "PIF"
//	3       1          version, 1
//	4       4          dim    uint32, must equal the instance's
//	8       4          psi    uint32, rows per tree, 2..65536; 0 = not fitted
//	12      4          trees  uint32, 1..1000; 0 when not fitted (nothing follows)
//	16      4·trees    nodes  uint32 per tree, 1..2·psi−1
//	…       20·Σnodes  the nodes, tree after tree, root first, each:
//	          +0  4    feat   int32, split feature 0..dim−1, or −1 for a leaf
//	          +4  4    left   uint32, tree-local index of the left child
//	                          (the right one follows it); 0 for a leaf
//	          +8  4    size   uint32, training rows that reached the node
//	          +12 8    thr    float64 bits, split threshold, finite, never
//	                          −0 (Fit writes zero as +0); 0 for a leaf
//
// Restore checks that each tree is a tree: every node reached once from the
// root, children after parents, a node's size the sum of its children's,
// the root's size psi. Leaf path lengths are not stored; restore computes
// them from depth and size with the code Fit uses, so a restored model
// scores bit for bit as the original. The fitting options are not stored:
// they do not affect scoring, and a later Fit uses the instance's own.
const (
	snapshotMagic   = "PIF"
	snapshotVersion = 1
	headerLen       = 16
	nodeLen         = 20
)

// MarshalBinary writes the fitted model, or a header saying there is none.
func (d *detector) MarshalBinary() ([]byte, error) {
	m, le := d.model, binary.LittleEndian
	if m == nil {
		m = &forest{}
	}
	b := make([]byte, 0, headerLen+4*len(m.roots)+nodeLen*len(m.nodes))
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	b = le.AppendUint32(b, uint32(d.dim))
	b = le.AppendUint32(b, uint32(m.psi))
	b = le.AppendUint32(b, uint32(len(m.roots)))
	for t := range m.roots {
		b = le.AppendUint32(b, uint32(m.treeEnd(t)-m.roots[t]))
	}
	for t, root := range m.roots {
		for i := root; i < m.treeEnd(t); i++ {
			n := m.nodes[i]
			feat, left, thr := uint32(1<<32-1), uint32(0), 0.0 // a leaf: feat −1
			if !m.isLeaf(i) {
				feat, left, thr = n.feat, n.left-root, unkey(n.key)
			}
			b = le.AppendUint32(b, feat)
			b = le.AppendUint32(b, left)
			b = le.AppendUint32(b, m.sizes[i])
			b = le.AppendUint64(b, math.Float64bits(thr))
		}
	}
	return b, nil
}

func (m *forest) treeEnd(t int) uint32 {
	if t+1 < len(m.roots) {
		return m.roots[t+1]
	}
	return uint32(len(m.nodes))
}

// UnmarshalBinary restores a model written by an instance of the same dim.
// It checks everything before changing anything, so on error, which wraps
// sdk.ErrBadSnapshot, the instance is untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	psi, trees, err := d.checkHeader(data)
	if err != nil || psi == 0 {
		if err == nil {
			d.model = nil
		}
		return err
	}
	counts, total, err := nodeCounts(data, psi, trees)
	if err != nil {
		return err
	}
	m := &forest{
		psi: psi, roots: make([]uint32, trees), depth: make([]int32, trees),
		nodes: make([]node, total), val: make([]float64, total), sizes: make([]uint32, total),
	}
	m.norm = float64(trees) * avgPath(uint32(psi))
	off, at := headerLen+4*trees, uint32(0)
	for t, n := range counts {
		m.roots[t] = at
		r := treeReader{data: data[off : off+nodeLen*n], dim: d.dim, base: at, m: m}
		if err := r.read(n, psi); err != nil {
			return badSnapshot("tree %d: %v", t, err)
		}
		m.depth[t] = r.deepest
		off += nodeLen * n
		at += uint32(n)
	}
	d.model = m
	return nil
}

// checkHeader validates the fixed header against d.
func (d *detector) checkHeader(data []byte) (psi, trees int, err error) {
	le := binary.LittleEndian
	switch {
	case len(data) < headerLen:
		return 0, 0, badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return 0, 0, badSnapshot("magic %q, not an iforest snapshot", data[:3])
	case data[3] != snapshotVersion:
		return 0, 0, badSnapshot("version %d, this build reads %d", data[3], snapshotVersion)
	case le.Uint32(data[4:]) != uint32(d.dim):
		return 0, 0, badSnapshot("dim %d, instance has %d", le.Uint32(data[4:]), d.dim)
	}
	p, t := le.Uint32(data[8:]), le.Uint32(data[12:])
	switch {
	case p == 0 && t == 0 && len(data) == headerLen:
		return 0, 0, nil
	case p == 0 && t == 0:
		return 0, 0, badSnapshot("%d bytes after an unfitted header", len(data)-headerLen)
	case p < 2 || p > MaxSampleSize:
		return 0, 0, badSnapshot("psi %d out of range 2..%d", p, MaxSampleSize)
	case t < 1 || t > MaxTrees:
		return 0, 0, badSnapshot("%d trees, out of range 1..%d", t, MaxTrees)
	}
	return int(p), int(t), nil
}

// nodeCounts reads and checks the per-tree node counts and the length.
func nodeCounts(data []byte, psi, trees int) (counts []int, total int, err error) {
	if len(data) < headerLen+4*trees {
		return nil, 0, badSnapshot("%d bytes, too short for %d node counts", len(data), trees)
	}
	counts = make([]int, trees)
	for t := range counts {
		n := int(binary.LittleEndian.Uint32(data[headerLen+4*t:]))
		if n < 1 || n > 2*psi-1 {
			return nil, 0, badSnapshot("tree %d has %d nodes, want 1..%d", t, n, 2*psi-1)
		}
		counts[t], total = n, total+n
	}
	if want := headerLen + 4*trees + nodeLen*total; len(data) != want {
		return nil, 0, badSnapshot("%d bytes, want %d for %d nodes", len(data), want, total)
	}
	return counts, total, nil
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("iforest snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
