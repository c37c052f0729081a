// Package detectortest holds what the built-in detectors' tests and the
// iforest benchmark share: labelled synthetic data, ROC-AUC, and helpers
// that fail a test on a detector error. Only _test.go files and bench/
// import it; the conformance checks every detector must pass live in
// plugins/sdk/sdktest instead.
package detectortest
