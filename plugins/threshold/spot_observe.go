package threshold

import (
	"math"
	"slices"
)

// Observe flags score when the surprise of its drift-removed value exceeds
// z_q; otherwise it counts score as normal, learns it as a peak when it
// exceeds t, and pushes score into the drift window.
func (p *spot) Observe(score float64) (bool, error) {
	if err := checkScore(score); err != nil {
		return false, err
	}
	x := surprise(score - p.level())
	if !p.ready {
		p.calibrate(score, x)
		return false, nil
	}
	if x > p.z {
		return true, nil
	}
	p.n++
	if x > p.t {
		p.addPeak(peak{excess: x - p.t, at: p.n})
		p.fit()
	} else {
		p.updateZ() // n moved, and with it the peak rate
	}
	p.pushWin(score)
	return false, nil
}

// calibrate fills the drift window first (DSPOT), then collects Init
// surprises, then starts.
func (p *spot) calibrate(score, x float64) {
	if len(p.win) < p.o.Depth {
		p.pushWin(score)
		return
	}
	p.calib = append(p.calib, x)
	p.pushWin(score)
	if len(p.calib) == p.o.Init {
		p.start()
	}
}

// start sets t to the Level quantile of the calibration values, learns the
// values above it as peaks and fits the first z_q.
func (p *spot) start() {
	sorted := slices.Sorted(slices.Values(p.calib))
	p.t = sorted[min(len(sorted)-1, int(p.o.Level*float64(len(sorted))))]
	for i, v := range p.calib {
		if v > p.t {
			p.addPeak(peak{excess: v - p.t, at: uint64(i + 1)})
		}
	}
	p.n = uint64(len(p.calib))
	p.calib = nil
	p.ready = true
	p.fit()
}

func (p *spot) pushWin(score float64) {
	switch {
	case p.o.Depth == 0:
	case len(p.win) < p.o.Depth:
		p.win = append(p.win, score)
	default:
		p.win[p.winPos] = score
		p.winPos = (p.winPos + 1) % p.o.Depth
	}
}

// addPeak stores pk, evicting the oldest peak once maxPeaks are held. The
// scores counted up to the evicted peak leave n's window with it (base), so
// N_t/(n−base) stays the peak rate of the span the kept peaks come from.
func (p *spot) addPeak(pk peak) {
	if len(p.peaks) < p.maxPeaks {
		p.peaks = append(p.peaks, pk)
		return
	}
	p.base = p.peaks[p.peakPos].at
	p.peaks[p.peakPos] = pk
	p.peakPos = (p.peakPos + 1) % p.maxPeaks
}

// fit refits the GPD to the peaks and recomputes z_q. It depends only on
// the stored state, so a restored policy computes the same bits.
func (p *spot) fit() {
	if len(p.peaks) == 0 {
		p.z = math.Inf(1) // nothing above t seen yet: learn before flagging
		return
	}
	p.gamma, p.sigma = fitMoments(p.peaks)
	// A light tail (γ < 0) on the surprise scale is mostly the alarms
	// censoring the peaks; trusting it would ratchet z_q down again.
	p.gamma = max(p.gamma, 0)
	p.updateZ()
}

// updateZ recomputes z_q = t + σ/γ((q·n/N_t)^(−γ) − 1) from the fitted GPD.
func (p *spot) updateZ() {
	if len(p.peaks) == 0 {
		return
	}
	r := p.o.Risk * float64(p.n-p.base) / float64(len(p.peaks))
	p.z = p.t + max(0, gpdExcessQuantile(p.gamma, p.sigma, r))
}

// fitMoments fits a GPD to the excesses by the method of moments: with
// mean m and variance v, γ = (1 − m²/v)/2 and σ = m(1 + m²/v)/2. With
// one peak, or all equal, it falls back to the exponential (γ = 0, σ = m).
func fitMoments(peaks []peak) (gamma, sigma float64) {
	var sum float64
	for _, pk := range peaks {
		sum += pk.excess
	}
	m := sum / float64(len(peaks))
	var ss float64
	for _, pk := range peaks {
		ss += (pk.excess - m) * (pk.excess - m)
	}
	if len(peaks) < 2 || ss == 0 {
		return 0, m
	}
	ratio := m * m / (ss / float64(len(peaks)-1))
	return (1 - ratio) / 2, m * (1 + ratio) / 2
}

// gpdExcessQuantile is the excess over t exceeded with probability r among
// excesses: σ/γ(r^(−γ) − 1), or −σ·ln r as γ → 0.
func gpdExcessQuantile(gamma, sigma, r float64) float64 {
	if math.Abs(gamma) < 1e-9 {
		return -sigma * math.Log(r)
	}
	return sigma / gamma * (math.Pow(r, -gamma) - 1)
}

// maxSurprise is surprise(1): values are clamped just below 1 so that a
// score of 1 is very surprising but finite (≈ 37.4).
var maxSurprise = surprise(1)

// surprise maps v = score − level in [−1, 1] to −ln((1 − v)/2) in
// [0, maxSurprise]. SPOT runs on this scale: it turns the bounded tail of
// the scores into an unbounded one (uniform scores become a shifted
// Exp(1), whose excesses are exactly a GPD with γ = 0). On the raw scale
// the tail's γ is negative, and the alarms, which are not learned, cut the
// top off the peaks and ratchet z_q down (measured: 40× the risk).
func surprise(v float64) float64 {
	return -math.Log((1 - min(v, math.Nextafter(1, 0))) / 2)
}
