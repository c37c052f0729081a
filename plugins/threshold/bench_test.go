package threshold_test

import "testing"

// BenchmarkObserve measures one Observe in steady state, after the policy
// has calibrated, for each policy at its defaults.
func BenchmarkObserve(b *testing.B) {
	scores := expScores(6, 1<<16, 1)
	for _, tc := range []struct {
		name, policy string
		params       map[string]string
	}{
		{"fixed", "fixed", map[string]string{"threshold": "0.99"}},
		{"quantile", "quantile", nil},
		{"quantile/window=1000", "quantile", map[string]string{"window": "1000"}},
		{"spot", "spot", nil},
		{"dspot", "dspot", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := mustParse(b, tc.policy, tc.params)
			observeAll(b, p, scores)
			i := 0
			for b.Loop() {
				if _, err := p.Observe(scores[i&(len(scores)-1)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(len(mustSnapshot(b, p))), "snapshot-B/series")
		})
	}
}
