// Package nab implements the scoring rules of the Numenta Anomaly Benchmark
// (NAB v1.1): labelled windows, the probationary period, the scaled
// sigmoid, one credited detection per window, false positives weighted by
// their distance from the nearest preceding window, the three application
// profiles, the exhaustive global-threshold sweep over the pooled
// non-probationary rows of every file, and normalisation between the null
// and the perfect detector.
//
// It is our own implementation, written from the rules as NAB's code
// applies them (see ../shared/datasets/nab/NOTES.md); it reads no NAB code.
// The scorer works on row indices: a Corpus is built once from each
// file's length and windows, then scores any number of detectors' score
// series against it. Reading NAB's files (the windows' JSON, the data
// folder) is in labels.go; streaming the data through a detector is the
// harness's job (agent/nab/harness).
//
// A Corpus is immutable once built and safe for concurrent use.
package nab
