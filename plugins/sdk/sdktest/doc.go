// Package sdktest is the conformance suite every Pynomaly detector passes,
// built in or external: one call to Run from a detector's tests.
//
//	func TestConformance(t *testing.T) {
//		sdktest.Run(t, mydetector.NewFactory(), sdktest.Options{})
//	}
//
// Run runs each check as a subtest of t, once per dimension in
// Options.Dims (named like "snapshot_restore/dim=3"), so a single check can
// be rerun with -run. The checks hold a detector to the contract documented
// in package sdk:
//
//   - info: Info is well formed and agrees with the instances New returns;
//     New rejects unsupported dimensions with sdk.ErrInvalidInput.
//   - score_range: every score is finite and in [0, 1]; Score leaves its
//     input alone; a batch detector refuses to score before Fit.
//   - bad_input: empty, wrong-length, NaN and ±Inf samples are rejected with
//     sdk.ErrInvalidInput, without a panic and without changing the state.
//   - deterministic: the same stream gives bit-identical scores and
//     snapshots on two instances.
//   - snapshot_restore: a restored instance continues bit-identically, into
//     a fresh or a used instance; bad snapshots fail with sdk.ErrBadSnapshot
//     and change nothing.
//   - batch_equals_single: ScoreBatch equals Score point by point, stops at
//     the first bad point and reports how many it scored.
//   - explain: Explain gives one finite, non-negative value per feature and
//     does not learn (only for detectors whose Info says Explains).
//   - concurrency: instances scored in parallel share no mutable state. Run
//     the tests with -race, or this check proves little.
//
// Every call into the detector is guarded: a panic fails the check with the
// panic value and stack rather than killing the test binary.
//
// Snapshots must identify themselves (a magic or format header): the suite
// requires that random bytes and truncated snapshots are rejected.
//
// Data is random but reproducible: the same Options give the same points.
// The default data is Stream; Options.Data replaces it with points from the
// detector's own domain.
package sdktest
