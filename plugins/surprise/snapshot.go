package surprise

import (
	"bytes"
	"fmt"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// Snapshot layout, version 2, all integers little-endian, floats as their
// IEEE-754 bits, lists as a uint32 count then the items oldest first:
//
//	"PSU" version(1)=2
//	options   short, history, learn, rank_window, refractory, peak, novelty
//	          uint32 (off: 0xFFFFFFFF); tolerance float64
//	n         uint64, values seen
//	lo hi float64, outside uint8 (0 or 1), mean float64
//	reference n uint64 (values folded), lo hi float64 (the block being
//	          filled), block lows and block highs: two lists of
//	          min(n/100, ⌈history/100⌉) float64
//	values    list of float64, the last min(n, 2017)
//	seasonal  weights [34]float64, covariance [34·34]float64 (row-major),
//	          only when n > 2017: before, the model has not started
//	          and is as new
//	then per channel, fast then seasonal:
//	  errors  list of float64, the last min(n−1, rank_window)
//	  raws    list of float64 in [0, 1], the last min(n, short)
//	  sum float64, ewm ewv mean std float64, lastRed uint64
//	scores    list of float64 in [0, 1], the last min(n, peak) before the
//	          peak stage (none with peak off)
//	novelty   only with the channel on: learning uint8 (0 or 1); then
//	  while learning: list of float64, the values so far (fewer than novelty)
//	  else:     lo span float64 (the scale); the block: sum low high float64,
//	            count uint32 (< 7), off-scale uint8; means: list of at most
//	            8 float64; off uint32 (a bit per block, the last 20);
//	            then per unit, pattern then point: vigilance float64,
//	            inputs uint64, held uint32, grade float64, categories
//	            uint32 (at most 128), their weights (categories × 16 or 6
//	            float64, without a count) and the input each last
//	            resonated with (categories × uint64)
//
// Version 1 is version 2 without the novelty option and section; it is
// read by an instance with the channel off.
//
// The options are stored so that a snapshot is never restored into an
// instance that would continue differently. Sorted copies of the errors are
// rebuilt on restore, not stored.
const (
	snapshotMagic   = "PSU"
	snapshotVersion = 2
)

// MarshalBinary snapshots the instance in the layout above.
func (d *detector) MarshalBinary() ([]byte, error) {
	var w writer
	w.b = append(w.b, snapshotMagic...)
	w.b = append(w.b, snapshotVersion)
	o := d.opts
	w.u32(o.Short, o.History, o.Learn, o.RankWindow, o.Refractory, o.Peak, o.Novelty)
	w.f64(o.Tolerance)
	w.u64(d.n)
	w.f64(d.lo, d.hi)
	w.b = append(w.b, boolByte(d.outside))
	w.f64(d.mean)
	w.u64(d.ref.n)
	w.f64(d.ref.lo, d.ref.hi)
	w.list(d.ref.los.values())
	w.list(d.ref.his.values())
	w.list(d.vals.values())
	if d.n > maxLag {
		w.f64(d.seas.w[:]...)
		w.f64(d.seas.p[:]...)
	}
	for c := range channels {
		w.list(d.ranks[c].ring.values())
		l := &d.liks[c]
		w.list(l.raws.values())
		w.f64(l.sum, l.ewm, l.ewv, l.mean, l.std)
		w.u64(l.lastRed)
	}
	w.list(d.peakScores())
	if d.nov != nil {
		d.nov.encode(&w)
	}
	return w.b, nil
}

// UnmarshalBinary restores a snapshot taken by an instance with the same
// Options. It decodes into a fresh instance and checks it whole before
// adopting it, so on error, which wraps sdk.ErrBadSnapshot, the instance
// is untouched.
func (d *detector) UnmarshalBinary(data []byte) error {
	if len(data) < 4 || !bytes.Equal(data[:3], []byte(snapshotMagic)) {
		return badSnapshot("not a surprise snapshot")
	}
	version := data[3]
	switch {
	case version == 1 && d.opts.Novelty != NoNovelty:
		return badSnapshot("version 1, taken without the novelty channel: restore it with novelty off")
	case version != 1 && version != snapshotVersion:
		return badSnapshot("version %d, this build reads %d", version, snapshotVersion)
	}
	r := reader{b: data[4:]}
	if err := d.checkOptions(&r, version); err != nil {
		return err
	}
	nd := newDetector(d.opts)
	nd.decode(&r)
	if r.err == nil && len(r.b) > 0 {
		r.fail("%d bytes past the end", len(r.b))
	}
	if r.err == nil {
		r.err = nd.check()
	}
	if r.err != nil {
		return badSnapshot("%v", r.err)
	}
	*d = *nd
	return nil
}

func (d *detector) checkOptions(r *reader, version byte) error {
	o := d.opts
	got := Options{Short: r.u32(), History: r.u32(), Learn: r.u32(), RankWindow: r.u32(), Refractory: r.u32(),
		Peak: int(int32(r.u32())), Novelty: NoNovelty}
	if version > 1 {
		got.Novelty = int(int32(r.u32()))
	}
	got.Tolerance = r.f64()
	if r.err != nil {
		return badSnapshot("%v", r.err)
	}
	if got != o {
		return badSnapshot("options %+v, instance has %+v", got, o)
	}
	return nil
}

func (d *detector) decode(r *reader) {
	d.n = r.u64()
	d.lo, d.hi = r.f64(), r.f64()
	d.outside = r.flag()
	d.mean = r.f64()
	d.ref.n = r.u64()
	d.ref.lo, d.ref.hi = r.f64(), r.f64()
	d.ref.los.load(r.list(len(d.ref.los.buf)))
	d.ref.his.load(r.list(len(d.ref.his.buf)))
	d.ref.summarise()
	d.vals.load(r.list(maxLag))
	if d.n > maxLag {
		r.floats(d.seas.w[:])
		r.floats(d.seas.p[:])
	}
	for c := range channels {
		d.ranks[c].load(r.list(d.opts.RankWindow))
		l := &d.liks[c]
		l.raws.load(r.list(d.opts.Short))
		l.sum, l.ewm, l.ewv, l.mean, l.std = r.f64(), r.f64(), r.f64(), r.f64(), r.f64()
		l.lastRed = r.u64()
		l.n = d.n
	}
	d.scores.load(r.list(max(d.opts.Peak, 0)))
	if d.nov != nil {
		d.nov.decode(r)
	}
}

// peakScores are the scores the peak stage remembers; none when it is off.
func (d *detector) peakScores() []float64 {
	if d.opts.Peak == NoPeak {
		return nil
	}
	return d.scores.values()
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func badSnapshot(format string, args ...any) error {
	return fmt.Errorf("surprise snapshot: %s: %w", fmt.Sprintf(format, args...), sdk.ErrBadSnapshot)
}
