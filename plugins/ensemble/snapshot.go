package ensemble

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Snapshot layout, version 1, all integers little-endian, floats as their
// IEEE-754 bits:
//
//	offset  size  field
//	0       3     magic "PEN"
//	3       1     version, 1
//	4       1     method: 1 mean, 2 max, 3 rank; must equal the instance's
//	5       4     members      uint32, M; must equal the instance's
//	9       4     rank_window  uint32, 0 unless rank; must equal the instance's
//	13      4     dim          uint32; must equal the instance's
//	17      4     ranked       uint32, N, scores in each rank window,
//	                           <= rank_window (0 unless rank)
//	21            M member records, in member order:
//	                1     name length, L
//	                L     name, the member's Info().Name; must match
//	                4     snapshot length, S, uint32
//	                S     the member's own snapshot
//	              then, for rank, M windows in member order:
//	                8·N   the member's last N scores, oldest first,
//	                      each in [0, 1]
//
// Nothing follows. Every member scores every point, so all windows hold
// the same number of scores. Windows are written oldest first, so a
// restored instance re-marshals to the same bytes.
const (
	snapshotMagic   = "PEN"
	snapshotVersion = 1
	headerLen       = 21
)

// MarshalBinary snapshots the instance and its members in the layout above.
func (d *detector) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	o := d.f.opts
	b := make([]byte, 0, headerLen+64*len(d.members))
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion, o.Method.code())
	b = le.AppendUint32(b, uint32(len(d.members)))
	b = le.AppendUint32(b, uint32(o.RankWindow))
	b = le.AppendUint32(b, uint32(d.dim))
	b = le.AppendUint32(b, uint32(d.ranked()))
	for i, m := range d.members {
		snap, err := m.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("member %d (%s): %w", i, d.f.names[i], err)
		}
		name := snapName(d.f.names[i])
		b = append(b, byte(len(name)))
		b = append(b, name...)
		b = le.AppendUint32(b, uint32(len(snap)))
		b = append(b, snap...)
	}
	var ordered []float64
	for i := range d.windows {
		ordered = d.windows[i].appendOrdered(ordered[:0])
		for _, v := range ordered {
			b = le.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b, nil
}

// ranked is the number of scores in each rank window.
func (d *detector) ranked() int {
	if len(d.windows) == 0 {
		return 0
	}
	return len(d.windows[0].vals)
}

// snapName is a member name as a snapshot stores it: at most 255 bytes.
func snapName(name string) string { return name[:min(len(name), 255)] }
