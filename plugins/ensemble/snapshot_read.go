package ensemble

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// UnmarshalBinary restores a snapshot taken by an instance of an ensemble
// with the same Options, members and dim. It decodes everything into fresh
// member instances first and swaps them in only when all is well, so on
// error, which wraps sdk.ErrBadSnapshot, the instance is untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	ranked, err := d.checkHeader(data)
	if err != nil {
		return err
	}
	r := &reader{b: data[headerLen:]}
	members, err := d.readMembers(r)
	if err != nil {
		return err
	}
	windows, err := d.readWindows(r, ranked)
	if err != nil {
		return err
	}
	if len(r.b) != 0 {
		return badSnapshot("%d bytes after the last field", len(r.b))
	}
	d.members, d.windows = members, windows
	return nil
}

// checkHeader validates data's header against d and returns the number of
// scores in each rank window.
func (d *detector) checkHeader(data []byte) (int, error) {
	le := binary.LittleEndian
	o := d.f.opts
	u32 := func(off int) uint32 { return le.Uint32(data[off:]) }
	switch {
	case len(data) < 4:
		return 0, badSnapshot("%d bytes, shorter than the 4-byte header", len(data))
	case !bytes.Equal(data[:3], []byte(snapshotMagic)):
		return 0, badSnapshot("magic %q, not an ensemble snapshot", data[:3])
	case data[3] != snapshotVersion:
		return 0, badSnapshot("version %d, this build reads %d", data[3], snapshotVersion)
	case len(data) < headerLen:
		return 0, badSnapshot("%d bytes, shorter than the %d-byte header", len(data), headerLen)
	case data[4] != o.Method.code():
		return 0, badSnapshot("method code %d, instance has %d (%s)", data[4], o.Method.code(), o.Method)
	case u32(5) != uint32(len(d.members)):
		return 0, badSnapshot("%d members, instance has %d", u32(5), len(d.members))
	case u32(9) != uint32(o.RankWindow):
		return 0, badSnapshot("rank_window %d, instance has %d", u32(9), o.RankWindow)
	case u32(13) != uint32(d.dim):
		return 0, badSnapshot("dim %d, instance has %d", u32(13), d.dim)
	case u32(17) > uint32(o.RankWindow):
		return 0, badSnapshot("%d ranked scores, more than rank_window %d", u32(17), o.RankWindow)
	}
	return int(u32(17)), nil
}

// readMembers restores each member record into a fresh member instance.
func (d *detector) readMembers(r *reader) ([]sdk.Detector, error) {
	fresh, err := d.f.newMembers(d.dim)
	if err != nil {
		return nil, badSnapshot("make fresh members: %v", err)
	}
	for i, m := range fresh {
		want := snapName(d.f.names[i])
		name := string(r.take(int(r.u8())))
		snap := r.take(int(r.u32()))
		switch {
		case r.short:
			return nil, badSnapshot("truncated in member %d (%s)", i, want)
		case name != want:
			return nil, badSnapshot("member %d is %q, instance has %q", i, name, want)
		}
		if err := m.UnmarshalBinary(snap); err != nil {
			return nil, memberSnapshot(i, want, err)
		}
	}
	return fresh, nil
}

// readWindows reads ranked scores per member for Rank, nothing otherwise.
func (d *detector) readWindows(r *reader, ranked int) ([]window, error) {
	if d.f.opts.Method != Rank {
		return nil, nil
	}
	ws := make([]window, len(d.members))
	for i := range ws {
		raw := r.take(8 * ranked)
		if r.short {
			return nil, badSnapshot("truncated in rank window %d", i)
		}
		ws[i].vals = make([]float64, ranked)
		for j := range ranked {
			v := math.Float64frombits(binary.LittleEndian.Uint64(raw[8*j:]))
			if !(v >= 0 && v <= 1) {
				return nil, badSnapshot("rank window %d, score %d is %v, want 0..1", i, j, v)
			}
			ws[i].vals[j] = v
		}
	}
	return ws, nil
}

// reader consumes a snapshot front to back. Once a read runs past the end
// it sets short and returns zeros, so callers check once per record.
type reader struct {
	b     []byte
	short bool
}

func (r *reader) take(n int) []byte {
	if r.short || n > len(r.b) {
		r.short = true
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() uint8 {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("ensemble snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}

// memberSnapshot wraps a member's restore error so that it wraps
// sdk.ErrBadSnapshot even if the member's own error does not.
func memberSnapshot(i int, name string, err error) error {
	if errors.Is(err, sdk.ErrBadSnapshot) {
		return fmt.Errorf("ensemble snapshot: member %d (%s): %w", i, name, err)
	}
	return fmt.Errorf("ensemble snapshot: member %d (%s): %w: %w", i, name, err, sdk.ErrBadSnapshot)
}
