// Package sdk defines the interface every Pynomaly detector implements,
// whether it is compiled into the agent or runs as an external plugin
// process; the agent uses both the same way.
//
// A Factory describes a detector (Info) and makes one Detector instance per
// series (New). An instance is owned by one goroutine at a time: the agent
// never calls one instance concurrently, but it scores different series'
// instances in parallel, so instances must not share mutable state.
//
// Streaming detectors (Kind Streaming) learn as they score: Score returns
// the score of x given everything seen before, then learns x. Batch
// detectors (Kind Batch) also implement Fitter: they are fitted on a window
// of data and then score without learning, until fitted again.
//
// Scores are in [0, 1]: 0 is entirely normal, 1 certainly anomalous. A
// detector that can say which features made a point anomalous implements
// Explainer.
//
// State and fitted models serialise with MarshalBinary to a versioned
// format; UnmarshalBinary restores an instance so that it continues exactly
// where the snapshot was taken. This is how an agent restarts without
// relearning and how a control plane ships a model to many agents.
//
// The package imports only the protocol package of this module, never agent
// or control-plane code, so plugin authors depend on nothing else.
package sdk
