// Package detectortest holds what the built-in detectors' tests and the
// iforest benchmark share: labelled synthetic data, ROC-AUC, helpers that
// fail a test on a detector error, and CheckUnmarshal, the snapshot-restore
// contract every detector's fuzz and snapshot tests hold it to. Only
// _test.go files and bench/ import it; the conformance checks every
// detector must pass live in plugins/sdk/sdktest instead.
package detectortest
