package threshold

import (
	"encoding/binary"
	"math"
)

// SPOT snapshot layout, version 1, all integers little-endian:
//
//	offset  size        field
//	0       3           magic "PTS"
//	3       1           version, 1
//	4       8           risk       float64 bits  } must equal
//	12      8           level      float64 bits  } the policy's
//	20      4           init       uint32        }
//	24      4           depth      uint32        }
//	28      4           max_peaks  uint32        }
//	32      1           ready      0 calibrating, 1 running
//	33      8           t          float64 bits, 0 while calibrating
//	41      8           n          uint64, normal scores counted
//	49      8           base       uint64, n at the last evicted peak
//	57      4           nc         uint32, calibration values held
//	61      4           nw         uint32, drift window values held
//	65      4           wpos       uint32, next drift window slot
//	69      4           np         uint32, peaks held
//	73      4           ppos       uint32, next peak slot
//	77      8·nc        calib      float64 bits in [0, S], surprises
//	        8·nw        window     float64 bits in [0, 1], scores, ring order
//	        16·np       peaks      excess float64 bits in (0, S], at uint64
//
// t, calib and the excesses are on the surprise scale (see surprise);
// S = surprise(1) ≈ 37.4.
//
// z_q is not stored: restore refits it from the peaks with the same code,
// so decisions continue bit-identically.
const (
	spotMagic     = "PTS"
	spotHeaderLen = 77
)

func (p *spot) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	b := make([]byte, 0, spotHeaderLen+8*(len(p.calib)+len(p.win))+16*len(p.peaks))
	b = append(b, spotMagic...)
	b = append(b, snapshotVersion)
	b = appendF64(appendF64(b, p.o.Risk), p.o.Level)
	b = le.AppendUint32(le.AppendUint32(b, uint32(p.o.Init)), uint32(p.o.Depth))
	b = le.AppendUint32(b, uint32(p.maxPeaks))
	t, ready := 0.0, byte(0)
	if p.ready {
		t, ready = p.t, 1
	}
	b = appendF64(append(b, ready), t)
	b = le.AppendUint64(le.AppendUint64(b, p.n), p.base)
	for _, v := range []int{len(p.calib), len(p.win), p.winPos, len(p.peaks), p.peakPos} {
		b = le.AppendUint32(b, uint32(v))
	}
	for _, v := range p.calib {
		b = appendF64(b, v)
	}
	for _, v := range p.win {
		b = appendF64(b, v)
	}
	for _, pk := range p.peaks {
		b = le.AppendUint64(appendF64(b, pk.excess), pk.at)
	}
	return b, nil
}

func (p *spot) UnmarshalBinary(data []byte) error {
	r, err := header("spot", spotMagic, data)
	if err != nil {
		return err
	}
	s, err := p.decode(r, len(data))
	if err != nil {
		return err
	}
	*p = *s
	if p.ready {
		p.fit()
	}
	return nil
}

// spotState is a snapshot's scalar fields, checked before anything is built.
type spotState struct {
	ready                  byte
	t                      float64
	n, base                uint64
	nc, nw, wpos, np, ppos int
}

// decode reads everything after the header into a new spot, checking it.
func (p *spot) decode(r *reader, size int) (*spot, error) {
	if err := p.checkOptions(r); err != nil {
		return nil, err
	}
	st := spotState{ready: r.u8(), t: r.f64(), n: r.u64(), base: r.u64()}
	st.nc, st.nw, st.wpos, st.np, st.ppos = int(r.u32()), int(r.u32()), int(r.u32()), int(r.u32()), int(r.u32())
	if r.short {
		return nil, badSnapshot("spot", "%d bytes, shorter than the %d-byte header", size, spotHeaderLen)
	}
	if err := p.checkState(st); err != nil {
		return nil, err
	}
	if want := spotHeaderLen + 8*(st.nc+st.nw) + 16*st.np; size != want {
		return nil, badSnapshot("spot", "%d bytes, want %d for the counts in the header", size, want)
	}
	return p.build(r, st)
}

func (p *spot) checkOptions(r *reader) error {
	risk, level, init, depth, maxPeaks := r.f64(), r.f64(), r.u32(), r.u32(), r.u32()
	switch {
	case r.short:
		return badSnapshot("spot", "shorter than the %d-byte header", spotHeaderLen)
	case math.Float64bits(risk) != math.Float64bits(p.o.Risk):
		return badSnapshot("spot", "risk %v, policy has %v", risk, p.o.Risk)
	case math.Float64bits(level) != math.Float64bits(p.o.Level):
		return badSnapshot("spot", "level %v, policy has %v", level, p.o.Level)
	case init != uint32(p.o.Init):
		return badSnapshot("spot", "init %d, policy has %d", init, p.o.Init)
	case depth != uint32(p.o.Depth):
		return badSnapshot("spot", "depth %d, policy has %d", depth, p.o.Depth)
	case maxPeaks != uint32(p.maxPeaks):
		return badSnapshot("spot", "max_peaks %d, policy has %d", maxPeaks, p.maxPeaks)
	}
	return nil
}

// build reads the arrays into a new spot, checking each value.
func (p *spot) build(r *reader, st spotState) (*spot, error) {
	s := newSPOT(p.o, p.maxPeaks)
	s.ready, s.n, s.base, s.winPos, s.peakPos = st.ready == 1, st.n, st.base, st.wpos, st.ppos
	calib, err := r.floats("spot", "calibration value", st.nc, 0, maxSurprise)
	if err != nil {
		return nil, err
	}
	win, err := r.floats("spot", "window value", st.nw, 0, 1)
	if err != nil {
		return nil, err
	}
	s.win = append(s.win, win...)
	if s.ready {
		s.t, s.calib = st.t, nil
	} else {
		s.calib = append(s.calib, calib...)
	}
	s.peaks = make([]peak, st.np)
	for i := range s.peaks {
		s.peaks[i] = peak{excess: r.f64(), at: r.u64()}
		if pk := s.peaks[i]; !(pk.excess > 0 && pk.excess <= maxSurprise) || pk.at <= st.base || pk.at > st.n {
			return nil, badSnapshot("spot", "peak %d is %v at %d, want (0, %v] at (%d, %d]", i, pk.excess, pk.at, maxSurprise, st.base, st.n)
		}
	}
	return s, nil
}
