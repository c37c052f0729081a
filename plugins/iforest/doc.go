// Package iforest is a batch multivariate detector: the Isolation Forest of
// Liu, Ting and Zhou (2008).
//
// Fit grows Trees random binary trees, each on a subsample of SampleSize
// rows drawn without replacement. A node splits on a random feature at a
// threshold drawn uniformly between that feature's minimum and maximum in
// the node, until a node holds one row or reaches MaxDepth. Outliers sit in
// sparse regions, so random splits isolate them in few steps: the score of
// x is 2^(−E[h(x)]/c(ψ)), where h(x) is x's path length in one tree (plus
// c(size) at a leaf that still held size rows, as in scikit-learn) and c(ψ)
// the average path length of an unsuccessful search in a binary search tree
// of ψ rows. Scores are in [0, 1]; around 0.5 is ordinary, near 1 isolated.
//
// All trees live in one flat array of 16-byte nodes, children of a node
// side by side. Score walks sixteen trees at a time in lockstep, each step
// free of branches: thresholds and the point's values are compared as
// order-preserving integer keys, and a leaf points to itself, so a walk
// takes its trees' depth in steps and never tests for a leaf. It allocates
// nothing: the instance keeps the keys of the point being scored. ScoreBatch
// scores point after point the same way; walking trees in the outer loop
// measured slower.
//
// An instance is owned by one goroutine at a time, as the sdk requires. It
// learns nothing while scoring; Fit replaces the model, and a snapshot is
// the fitted model, so a control plane can fit once and ship it.
package iforest
