// Package ewma is a streaming univariate detector: an exponentially weighted
// z-score with a winsorised update.
//
// Each instance keeps an exponentially weighted moving average of the series
// and of its squared deviation from that average, so it follows slow drifts
// and scores fast departures from them. A value is scored against the
// estimates from before it arrived, as erf(|x−mean|/(σ·√2)); then it is
// learned, with its deviation capped at Clip·σ so that one spike moves the
// mean by at most Alpha·Clip·σ and inflates σ by a bounded factor.
//
// An instance is owned by one goroutine at a time, as the sdk requires. Its
// state is three numbers; Score costs a few floating-point operations, one
// square root and one erf, and allocates nothing.
package ewma
