// Package seasonal is a streaming univariate detector for series with a
// known period: additive Holt-Winters forecasting, scored on the residual.
//
// Each instance models its series as level + trend + a seasonal term per
// position in the season (Season samples long). A value is scored by how far
// it lies from the one-step-ahead forecast, in units of an exponentially
// weighted mean absolute residual, as erf(|r|/(1.2533·mad·√2)): for normal
// residuals 1.2533·mad estimates σ, so the score is the two-sided normal
// confidence. Then the value is learned, with the residual capped at
// Clip·1.2533·mad so that an anomaly moves the model by a bounded amount.
//
// The first two seasons are warm-up (score 0): they initialise the level,
// the trend, the seasonal terms and the residual scale, classically, from
// the two seasons' means and their difference.
//
// An instance is owned by one goroutine at a time, as the sdk requires. It
// holds one float64 per position in the season plus a few more; Score costs
// a fixed handful of floating-point operations and one erf, whatever the
// season, and allocates nothing.
package seasonal
