// Package threshold turns a stream of anomaly scores in [0, 1] into
// anomalous/normal decisions, so users need not guess a contamination rate.
//
// A Policy is made per series and owned by one goroutine at a time. Three
// kinds exist:
//
//   - Fixed flags scores at or above a constant.
//   - Quantile flags scores above the empirical Q-quantile of the last
//     Window scores.
//   - SPOT flags scores whose probability under a fitted tail model is below
//     a risk q; DSPOT does the same on the score minus a moving average.
//
// # SPOT
//
// SPOT ("Streaming Peaks-Over-Threshold") rests on the Pickands–Balkema–de
// Haan theorem: above a high enough threshold t, the excesses X − t of
// almost any distribution follow a generalised Pareto distribution (GPD)
// with shape γ and scale σ. So:
//
//  1. Calibrate: take the first n = Init values, set t to their Level
//     quantile (0.98), and keep the excesses over t, the peaks (N_t of them).
//  2. Fit the GPD to the peaks. This package uses the method of moments:
//     with mean m and variance v of the excesses, γ = (1 − m²/v)/2 and
//     σ = m(1 + m²/v)/2 (an exponential, γ = 0, σ = m, when v = 0).
//  3. The threshold is the value exceeded with probability q = Risk:
//     z_q = t + σ/γ((q·n/N_t)^(−γ) − 1), or t − σ·ln(q·n/N_t) as γ → 0.
//  4. Stream: a value above z_q is an alarm and is not learned, so
//     anomalies do not inflate the tail. Any other value counts in n; if it
//     exceeds t, its excess joins the peaks and the GPD is refitted. t
//     itself stays fixed.
//
// DSPOT (Depth d > 0) handles drift: it keeps the last d normal (not
// alarmed) scores and applies SPOT to score − their mean, so the threshold
// follows a moving baseline. Its first d scores only fill that window, so
// it calibrates over d + Init scores.
//
// Departures from the paper, each found necessary by the tests:
//
//   - SPOT does not run on the score s itself but on its surprise
//     x = −ln((1 − v)/2) with v = s − (DSPOT mean, or 0), a monotone map of
//     [−1, 1] onto [0, ≈37.4]. Scores are bounded by 1, so their tail has
//     γ < 0, and since alarms are not learned they cut the top off the
//     peaks: each refit then lowers z_q, which censors more. On uniform
//     scores that ratchet gave 40× the requested false-alarm rate. On the
//     surprise scale uniform scores are exponential (γ = 0 exactly).
//   - γ is clamped at 0 for the same reason: a light tail on the surprise
//     scale is mostly censoring. The threshold is then conservative for
//     scores that never come near 1.
//   - z_q is recomputed from the fitted γ, σ on every normal score, not
//     only on new peaks, as n moves (one math.Pow per score).
//   - Threshold() reports z_q mapped back to the score scale,
//     mean + 1 − 2·exp(−z_q); it may exceed 1, meaning nothing can be
//     flagged (expected when Risk is below the resolution of the scores).
//
// State stays bounded: a SPOT policy keeps the most recent MaxPeaks
// (10,000) peaks, 16 bytes each. When one is evicted, the scores counted up
// to it leave n too, so N_t/n remains the peak rate over the span the kept
// peaks cover. A refit costs O(N_t), so on average about (1 − Level)·N_t
// operations per score. Until a first peak is seen z_q is +Inf: a policy
// calibrated on a constant stream learns before it flags.
//
// # References
//
//   - A. Siffer, P.-A. Fouque, A. Termier, C. Largouët. Anomaly Detection in
//     Streams with Extreme Value Theory. KDD 2017.
//     https://doi.org/10.1145/3097983.3098144
//   - S. D. Grimshaw. Computing Maximum Likelihood Estimates for the
//     Generalized Pareto Distribution. Technometrics 35(2), 1993 (the MLE
//     SPOT's authors use; not implemented here).
//   - J. R. M. Hosking, J. R. Wallis. Parameter and Quantile Estimation for
//     the Generalized Pareto Distribution. Technometrics 29(3), 1987 (the
//     method of moments).
package threshold
