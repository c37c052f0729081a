package sdktest

import (
	"math/rand/v2"
	"slices"
)

// Random streams the suite draws from, all seeded with Options.Seed.
const (
	streamMain   = iota + 1 // the stream every check scores
	streamFit               // rows batch detectors are fitted on
	streamOther             // a different history, to restore over
	streamBadSeq            // garbage snapshots
	streamWorker            // concurrency: streamWorker+i for worker i
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// Stream returns the default data Run scores: n rows of dim values, the
// same for the same seed. Values are N(0, 1) noise with about 1% spikes of
// 10 to 50 on one feature, and a run of 40 identical rows a quarter of the
// way in, which drives window statistics such as a variance or MAD to 0.
func Stream(seed int64, dim, n int) [][]float64 {
	return defaultData(newRand(seed, streamMain), dim, n)
}

func defaultData(rng *rand.Rand, dim, n int) [][]float64 {
	rows := make([][]float64, n)
	for i := range rows {
		row := make([]float64, dim)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		if rng.IntN(100) == 0 {
			spike := 10 + 40*rng.Float64()
			if rng.IntN(2) == 0 {
				spike = -spike
			}
			row[rng.IntN(dim)] += spike
		}
		rows[i] = row
	}
	flat := n / 4
	for i := flat + 1; i < min(flat+40, n); i++ {
		rows[i] = slices.Clone(rows[flat])
	}
	return rows
}
