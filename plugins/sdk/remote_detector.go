package sdk

import (
	"fmt"
	"runtime"

	"github.com/pynomaly/pynomaly/plugins/sdk/internal/pb"
)

// remote is a Detector whose instance lives in a plugin process.
type remote struct {
	p       *Plugin
	id      uint64
	dim     int
	cleanup runtime.Cleanup
}

// Wrappers add the optional interfaces the plugin's instance implements.
type (
	remoteFitter       struct{ *remote }
	remoteExplainer    struct{ *remote }
	remoteFitExplainer struct{ *remote }
)

func (r remoteFitter) Fit(xs [][]float64) error                     { return r.fit(xs) }
func (r remoteExplainer) Explain(x []float64) ([]float64, error)    { return r.explain(x) }
func (r remoteFitExplainer) Fit(xs [][]float64) error               { return r.fit(xs) }
func (r remoteFitExplainer) Explain(x []float64) ([]float64, error) { return r.explain(x) }

func (r *remote) Score(x []float64) (float64, error) {
	ctx, cancel := r.p.ctx()
	defer cancel()
	resp, err := r.p.rpc.Score(ctx, &pb.ScoreRequest{Instance: r.id, Point: x})
	if err != nil {
		return 0, r.p.fail("score", err, ErrInvalidInput)
	}
	return resp.GetScore(), nil
}

// ScoreBatch sends xs in one call, packed dim values per point. A point of
// another length cannot be packed: the batch is cut before it and the
// point rejected here, as the detector's Score would reject it.
func (r *remote) ScoreBatch(xs [][]float64, out []float64) (int, error) {
	if len(out) < len(xs) {
		return 0, fmt.Errorf("output has room for %d scores, want %d: %w", len(out), len(xs), ErrInvalidInput)
	}
	n, cut := len(xs), error(nil)
	for i, x := range xs {
		if len(x) != r.dim {
			n, cut = i, fmt.Errorf("point %d: %w", i, CheckPoint(x, r.dim))
			break
		}
	}
	if n == 0 {
		return 0, cut
	}
	vals := make([]float64, 0, n*r.dim)
	for _, x := range xs[:n] {
		vals = append(vals, x...)
	}
	ctx, cancel := r.p.ctx()
	defer cancel()
	resp, err := r.p.rpc.ScoreBatch(ctx, &pb.ScoreBatchRequest{Instance: r.id, Dim: int64(r.dim), Values: vals})
	if err != nil {
		return 0, r.p.fail("score batch", err, ErrInvalidInput)
	}
	scored := copy(out[:n], resp.GetScores())
	if f := resp.GetFailure(); f != nil {
		return scored, fromFailure(f)
	}
	if scored != n || resp.GetScored() != int64(n) {
		return scored, fmt.Errorf("plugin %s: score batch: %d of %d points scored, without an error", r.p.path, resp.GetScored(), n)
	}
	return n, cut
}

func (r *remote) MarshalBinary() ([]byte, error) {
	ctx, cancel := r.p.ctx()
	defer cancel()
	resp, err := r.p.rpc.Marshal(ctx, &pb.MarshalRequest{Instance: r.id})
	if err != nil {
		return nil, r.p.fail("marshal", err, ErrInvalidInput)
	}
	return resp.GetState(), nil
}

func (r *remote) UnmarshalBinary(data []byte) error {
	ctx, cancel := r.p.ctx()
	defer cancel()
	_, err := r.p.rpc.Unmarshal(ctx, &pb.UnmarshalRequest{Instance: r.id, State: data})
	if err != nil {
		return r.p.fail("unmarshal", err, ErrBadSnapshot)
	}
	return nil
}

// Close frees the instance in the plugin; the Detector is unusable after.
func (r *remote) Close() error {
	r.cleanup.Stop()
	ctx, cancel := r.p.ctx()
	defer cancel()
	if _, err := r.p.rpc.Close(ctx, &pb.CloseRequest{Instance: r.id}); err != nil {
		return r.p.fail("close", err, ErrInvalidInput)
	}
	return nil
}

func (r *remote) fit(xs [][]float64) error {
	rows := make([]*pb.Row, len(xs))
	for i, x := range xs {
		rows[i] = &pb.Row{Values: x}
	}
	ctx, cancel := r.p.ctx()
	defer cancel()
	if _, err := r.p.rpc.Fit(ctx, &pb.FitRequest{Instance: r.id, Rows: rows}); err != nil {
		return r.p.fail("fit", err, ErrInvalidInput)
	}
	return nil
}

func (r *remote) explain(x []float64) ([]float64, error) {
	ctx, cancel := r.p.ctx()
	defer cancel()
	resp, err := r.p.rpc.Explain(ctx, &pb.ExplainRequest{Instance: r.id, Point: x})
	if err != nil {
		return nil, r.p.fail("explain", err, ErrInvalidInput)
	}
	return resp.GetContributions(), nil
}
