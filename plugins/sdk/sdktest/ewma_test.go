package sdktest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// bug is a deliberate defect the self-test plants in a reference detector;
// each is one line in otherwise correct code.
type bug int

const (
	noBug               bug = iota
	bugInfo                 // Info lies: a bad name, Explains false
	bugOutOfRange           // scores are raw z-scores, not in [0, 1]
	bugWritesInput          // Score centres x in place
	bugPanicsOnNaN          // Score indexes past a slice on NaN
	bugLearnsBadInput       // Score counts a rejected sample
	bugClock                // scores carry jitter seeded from the clock
	bugLossySnapshot        // MarshalBinary drops the variances
	bugSnapshotAliases      // MarshalBinary reuses one buffer
	bugAcceptsTruncated     // UnmarshalBinary zero-fills a short snapshot
	bugStaleBatch           // ScoreBatch scores every point against the state before the batch
	bugBatchSkipsBad        // ScoreBatch skips a bad point instead of stopping
	bugExplainLearns        // Explain learns the point it explains
	bugScoresUnfitted       // batch: Score before Fit returns 0, nil
	bugRestoreUnfitted      // batch: UnmarshalBinary forgets it is fitted
	bugFitAcceptsNaN        // batch: Fit takes rows it should refuse
	bugFitWritesRows        // batch: Fit centres its rows in place
)

// ewma is a reference streaming detector: per feature an exponentially
// weighted mean and variance; the score is z/(1+z) for the largest |z|.
type ewmaFactory struct{ bug bug }

func (f ewmaFactory) Info() sdk.Info {
	info := sdk.Info{Name: "ewma", Version: "1", Kind: sdk.Streaming, Explains: true}
	if f.bug == bugInfo {
		info.Name, info.Explains = "ewma v1", false
	}
	return info
}

func (f ewmaFactory) New(dim int) (sdk.Detector, error) {
	if dim < 1 {
		return nil, fmt.Errorf("dim %d: %w", dim, sdk.ErrInvalidInput)
	}
	d := &ewma{dim: dim, bug: f.bug, mean: make([]float64, dim), vr: make([]float64, dim)}
	if f.bug == bugClock {
		d.jitter = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	}
	return d, nil
}

type ewma struct {
	dim      int
	bug      bug
	n        uint64
	mean, vr []float64
	jitter   *rand.Rand
	buf      []byte // for bugSnapshotAliases
}

const alpha = 0.05

func (d *ewma) Score(x []float64) (float64, error) {
	if d.bug == bugPanicsOnNaN && len(x) == d.dim && slices.ContainsFunc(x, math.IsNaN) {
		_ = x[d.dim]
	}
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		if d.bug == bugLearnsBadInput {
			d.n++
		}
		return 0, err
	}
	s := d.score(x)
	d.learn(x)
	if d.bug == bugWritesInput {
		x[0] -= d.mean[0]
	}
	return s, nil
}

func (d *ewma) score(x []float64) float64 {
	z := slices.Max(d.contributions(x))
	if d.bug == bugOutOfRange {
		return z
	}
	if d.jitter != nil {
		return z / (1 + z) * (1 - 1e-9*d.jitter.Float64())
	}
	return z / (1 + z)
}

// contributions returns |z| per feature, 0 while warming up.
func (d *ewma) contributions(x []float64) []float64 {
	c := make([]float64, d.dim)
	for j, v := range x {
		if d.n >= 2 {
			c[j] = math.Abs(v-d.mean[j]) / math.Sqrt(d.vr[j]+1e-9)
		}
	}
	return c
}

func (d *ewma) learn(x []float64) {
	for j, v := range x {
		if d.n == 0 {
			d.mean[j] = v
			continue
		}
		delta := v - d.mean[j]
		d.mean[j] += alpha * delta
		d.vr[j] = (1 - alpha) * (d.vr[j] + alpha*delta*delta)
	}
	d.n++
}

func (d *ewma) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	switch d.bug {
	case bugStaleBatch:
		return d.staleBatch(xs, out)
	case bugBatchSkipsBad:
		for i := range xs {
			if sdk.CheckPoint(xs[i], d.dim) == nil {
				out[i], _ = d.Score(xs[i])
			}
		}
		return len(xs), nil
	}
	return sdk.ScoreEach(d, xs, out)
}

func (d *ewma) staleBatch(xs [][]float64, out []float64) (int, error) {
	for i, x := range xs {
		if err := sdk.CheckPoint(x, d.dim); err != nil {
			return 0, fmt.Errorf("point %d: %w", i, err)
		}
		out[i] = d.score(x)
	}
	for _, x := range xs {
		d.learn(x)
	}
	return len(xs), nil
}

func (d *ewma) Explain(x []float64) ([]float64, error) {
	if err := sdk.CheckPoint(x, d.dim); err != nil {
		return nil, err
	}
	c := d.contributions(x)
	if d.bug == bugExplainLearns {
		d.learn(x)
	}
	return c, nil
}

// Snapshot: "EWM1", dim uint32, n uint64, then dim means and dim variances.
func (d *ewma) MarshalBinary() ([]byte, error) {
	var b []byte
	if d.bug == bugSnapshotAliases {
		b = d.buf[:0]
		defer func() { d.buf = b }()
	}
	b = binary.LittleEndian.AppendUint32(append(b, "EWM1"...), uint32(d.dim))
	b = binary.LittleEndian.AppendUint64(b, d.n)
	vr := d.vr
	if d.bug == bugLossySnapshot {
		vr = make([]float64, d.dim)
	}
	b = appendFloats(appendFloats(b, d.mean), vr)
	return b, nil
}

func (d *ewma) UnmarshalBinary(b []byte) error {
	if want := 16 + 16*d.dim; d.bug == bugAcceptsTruncated && len(b) < want {
		b = append(slices.Clone(b), make([]byte, want-len(b))...)
	}
	if len(b) != 16+16*d.dim || string(b[:4]) != "EWM1" || binary.LittleEndian.Uint32(b[4:]) != uint32(d.dim) {
		return fmt.Errorf("ewma snapshot of %d bytes: %w", len(b), sdk.ErrBadSnapshot)
	}
	vals, err := readFloats(b[16:], 2*d.dim)
	if err != nil {
		return err
	}
	d.n = binary.LittleEndian.Uint64(b[8:])
	copy(d.mean, vals[:d.dim])
	copy(d.vr, vals[d.dim:])
	return nil
}

func appendFloats(b []byte, vs []float64) []byte {
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// readFloats decodes n finite float64s from b.
func readFloats(b []byte, n int) ([]float64, error) {
	if len(b) != 8*n {
		return nil, fmt.Errorf("%d bytes of values, want %d: %w", len(b), 8*n, sdk.ErrBadSnapshot)
	}
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		if math.IsNaN(vs[i]) || math.IsInf(vs[i], 0) {
			return nil, fmt.Errorf("value %d is %v: %w", i, vs[i], sdk.ErrBadSnapshot)
		}
	}
	return vs, nil
}
