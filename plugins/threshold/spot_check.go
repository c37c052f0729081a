package threshold

import "math"

// checkState checks a snapshot's scalar fields against each other and the
// options, so that no later index can go out of range.
func (p *spot) checkState(st spotState) error {
	d, mp := p.o.Depth, p.maxPeaks
	switch {
	case st.ready > 1:
		return badSnapshot("spot", "ready flag %d, want 0 or 1", st.ready)
	case st.nw > d || st.wpos >= max(d, 1) || st.nw < d && st.wpos != 0:
		return badSnapshot("spot", "drift window %d values at slot %d, depth %d", st.nw, st.wpos, d)
	case st.np > mp || st.ppos >= mp || st.np < mp && st.ppos != 0:
		return badSnapshot("spot", "%d peaks at slot %d, max_peaks %d", st.np, st.ppos, mp)
	case st.base > st.n || st.base > 0 && st.np < mp:
		return badSnapshot("spot", "base %d with n %d and %d peaks", st.base, st.n, st.np)
	}
	if st.ready == 0 {
		return p.checkCalibrating(st)
	}
	switch {
	case st.nc != 0 || st.nw != d:
		return badSnapshot("spot", "running with %d calibration and %d window values, want 0 and %d", st.nc, st.nw, d)
	case !(st.t >= 0 && st.t <= maxSurprise):
		return badSnapshot("spot", "t %v outside [0, %v]", st.t, maxSurprise)
	case st.n < uint64(p.o.Init):
		return badSnapshot("spot", "n %d below init %d", st.n, p.o.Init)
	}
	return nil
}

func (p *spot) checkCalibrating(st spotState) error {
	switch {
	case math.Float64bits(st.t) != 0 || st.n != 0 || st.np != 0:
		return badSnapshot("spot", "calibrating with t %v, n %d, %d peaks; want 0, 0, 0", st.t, st.n, st.np)
	case st.nc >= p.o.Init:
		return badSnapshot("spot", "calibrating with %d values, init is %d", st.nc, p.o.Init)
	case st.nc > 0 && st.nw != p.o.Depth:
		return badSnapshot("spot", "calibration values before the drift window is full")
	}
	return nil
}
