// Package kmeans is the batch univariate detector Netdata's agent runs on
// every metric: k-means clustering of short, preprocessed windows of the
// series, scored by the distance to the nearest cluster centre.
//
// As Netdata's machine-learning documentation describes it, each metric's
// recent values are first differenced (so the model sees changes, not
// levels), then smoothed with a short moving average (so single-sample
// jitter does not dominate), and the last few preprocessed values are put
// side by side as one feature vector (so the model sees the short-term
// shape of the metric, not one value). k-means with k = 2 is trained on
// the vectors of a recent window; a new vector far from both centres is
// one whose recent shape was not seen in training. Netdata normalises that
// distance against the training distances and flags the top 1%.
//
// Here the steps are the Options: Diff (x[t] − x[t−Diff], or Off), Smooth
// (a moving average of that many differences), Lag (the vector holds the
// last Lag+1 smoothed values, or only the current one when Off), K and
// Iterations of Lloyd's algorithm after a k-means++ initialisation seeded
// with Seed. Fit also keeps a sorted sample of the training vectors'
// distances to their nearest centre (package internal/ecdf), and Score
// reports where a new distance falls in it: the fraction of training
// vectors closer to a centre. 0.99 means "a shape stranger than 99% of the
// training window's".
//
// The model does not learn while scoring, but Score moves a buffer of the
// last Diff+Smooth+Lag raw values, seeded at Fit with the tail of the
// training series: the feature vector of a point depends on the points
// before it. That buffer is part of the state MarshalBinary writes, with
// the centres, the calibration sample and the preprocessing the centres
// were fitted with. Scoring allocates nothing.
//
// An instance is owned by one goroutine at a time, as the sdk requires.
package kmeans
