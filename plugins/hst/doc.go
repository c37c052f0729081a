// Package hst is a streaming multivariate detector: Half-Space Trees (Tan,
// Ting & Liu, "Fast Anomaly Detection for Streaming Data", IJCAI 2011).
//
// An ensemble of random trees splits the feature space in halves at fixed
// midpoints, without looking at the data. Points are counted into the trees
// in windows of Window points; each full window becomes the reference
// profile the next window is scored against. A point's mass in one tree is
// the reference count of the first node on its path holding at most
// Window/10 points, times 2^depth: a density estimate, low in empty places.
// The mean mass over the trees is calibrated against the masses of the
// reference window's own points, so a score of 0.99 means less mass than 99%
// of them (see calibrate.go).
//
// Features are scaled to [0, 1] by their minimum and maximum over the window
// that becomes the reference, so their units do not matter and a scale
// change is absorbed within two windows. Explain attributes a score to
// features by the information each feature's splits gave about isolating the
// point (see explain.go).
//
// Departures from the paper, each documented where it is made: the trees
// split features in a per-tree random order, cycled, instead of drawing a
// feature per node (random.go); features are scaled per window rather than
// assumed to lie in [0, 1]; only nodes a score can reach are stored, and the
// latest profile is counted at the swap from the buffered raw window
// (build.go). The last two give the masses the paper's full trees would give
// for the same splits and scaling.
//
// An instance is owned by one goroutine at a time, as the sdk requires. It
// holds the raw latest window (8·dim bytes per point) and the reference
// (8 bytes per node, at most Trees·(1 + 18·Depth) nodes). Score walks each
// tree once; every Window points it also rebuilds the reference, reusing
// its memory, so in steady state it allocates nothing.
package hst
