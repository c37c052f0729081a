package hst

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Snapshot layout, version 1, all integers little-endian, floats as their
// IEEE-754 bits. W is the window, D the dim, T the trees, N the nodes.
//
//	offset  size   field
//	0       3      magic "PHS"
//	3       1      version, 1
//	4       4      trees   uint32  ┐
//	8       4      depth   uint32  │ options and dim:
//	12      4      window  uint32  │ must equal the instance's
//	16      8      seed    uint64  │
//	24      4      dim     uint32  ┘
//	28      8      seen    uint64, points learned, all time
//	36      4      N       uint32, 0 until the first window is full
//	40             reference, only when N > 0:
//	               offset  D × float64, finite
//	               span    D × float64, finite, > 0
//	               roots   T × uint32, < N
//	               nodes   N × (r uint32 <= W, kids int32: -1, or i < kids < N-1)
//	               masses  W × float64, finite, >= 0, ascending
//	then           latest  (seen mod W)·D × float64, finite: the window so far
//
// The trees' random workspaces and split orders are not stored: they are
// derived from the seed. Children always follow their parent in nodes, so
// no node table read from a snapshot can loop.
const (
	snapshotMagic   = "PHS"
	snapshotVersion = 1
	headerLen       = 40
)

// MarshalBinary snapshots the instance in the layout above.
func (d *detector) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	b := make([]byte, 0, d.snapshotLen(len(d.ref.nodes)))
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	for _, v := range []int{d.opts.Trees, d.opts.Depth, d.opts.Window} {
		b = le.AppendUint32(b, uint32(v))
	}
	b = le.AppendUint64(b, d.opts.Seed)
	b = le.AppendUint32(b, uint32(d.dim))
	b = le.AppendUint64(b, d.seen)
	b = le.AppendUint32(b, uint32(len(d.ref.nodes)))
	if d.ready() {
		b = appendFloats(b, d.ref.offset)
		b = appendFloats(b, d.ref.span)
		for _, r := range d.ref.roots {
			b = le.AppendUint32(b, uint32(r))
		}
		for _, n := range d.ref.nodes {
			b = le.AppendUint32(le.AppendUint32(b, n.r), uint32(n.kids))
		}
		b = appendFloats(b, d.ref.masses)
	}
	return appendFloats(b, d.buf[:d.fill*d.dim]), nil
}

// snapshotLen is the length of a snapshot with n nodes and d's fill.
func (d *detector) snapshotLen(n int) int {
	l := headerLen + 8*d.fill*d.dim
	if n > 0 {
		l += 16*d.dim + 4*d.opts.Trees + 8*n + 8*d.opts.Window
	}
	return l
}

func appendFloats(b []byte, vs []float64) []byte {
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// UnmarshalBinary restores a snapshot taken by an instance with the same
// Options and dim. It checks everything before changing anything, so on
// error, which wraps sdk.ErrBadSnapshot, the instance is untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	seen, n, err := d.checkHeader(data)
	if err != nil {
		return err
	}
	r := reader{data: data, off: headerLen}
	ref, err := d.readReference(&r, n)
	if err != nil {
		return err
	}
	fill := int(seen % uint64(d.opts.Window))
	latest := r.floats(fill * d.dim)
	if i := firstNonFinite(latest); i >= 0 {
		return badSnapshot("latest window value %d is %v", i, latest[i])
	}
	d.seen, d.fill = seen, fill
	copy(d.buf, latest)
	d.ref.nodes = d.ref.nodes[:0]
	if ref != nil {
		ref.restoreInto(&d.ref)
	}
	return nil
}

// checkHeader validates data's header against d and its length against the
// header; it returns seen and the node count.
func (d *detector) checkHeader(data []byte) (seen uint64, n int, err error) {
	le := binary.LittleEndian
	if len(data) < headerLen {
		return 0, 0, badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	}
	if !bytes.Equal(data[:3], []byte(snapshotMagic)) {
		return 0, 0, badSnapshot("magic %q, not an hst snapshot", data[:3])
	}
	if data[3] != snapshotVersion {
		return 0, 0, badSnapshot("version %d, this build reads %d", data[3], snapshotVersion)
	}
	for i, want := range []int{d.opts.Trees, d.opts.Depth, d.opts.Window} {
		if got := le.Uint32(data[4+4*i:]); got != uint32(want) {
			return 0, 0, badSnapshot("%s %d, instance has %d", [...]string{"trees", "depth", "window"}[i], got, want)
		}
	}
	if got := le.Uint64(data[16:]); got != d.opts.Seed {
		return 0, 0, badSnapshot("seed %d, instance has %d", got, d.opts.Seed)
	}
	if got := le.Uint32(data[24:]); got != uint32(d.dim) {
		return 0, 0, badSnapshot("dim %d, instance has %d", got, d.dim)
	}
	seen, n = le.Uint64(data[28:]), int(le.Uint32(data[36:]))
	if ready := seen >= uint64(d.opts.Window); ready != (n > 0) {
		return 0, 0, badSnapshot("%d nodes after %d points, window %d", n, seen, d.opts.Window)
	}
	if n > d.maxNodes() {
		return 0, 0, badSnapshot("%d nodes, at most %d fit the options", n, d.maxNodes())
	}
	probe := detector{opts: d.opts, dim: d.dim, fill: int(seen % uint64(d.opts.Window))}
	if want := probe.snapshotLen(n); len(data) != want {
		return 0, 0, badSnapshot("%d bytes, want %d", len(data), want)
	}
	return seen, n, nil
}

// maxNodes bounds a reference's nodes: per level at most Window/(limit+1)
// nodes hold more than the limit points, each with two children.
func (d *detector) maxNodes() int {
	return d.opts.Trees * (1 + 2*d.opts.Depth*(d.opts.Window/(d.limit+1)))
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("hst snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
