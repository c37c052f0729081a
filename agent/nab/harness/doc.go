// Package harness runs the Numenta Anomaly Benchmark through the agent's
// own detection code: every NAB file is read by the agent's file reader
// (agent/input) and scored by an agent pipeline (agent/pipeline) whose
// detector is built by the agent's registry (agent/detectors) from a
// detector section, with the decision section's threshold policy and
// hysteresis. A tap on the detector records each row's score; the alerts
// the pipeline raises are the detector's own, label-free, detections.
//
// Run writes each file's results in NAB's layout and scores them with
// agent/nab, at the label-optimised global threshold and at the alerts,
// and scores each half of NAB's folders on its own (the split check, see
// SplitA).
// Nothing of a run outlives it but the files it writes.
package harness
