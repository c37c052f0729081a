package sdktest

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/pynomaly/pynomaly/plugins/sdk"
)

// workers is how many instances the concurrency check runs at once.
const workers = 8

// checkConcurrency makes, fits and scores instances in parallel goroutines,
// each on its own stream, and checks each matches a serial run. Under -race
// it also catches state shared between instances or with the Factory.
func checkConcurrency(e *env) {
	streams := make([][][]float64, workers)
	wants := make([][]float64, workers)
	snaps := make([][]byte, workers)
	for i := range workers {
		streams[i] = e.data(streamWorker+uint64(i), len(e.xs))
		d := e.fresh()
		wants[i] = e.scoreAll(d, streams[i])
		snaps[i] = e.snapshot(d)
	}
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			if err := e.work(streams[i], wants[i], snaps[i]); err != nil {
				e.r.Errorf("instance %d of %d in parallel: %v", i, workers, err)
			}
		})
	}
	wg.Wait()
}

// work is one goroutine of checkConcurrency. It must not call the env's
// failing helpers, which may only run on the check's goroutine.
func (e *env) work(xs [][]float64, want []float64, snap []byte) error {
	d, err := call(func() (sdk.Detector, error) { return e.f.New(e.dim) })
	if err != nil {
		return fmt.Errorf("New(%d): %w", e.dim, err)
	}
	if ft, ok := d.(sdk.Fitter); ok && e.info.Kind == sdk.Batch {
		if err := do(func() error { return ft.Fit(cloneRows(e.fit)) }); err != nil {
			return fmt.Errorf("Fit: %w", err)
		}
	}
	half := len(xs) / 2
	got := make([]float64, len(xs))
	for i, x := range xs[:half] {
		if got[i], err = call(func() (float64, error) { return d.Score(x) }); err != nil {
			return fmt.Errorf("point %d: Score: %w", i, err)
		}
	}
	if _, err := call(func() (int, error) { return d.ScoreBatch(xs[half:], got[half:]) }); err != nil {
		return fmt.Errorf("ScoreBatch of points %d..%d: %w", half, len(xs)-1, err)
	}
	if i := firstDiff(got, want); i >= 0 {
		return fmt.Errorf("point %d scored %v, %v when scored alone; instances must not share mutable state", i, got[i], want[i])
	}
	b, err := call(d.MarshalBinary)
	if err != nil {
		return fmt.Errorf("MarshalBinary: %w", err)
	}
	if !bytes.Equal(b, snap) {
		return fmt.Errorf("the final snapshot differs from the one scored alone")
	}
	return nil
}
