// Package hbos is a batch multivariate detector: the Histogram-Based
// Outlier Score of Goldstein and Dengel (2012).
//
// Fit builds one static histogram per feature, Bins equal-width bins
// between the feature's training minimum and maximum, and normalises each
// so its fullest bin has height 1. A point's raw score adds up
// −ln(height) of the bins its values fall in: a value in a fullest bin adds
// 0, a value in a sparse bin adds much. An empty bin, or a value outside
// the training range, has the lowest height, half a row's worth, so a
// single unseen value can never make the score infinite.
//
// Raw scores have no fixed scale, so Fit also keeps a sorted sample of the
// training rows' raw scores (all of them up to 1024, else 1024 evenly
// spaced quantiles), and Score reports where x's raw score falls in it,
// interpolating linearly: the fraction of training rows that scored lower.
// 0.99 then means "stranger than 99% of the training window".
//
// Features are treated as independent: HBOS finds values that are rare in
// some feature, not combinations that are rare only jointly. Scoring costs
// one division and one table look-up per feature plus a binary search of
// the sample, and allocates nothing.
//
// An instance is owned by one goroutine at a time, as the sdk requires. It
// learns nothing while scoring; Fit replaces the model, and a snapshot is
// the fitted model, so a control plane can fit once and ship it.
package hbos
