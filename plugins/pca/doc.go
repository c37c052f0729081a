// Package pca is a batch multivariate detector: the reconstruction error of
// principal component analysis.
//
// Fit standardises each feature (mean 0, standard deviation 1 over the
// training rows; a constant feature keeps its raw scale), takes the
// eigenvectors of the features' covariance matrix (gonum's EigenSym) and
// keeps the top Components of them, or as many as explain Variance of the
// total variance, at most dim−1. They span the subspace the training data
// lives near. A point's raw score is its squared distance from that
// subspace, |z − VVᵀz|² for the standardised point z: large when x breaks
// the correlations between features that the training data kept, even if
// every value on its own is ordinary.
//
// As in package hbos, raw scores are calibrated by a sorted sample of the
// training rows' raw scores (all of them up to 1024, else 1024 evenly
// spaced quantiles): Score reports the fraction of training rows whose
// error was lower, interpolated linearly.
//
// Scoring costs about 2·dim·Components multiply-adds plus a binary search
// of the sample, and allocates nothing: an instance keeps scratch space,
// which is one reason it must not be used by two goroutines at once.
//
// An instance is owned by one goroutine at a time, as the sdk requires. It
// learns nothing while scoring; Fit replaces the model, and a snapshot is
// the fitted model, so a control plane can fit once and ship it.
package pca
